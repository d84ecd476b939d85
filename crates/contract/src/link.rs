//! The links the e-mails carry besides their code (`espace-pro://activation?code=…`,
//! `espace-pro://recovery?code=…`): opening one starts the app at that procedure with the code
//! filled in. Anything else is refused whole: a link is data from outside.

use crate::ActivationCode;

pub const SCHEME: &str = "espace-pro";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Activation(ActivationCode),
    Recovery(ActivationCode),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an Espace Pro link")]
pub struct ForeignLink;

impl Link {
    /// `espace-pro://activation?code=ABCDEFGHIJKL` (or `recovery`), exactly: one `code`
    /// parameter of 12 letters, nothing else, at most 200 characters.
    pub fn parse(raw: &str) -> Result<Self, ForeignLink> {
        if raw.len() > 200 {
            return Err(ForeignLink);
        }
        let rest = raw
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix("://"))
            .ok_or(ForeignLink)?;
        let (target, query) = rest.split_once('?').ok_or(ForeignLink)?;
        let target = target.strip_suffix('/').unwrap_or(target);
        let value = query.strip_prefix("code=").ok_or(ForeignLink)?;
        if value.contains(['&', '#', '%', '=']) {
            return Err(ForeignLink);
        }
        let code = ActivationCode::parse(value).map_err(|_| ForeignLink)?;
        if value.len() != code.expose().len() {
            return Err(ForeignLink);
        }
        match target {
            "activation" => Ok(Link::Activation(code)),
            "recovery" => Ok(Link::Recovery(code)),
            _ => Err(ForeignLink),
        }
    }

    pub fn activation(code: &str) -> String {
        format!("{SCHEME}://activation?code={code}")
    }

    pub fn recovery(code: &str) -> String {
        format!("{SCHEME}://recovery?code={code}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_two_links_with_a_well_formed_code() {
        let code = "mHPstewGkBYj";
        assert!(matches!(
            Link::parse(&Link::activation(code)),
            Ok(Link::Activation(c)) if c.expose() == code
        ));
        assert!(matches!(
            Link::parse(&Link::recovery(code)),
            Ok(Link::Recovery(c)) if c.expose() == code
        ));
        assert!(Link::parse("espace-pro://activation/?code=mHPstewGkBYj").is_ok());
        for bad in [
            "",
            "espace-pro://activation",
            "espace-pro://activation?code=",
            "espace-pro://activation?code=short",
            "espace-pro://activation?code=mHPstewGkBY1",
            "espace-pro://activation?code=mHPstewGkBYj&next=x",
            "espace-pro://activation?code=mHPstewGkBYj#x",
            "espace-pro://activation?code=%20HPstewGkBYj",
            "espace-pro://activation?code= mHPstewGkBYj",
            "espace-pro://activation?x=1&code=mHPstewGkBYj",
            "espace-pro://login?code=mHPstewGkBYj",
            "espace-pro://evil.example/activation?code=mHPstewGkBYj",
            "https://activation?code=mHPstewGkBYj",
            "espace-pro:activation?code=mHPstewGkBYj",
            "ESPACE-PRO://activation?code=mHPstewGkBYj",
        ] {
            assert_eq!(Link::parse(bad), Err(ForeignLink), "{bad}");
        }
        assert_eq!(Link::parse(&"a".repeat(10_000)), Err(ForeignLink));
    }
}
