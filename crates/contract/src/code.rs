//! One-time codes: 12 letters, mixed case, as the guide's `mHPstewGkBYj`.

use std::fmt;

pub const CODE_LENGTH: usize = 12;
/// The activation code's life, from the guide: 48 hours.
pub const ACTIVATION_VALIDITY_HOURS: u32 = 48;
/// The recovery code's life.
pub const RECOVERY_VALIDITY_MINUTES: u32 = 60;
/// Characters of a CAPTCHA.
pub const CAPTCHA_LENGTH: usize = 6;

/// A code of the right shape (not yet known to be valid). Surrounding spaces are ignored; case
/// matters.
#[derive(Clone, PartialEq, Eq)]
pub struct ActivationCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("un code d'activation compte 12 lettres")]
pub struct CodeFormatError;

impl ActivationCode {
    pub fn parse(raw: &str) -> Result<Self, CodeFormatError> {
        let code = raw.trim();
        if code.len() == CODE_LENGTH && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(CodeFormatError)
        }
    }

    /// A fresh code from the given random source (the service passes the OS CSPRNG). Uniform over
    /// the 52 letters: 12 letters carry 68 bits.
    pub fn generate(mut random_byte: impl FnMut() -> u8) -> Self {
        const LETTERS: &[u8; 52] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut code = String::with_capacity(CODE_LENGTH);
        while code.len() < CODE_LENGTH {
            // Rejection sampling: 208 = 4 × 52, so bytes 208..=255 would bias the draw.
            let b = random_byte();
            if b < 208 {
                code.push(LETTERS[usize::from(b % 52)] as char);
            }
        }
        Self(code)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ActivationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ActivationCode(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_guides_example() {
        assert_eq!(
            ActivationCode::parse(" mHPstewGkBYj ").unwrap().expose(),
            "mHPstewGkBYj"
        );
        for bad in [
            "mHPstewGkBY",
            "mHPstewGkBYjj",
            "mHPstewGkBY1",
            "mHPstewGkBY ",
            "mHPstéwGkBY",
            "",
        ] {
            assert!(ActivationCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_codes_use_both_cases_and_reject_biased_bytes() {
        let mut bytes = [255u8, 0, 26, 51, 207, 208, 1, 2, 3, 4, 5, 6, 7, 8, 9]
            .into_iter()
            .cycle();
        let code = ActivationCode::generate(|| bytes.next().unwrap());
        assert_eq!(code.expose(), "AazzBCDEFGHI");
        assert!(ActivationCode::parse(code.expose()).is_ok());
        assert!(!format!("{code:?}").contains("Aaz"));
    }
}
