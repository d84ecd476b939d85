//! The new-password rule (SPEC §2.4): the guide's structure rules, hardened with a strength floor.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::Secret;

/// One reason a candidate password is refused. Each has its own wire code so the client can say
/// exactly which rule failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum PasswordRule {
    TooShort,
    TooLong,
    MissingLetter,
    MissingDigit,
    ContainsWhitespace,
    /// Control or format characters (invisible, direction overrides): they cannot be typed
    /// reliably again.
    InvalidCharacter,
    TooWeak,
    SameAsCurrent,
    Mismatch,
}

impl PasswordRule {
    pub fn code(self) -> &'static str {
        match self {
            PasswordRule::TooShort => "too_short",
            PasswordRule::TooLong => "too_long",
            PasswordRule::MissingLetter => "missing_letter",
            PasswordRule::MissingDigit => "missing_digit",
            PasswordRule::ContainsWhitespace => "contains_whitespace",
            PasswordRule::InvalidCharacter => "invalid_character",
            PasswordRule::TooWeak => "too_weak",
            PasswordRule::SameAsCurrent => "same_as_current",
            PasswordRule::Mismatch => "mismatch",
        }
    }
}

impl PasswordRule {
    /// The rule in French, as the reason for a refusal ("il doit compter au moins 24
    /// caractères"), with the numbers of the policy in force.
    pub fn explain_fr(self, policy: &PasswordPolicy) -> String {
        match self {
            PasswordRule::TooShort => {
                format!("il doit compter au moins {} caractères", policy.min_chars)
            }
            PasswordRule::TooLong => {
                format!("il doit compter au plus {} caractères", policy.max_chars)
            }
            PasswordRule::MissingLetter => "il doit contenir au moins une lettre".into(),
            PasswordRule::MissingDigit => "il doit contenir au moins un chiffre".into(),
            PasswordRule::ContainsWhitespace => "il ne doit pas contenir d'espace".into(),
            PasswordRule::InvalidCharacter => {
                "il contient un caractère invisible ou de contrôle".into()
            }
            PasswordRule::TooWeak => "il est trop facile à deviner (évitez vos nom, prénom, adresse et numéro d'abonné, et les suites prévisibles)".into(),
            PasswordRule::SameAsCurrent => "il doit être différent du mot de passe actuel".into(),
            PasswordRule::Mismatch => {
                "la confirmation ne correspond pas au nouveau mot de passe".into()
            }
        }
    }

    /// Every refusal of a list, joined as one French sentence part.
    pub fn explain_all_fr(rules: &[PasswordRule], policy: &PasswordPolicy) -> String {
        rules
            .iter()
            .map(|r| r.explain_fr(policy))
            .collect::<Vec<_>>()
            .join(" ; ")
    }

    /// The rule in English, as the reason for a refusal ("it must have at least 24
    /// characters").
    pub fn explain_en(self, policy: &PasswordPolicy) -> String {
        match self {
            PasswordRule::TooShort => {
                format!("it must have at least {} characters", policy.min_chars)
            }
            PasswordRule::TooLong => {
                format!("it must have at most {} characters", policy.max_chars)
            }
            PasswordRule::MissingLetter => "it must contain at least one letter".into(),
            PasswordRule::MissingDigit => "it must contain at least one digit".into(),
            PasswordRule::ContainsWhitespace => "it must not contain spaces".into(),
            PasswordRule::InvalidCharacter => "it contains an invisible or control character".into(),
            PasswordRule::TooWeak => "it is too easy to guess (avoid your names, address and subscriber number, and predictable sequences)".into(),
            PasswordRule::SameAsCurrent => "it must differ from the current password".into(),
            PasswordRule::Mismatch => "the confirmation does not match the new password".into(),
        }
    }

    /// Every refusal of a list, joined as one English sentence part.
    pub fn explain_all_en(rules: &[PasswordRule], policy: &PasswordPolicy) -> String {
        rules
            .iter()
            .map(|r| r.explain_en(policy))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Policy numbers; the defaults are the guide's (20 characters minimum) plus our hardening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordPolicy {
    pub min_chars: usize,
    pub max_chars: usize,
    /// Lowest accepted zxcvbn score (0–4).
    pub min_score: u8,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: 20,
            max_chars: 128,
            min_score: 3,
        }
    }
}

/// The account's own data, which a password must not be built from.
#[derive(Debug, Clone, Default)]
pub struct PasswordContext {
    words: Vec<String>,
}

impl PasswordContext {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, word: impl AsRef<str>) -> Self {
        let w = word.as_ref().trim().to_lowercase();
        if !w.is_empty() {
            // zxcvbn matches whole dictionary words: give names split on spaces and hyphens too.
            for part in w.split([' ', '-', '\'']).filter(|p| p.len() >= 3) {
                if part != w {
                    self.words.push(part.to_owned());
                }
            }
            self.words.push(w);
        }
        self
    }

    /// The context of an account: its names, login address and subscriber number. Used by the
    /// service's check and by the app's meter alike, so both judge a password the same way.
    pub fn for_account(first_name: &str, last_name: &str, email: &str, subscriber: &str) -> Self {
        let ctx = Self::new()
            .with(first_name)
            .with(last_name)
            .with(subscriber);
        match crate::LoginEmail::parse(email) {
            Ok(e) => ctx.with_email(&e),
            Err(_) => ctx.with(email),
        }
    }

    pub fn with_email(mut self, email: &crate::LoginEmail) -> Self {
        self.words.extend(email.context_words());
        self
    }

    /// A context from words already prepared by `with` (as a recovery ticket carries them).
    pub fn from_words(words: impl IntoIterator<Item = String>) -> Self {
        Self {
            words: words
                .into_iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
        }
    }

    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(String::as_str)
    }
}

/// A password that passed the policy, in Unicode NFC so that the same password typed on two
/// systems hashes alike.
#[derive(Debug, Clone)]
pub struct NewPassword(Secret);

impl NewPassword {
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// NFC form of a password as typed; used for checking and verifying alike.
pub fn normalize(password: &str) -> String {
    password.nfc().collect()
}

impl PasswordPolicy {
    /// Every structural rule the password breaks, cheapest first; the strength estimate runs
    /// only when the structure is right (it is the slow part, and "too weak" would be noise).
    pub fn structural_failures(&self, password: &str) -> Vec<PasswordRule> {
        let mut failures = Vec::new();
        let chars = password.chars().count();
        if chars < self.min_chars {
            failures.push(PasswordRule::TooShort);
        }
        if chars > self.max_chars {
            failures.push(PasswordRule::TooLong);
        }
        if !password.chars().any(char::is_alphabetic) {
            failures.push(PasswordRule::MissingLetter);
        }
        if !password.chars().any(|c| c.is_ascii_digit()) {
            failures.push(PasswordRule::MissingDigit);
        }
        if password.chars().any(char::is_whitespace) {
            failures.push(PasswordRule::ContainsWhitespace);
        }
        if password.chars().any(is_invisible) {
            failures.push(PasswordRule::InvalidCharacter);
        }
        failures
    }

    /// zxcvbn score (0–4) with the account's data as context words. Callers bound the input by
    /// `max_chars` first.
    pub fn score(&self, password: &str, context: &PasswordContext) -> u8 {
        let words: Vec<&str> = context.words().collect();
        u8::from(zxcvbn::zxcvbn(password, &words).score())
    }

    /// Checks a new password and its confirmation. "Same as current" needs the stored hash and
    /// is the service's to add.
    pub fn check(
        &self,
        password: &str,
        confirmation: &str,
        context: &PasswordContext,
    ) -> Result<NewPassword, Vec<PasswordRule>> {
        let password = normalize(password);
        let mut failures = self.structural_failures(&password);
        if failures.is_empty() && self.score(&password, context) < self.min_score {
            failures.push(PasswordRule::TooWeak);
        }
        if password != normalize(confirmation) {
            failures.push(PasswordRule::Mismatch);
        }
        if failures.is_empty() {
            Ok(NewPassword(Secret::new(password)))
        } else {
            Err(failures)
        }
    }
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LoginEmail;

    const STRONG: &str = "Vert7Citron4Galop9Sable2";

    fn ctx() -> PasswordContext {
        PasswordContext::new()
            .with("Lila")
            .with("Rosemonde")
            .with("20232330000101")
            .with_email(&LoginEmail::parse("lila.rosemonde@orange.fr").unwrap())
    }

    fn failures(p: &str) -> Vec<PasswordRule> {
        PasswordPolicy::default()
            .check(p, p, &ctx())
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn a_long_varied_password_passes() {
        assert!(
            PasswordPolicy::default()
                .check(STRONG, STRONG, &ctx())
                .is_ok()
        );
    }

    #[test]
    fn each_rule_has_its_own_code() {
        assert_eq!(failures("Abc123"), vec![PasswordRule::TooShort]);
        assert_eq!(
            failures(&format!("a1{}", "Zq".repeat(64))),
            vec![PasswordRule::TooLong]
        );
        assert_eq!(
            failures("12345678901234567890123"),
            vec![PasswordRule::MissingLetter]
        );
        assert_eq!(
            failures("abcdefghijklmnopqrstuvwxyz"),
            vec![PasswordRule::MissingDigit]
        );
        assert_eq!(
            failures("Vert7Citron4 Galop9Sable2"),
            vec![PasswordRule::ContainsWhitespace]
        );
        assert_eq!(
            failures("Vert7Citron4\u{200B}Galop9Sable2"),
            vec![PasswordRule::InvalidCharacter]
        );
        assert_eq!(
            failures("aaaaaaaaaaaaaaaaaaaa1"),
            vec![PasswordRule::TooWeak]
        );
        let err = PasswordPolicy::default()
            .check(STRONG, "other", &ctx())
            .unwrap_err();
        assert_eq!(err, vec![PasswordRule::Mismatch]);
    }

    #[test]
    fn the_accounts_own_data_makes_a_password_weak() {
        let own = "Rosemonde2023Rosemonde2023";
        assert!(
            PasswordPolicy::default()
                .check(own, own, &PasswordContext::new())
                .is_ok()
        );
        assert_eq!(failures(own), vec![PasswordRule::TooWeak]);
    }

    #[test]
    fn explanations_quote_the_policy_in_force() {
        let policy = PasswordPolicy {
            min_chars: 24,
            ..PasswordPolicy::default()
        };
        assert_eq!(
            PasswordRule::TooShort.explain_fr(&policy),
            "il doit compter au moins 24 caractères"
        );
        assert!(
            PasswordRule::explain_all_fr(&[PasswordRule::TooShort, PasswordRule::TooLong], &policy)
                .contains("au plus 128")
        );
    }

    #[test]
    fn an_accounts_context_holds_its_names_address_and_number() {
        let ctx =
            PasswordContext::for_account("Lila", "ROSEMONDE", "lila.r@orange.fr", "20232330000101");
        let words: Vec<&str> = ctx.words().collect();
        for w in ["lila", "rosemonde", "20232330000101"] {
            assert!(words.contains(&w), "{w} in {words:?}");
        }
        assert_eq!(
            failures("Rosemonde2023Rosemonde2023"),
            vec![PasswordRule::TooWeak]
        );
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let twenty = "éèçàôÉÈÇÀÔéèçàôÉÈÇ1x";
        assert_eq!(twenty.chars().count(), 20);
        assert!(
            !PasswordPolicy::default()
                .structural_failures(twenty)
                .contains(&PasswordRule::TooShort)
        );
    }

    #[test]
    fn composed_and_decomposed_forms_are_the_same_password() {
        let composed = "Vert7Citr\u{00F4}n4Galop9Sable2";
        let decomposed = "Vert7Citro\u{0302}n4Galop9Sable2";
        assert!(
            PasswordPolicy::default()
                .check(composed, decomposed, &ctx())
                .is_ok()
        );
    }
}
