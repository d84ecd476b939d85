//! The relay's address, read once with the `url` crate:
//! `smtp[s]://[user[:password]@]host[:port][?tls=required]`. The command line refuses a password
//! written in it (`cli::serve::smtp_url`, which adds the one from a file or the environment);
//! the password is never printed, `Debug` included.

use std::net::IpAddr;

/// How the connection to the relay is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: a relay on this machine (the command line refuses it for any other host).
    Plain,
    /// `smtp://…?tls=required`: STARTTLS, required.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
}

#[derive(Clone, PartialEq, Eq)]
pub struct RelayAddress {
    pub security: Security,
    /// A name or an IP address (IPv6 without its brackets).
    pub host: String,
    pub port: u16,
    /// Percent-decoded.
    pub user: Option<String>,
    password: Option<String>,
}

impl std::fmt::Debug for RelayAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayAddress")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

impl std::str::FromStr for RelayAddress {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw.trim()).map_err(|e| format!("not a URL ({e})"))?;
        let mut security = match url.scheme() {
            "smtps" => Security::Tls,
            "smtp" => Security::Plain,
            other => return Err(format!("unknown scheme {other}:// (smtps:// or smtp://)")),
        };
        for (name, value) in url.query_pairs() {
            match (&*name, &*value, security) {
                ("tls", "required", Security::Plain) => security = Security::StartTls,
                ("tls", "required", _) => {}
                _ => return Err(format!("unknown option {name}={value} (only tls=required)")),
            }
        }
        if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
            return Err("a path after the relay's host".into());
        }
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Domain(name)) if !name.is_empty() => decode(name)?,
            _ => return Err("no host".into()),
        };
        let port = url.port().unwrap_or(match security {
            Security::Tls => 465,
            Security::StartTls => 587,
            Security::Plain => 25,
        });
        let user = Some(url.username())
            .filter(|u| !u.is_empty())
            .map(decode)
            .transpose()?;
        let password = url.password().map(decode).transpose()?;
        Ok(Self {
            security,
            host,
            port,
            user,
            password,
        })
    }
}

impl RelayAddress {
    /// A relay on this machine's loopback, in clear (tests, a local MTA).
    pub fn loopback(port: u16) -> Self {
        Self {
            security: Security::Plain,
            host: "127.0.0.1".into(),
            port,
            user: None,
            password: None,
        }
    }

    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    pub fn with_password(self, password: Option<String>) -> Self {
        Self { password, ..self }
    }

    /// `localhost` or a loopback address: the only relay `smtp://` in clear may go to.
    pub fn is_loopback(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// `host:port`, IPv6 in brackets, for messages.
    pub fn host_port(&self) -> String {
        match self.host.parse::<IpAddr>() {
            Ok(IpAddr::V6(ip)) => format!("[{ip}]:{}", self.port),
            _ => format!("{}:{}", self.host, self.port),
        }
    }
}

/// Percent-decoding that refuses a broken escape or bytes that are not UTF-8.
fn decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("a broken %-escape in the relay's URL")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the relay's URL is not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<RelayAddress, String> {
        s.parse()
    }

    #[test]
    fn reads_the_relay_url_as_the_command_line_gives_it() {
        let r = parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(r, RelayAddress::loopback(2525));
        assert!(r.is_loopback());
        let r = parse("smtp://relay.example.fr?tls=required").unwrap();
        assert_eq!((r.port, r.security), (587, Security::StartTls));
        assert!(!r.is_loopback());
        let r = parse("smtps://alerte%40pro:p%25%3Aw@[::1]:4650").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.security),
            ("::1", 4650, Security::Tls)
        );
        assert_eq!(r.user.as_deref(), Some("alerte@pro"));
        assert_eq!(r.password(), Some("p%:w"));
        assert_eq!(r.host_port(), "[::1]:4650");
        assert!(r.is_loopback());
        assert_eq!(parse("smtps://relay.example.fr").unwrap().port, 465);
        assert!(parse("smtp://localhost").unwrap().is_loopback());
        for bad in [
            "ftp://relay.example.fr",
            "smtp://h:%zz@relay:25",
            "smtp://relay.example.fr:99999",
            "smtp://relay.example.fr?tls=maybe",
            "smtp://relay.example.fr/boite",
            "smtp://",
            "relay.example.fr:25",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_password_is_never_printed() {
        let r = parse("smtps://u:tres-secret@relay.example.fr").unwrap();
        assert!(!format!("{r:?}").contains("tres-secret"));
        assert_eq!(r.password(), Some("tres-secret"));
    }
}
