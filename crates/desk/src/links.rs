//! Links from the e-mails (`espace-pro://activation?code=…`, `espace-pro://recovery?code=…`):
//! given as an argument when the system starts the app for one, or forwarded by a second start
//! to the running app (the single-instance plugin). The link waits here until the window asks
//! for it (`take_link`); a malformed or foreign one is kept as "refused", to be said so.

use espace_pro_contract::link::{Link, SCHEME};
use serde::Serialize;

/// What the window is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Opened {
    Activation {
        code: String,
    },
    Recovery {
        code: String,
    },
    /// Something that claimed to be ours and is not: nothing changes.
    Refused,
}

/// The link among a process's arguments, if one claims our scheme.
pub fn from_args(args: &[String]) -> Option<Opened> {
    let prefix = format!("{SCHEME}:");
    let raw = args.iter().find(|a| {
        a.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(&prefix))
    })?;
    Some(match Link::parse(raw) {
        Ok(Link::Activation(code)) => Opened::Activation {
            code: code.expose().to_owned(),
        },
        Ok(Link::Recovery(code)) => Opened::Recovery {
            code: code.expose().to_owned(),
        },
        Err(_) => Opened::Refused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_link_among_the_arguments() {
        assert_eq!(from_args(&args(&["/usr/bin/espace-pro"])), None);
        assert_eq!(
            from_args(&args(&[
                "espace-pro",
                "espace-pro://activation?code=mHPstewGkBYj"
            ])),
            Some(Opened::Activation {
                code: "mHPstewGkBYj".into()
            })
        );
        assert_eq!(
            from_args(&args(&["espace-pro://recovery?code=mHPstewGkBYj"])),
            Some(Opened::Recovery {
                code: "mHPstewGkBYj".into()
            })
        );
        for bad in [
            "espace-pro://activation?code=nope",
            "espace-pro://activation?code=mHPstewGkBYj&then=x",
            "ESPACE-PRO://delete-everything",
            "espace-pro:",
        ] {
            assert_eq!(
                from_args(&args(&["espace-pro", bad])),
                Some(Opened::Refused),
                "{bad}"
            );
        }
    }
}
