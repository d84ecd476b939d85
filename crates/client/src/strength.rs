//! The live "Niveau de sécurité" meter: the service's own verdict, computed in the app. The same
//! rules (`PasswordPolicy` of the contract), the same context (the account's names, address and
//! subscriber number; in recovery, those the service sends with the question), the same text
//! (Unicode NFC, up to the policy's maximum length, as the service scores it). Levels and advice
//! in French and English.

use espace_pro_contract::password::normalize;
use espace_pro_contract::{PasswordContext, PasswordPolicy, PasswordRule};
use serde::Serialize;
use zxcvbn::feedback::{Suggestion, Warning};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleCheck {
    pub rule: &'static str,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Strength {
    /// 0 to 4.
    pub score: u8,
    pub level_fr: &'static str,
    pub level_en: &'static str,
    /// Whether the service's strength floor is reached.
    pub strong_enough: bool,
    pub warning_fr: Option<&'static str>,
    pub suggestions_fr: Vec<&'static str>,
    pub warning_en: Option<String>,
    pub suggestions_en: Vec<String>,
    /// The guide's rules, each met or not, for the checklist beside the field.
    pub rules: Vec<RuleCheck>,
}

pub const LEVELS_FR: [&str; 5] = ["Très faible", "Faible", "Moyen", "Fort", "Très fort"];
pub const LEVELS_EN: [&str; 5] = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];

fn warning_fr(w: Warning) -> &'static str {
    match w {
        Warning::StraightRowsOfKeysAreEasyToGuess => {
            "Les rangées de touches du clavier sont faciles à deviner."
        }
        Warning::ShortKeyboardPatternsAreEasyToGuess => {
            "Les petits motifs de clavier sont faciles à deviner."
        }
        Warning::RepeatsLikeAaaAreEasyToGuess => {
            "Les répétitions comme « aaa » sont faciles à deviner."
        }
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "Les répétitions comme « abcabc » sont à peine plus difficiles à deviner que « abc »."
        }
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword => "C'est un mot de passe très courant.",
        Warning::ThisIsSimilarToACommonlyUsedPassword => {
            "Il ressemble à un mot de passe très courant."
        }
        Warning::SequencesLikeAbcAreEasyToGuess => {
            "Les suites comme « abc » ou « 6543 » sont faciles à deviner."
        }
        Warning::RecentYearsAreEasyToGuess => "Les années récentes sont faciles à deviner.",
        Warning::AWordByItselfIsEasyToGuess => "Un mot seul est facile à deviner.",
        Warning::DatesAreOftenEasyToGuess => "Les dates sont souvent faciles à deviner.",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => {
            "Les noms et prénoms sont faciles à deviner, surtout les vôtres."
        }
    }
}

fn suggestion_fr(s: Suggestion) -> &'static str {
    match s {
        Suggestion::UseAFewWordsAvoidCommonPhrases => {
            "Assemblez plusieurs mots sans rapport entre eux ; évitez les expressions courantes."
        }
        Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => {
            "La longueur compte plus que les symboles ou les majuscules."
        }
        Suggestion::AddAnotherWordOrTwo => "Ajoutez un ou deux mots peu courants.",
        Suggestion::CapitalizationDoesntHelpVeryMuch => "Les majuscules n'aident pas beaucoup.",
        Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
            "Tout en majuscules n'est guère plus sûr que tout en minuscules."
        }
        Suggestion::ReversedWordsArentMuchHarderToGuess => {
            "Les mots à l'envers ne sont guère plus difficiles à deviner."
        }
        Suggestion::PredictableSubstitutionsDontHelpVeryMuch => {
            "Remplacer « a » par « @ » ou « o » par « 0 » n'aide guère."
        }
        Suggestion::UseALongerKeyboardPatternWithMoreTurns => "Évitez les motifs de clavier.",
        Suggestion::AvoidRepeatedWordsAndCharacters => "Évitez les mots et caractères répétés.",
        Suggestion::AvoidSequences => "Évitez les suites de caractères.",
        Suggestion::AvoidRecentYears => "Évitez les années récentes.",
        Suggestion::AvoidYearsThatAreAssociatedWithYou => "Évitez les années qui vous concernent.",
        Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => {
            "Évitez les dates et années qui vous concernent."
        }
    }
}

pub fn estimate(password: &str, context: &PasswordContext, policy: &PasswordPolicy) -> Strength {
    let failures = policy.structural_failures(password);
    let rules = [
        PasswordRule::TooShort,
        PasswordRule::TooLong,
        PasswordRule::MissingLetter,
        PasswordRule::MissingDigit,
        PasswordRule::ContainsWhitespace,
    ]
    .into_iter()
    .map(|r| RuleCheck {
        rule: r.code(),
        met: !failures.contains(&r),
    })
    .collect();
    if password.is_empty() {
        return Strength {
            score: 0,
            level_fr: LEVELS_FR[0],
            level_en: LEVELS_EN[0],
            strong_enough: false,
            warning_fr: None,
            suggestions_fr: vec![],
            warning_en: None,
            suggestions_en: vec![],
            rules,
        };
    }
    // Beyond the maximum the service refuses the password anyway (`too_long`); scoring its
    // beginning keeps a pasted novel from blocking a keystroke.
    let analysed: String = normalize(password).chars().take(policy.max_chars).collect();
    let words: Vec<&str> = context.words().collect();
    let entropy = zxcvbn::zxcvbn(&analysed, &words);
    let score = u8::from(entropy.score()).min(4);
    let feedback = entropy.feedback();
    Strength {
        score,
        level_fr: LEVELS_FR[usize::from(score)],
        level_en: LEVELS_EN[usize::from(score)],
        strong_enough: score >= policy.min_score,
        warning_fr: feedback.and_then(|f| f.warning()).map(warning_fr),
        suggestions_fr: feedback
            .map(|f| f.suggestions().iter().map(|s| suggestion_fr(*s)).collect())
            .unwrap_or_default(),
        warning_en: feedback.and_then(|f| f.warning()).map(|w| w.to_string()),
        suggestions_en: feedback
            .map(|f| f.suggestions().iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> PasswordContext {
        PasswordContext::new()
            .with("Lila")
            .with("Rosemonde")
            .with("20232330000101")
    }

    #[test]
    fn levels_rise_with_strength_and_own_data_counts_against() {
        let p = PasswordPolicy::default();
        assert_eq!(estimate("", &ctx(), &p).level_fr, "Très faible");
        assert!(estimate("motdepasse", &ctx(), &p).score <= 1);
        let strong = estimate("Vert7Citron4Galop9Sable2", &ctx(), &p);
        assert!(strong.score >= 3 && strong.strong_enough, "{strong:?}");
        assert!(estimate("Rosemonde20232330000101", &ctx(), &p).score < 3);
        let weak = estimate("azertyuiop", &ctx(), &p);
        assert!(weak.warning_fr.is_some() || !weak.suggestions_fr.is_empty());
    }

    #[test]
    fn the_checklist_follows_the_rules() {
        let s = estimate("abc", &ctx(), &PasswordPolicy::default());
        let met: Vec<(&str, bool)> = s.rules.iter().map(|r| (r.rule, r.met)).collect();
        assert_eq!(
            met,
            [
                ("too_short", false),
                ("too_long", true),
                ("missing_letter", true),
                ("missing_digit", false),
                ("contains_whitespace", true)
            ]
        );
    }

    #[test]
    fn the_meter_accepts_exactly_what_the_service_accepts() {
        let p = PasswordPolicy::default();
        let long_tail = format!("Vert7Citron4Galop9Sable2{}", "rosemonde".repeat(6));
        for password in [
            "Vert7Citron4Galop9Sable2",
            "Rosemonde20232330000101",
            "lila.rosemonde@example.fr2023",
            "Rosemonde-Lila-2023-Rosemonde",
            "aaaaaaaaaaaaaaaaaaaaaaaaa1",
            "Cafe\u{301}Noir7Tulipe3Granit8Ve\u{301}lo",
            long_tail.as_str(),
            &"Zq8!".repeat(32),
        ] {
            let s = estimate(password, &ctx(), &p);
            let meter_accepts = s.strong_enough && s.rules.iter().all(|r| r.met);
            let service_accepts = p.check(password, password, &ctx()).is_ok();
            assert_eq!(meter_accepts, service_accepts, "{password}: {s:?}");
            assert_eq!(s.score, p.score(&normalize(password), &ctx()), "{password}");
        }
    }

    /// Logged out (recovery), the meter knows the account only through the words the service
    /// sends with the question: without them, a password made of the user's names looks strong.
    #[test]
    fn the_context_changes_the_verdict() {
        let p = PasswordPolicy::default();
        let password = "Quimperle20232370000001";
        let none = estimate(password, &PasswordContext::new(), &p);
        let own = PasswordContext::for_account(
            "Gwendoline",
            "QUIMPERLE",
            "g.quimperle@example.fr",
            "20232370000001",
        );
        let words: Vec<String> = own.words().map(str::to_owned).collect();
        let sent = PasswordContext::from_words(words);
        let with = estimate(password, &sent, &p);
        assert!(none.strong_enough, "{none:?}");
        assert!(!with.strong_enough, "{with:?}");
        assert_eq!(with.score, estimate(password, &own, &p).score);
    }

    #[test]
    fn advice_in_both_languages() {
        let s = estimate("azertyuiop", &ctx(), &PasswordPolicy::default());
        assert!(
            s.warning_en.is_some() || !s.suggestions_en.is_empty(),
            "{s:?}"
        );
        assert_eq!(s.warning_en.is_some(), s.warning_fr.is_some());
        assert_eq!(s.suggestions_en.len(), s.suggestions_fr.len());
    }

    #[test]
    fn very_long_input_is_bounded() {
        let long = "a".repeat(100_000);
        let s = estimate(&long, &ctx(), &PasswordPolicy::default());
        assert!(s.score <= 1, "{s:?}");
    }
}
