//! Just enough MIME to read single-part text messages (the demo mailbox, and tests): header unfolding, RFC 2047 encoded words,
//! quoted-printable and base64 bodies.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub raw: String,
    pub headers: Vec<(String, String)>,
    pub subject: String,
    pub body: String,
}

impl ReceivedMail {
    pub fn parse(envelope_from: String, envelope_to: Vec<String>, raw: String) -> Self {
        let (head, body) = raw
            .split_once("\r\n\r\n")
            .or_else(|| raw.split_once("\n\n"))
            .unwrap_or((raw.as_str(), ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let subject = decode_words(&header("Subject"));
        let encoding = header("Content-Transfer-Encoding").to_ascii_lowercase();
        let body = match encoding.as_str() {
            "base64" => String::from_utf8_lossy(
                &STANDARD
                    .decode(body.split_whitespace().collect::<String>())
                    .unwrap_or_default(),
            )
            .into_owned(),
            "quoted-printable" => decode_quoted_printable(body),
            _ => body.to_owned(),
        }
        .replace("\r\n", "\n");
        Self {
            envelope_from,
            envelope_to,
            raw,
            headers,
            subject,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn decode_quoted_printable(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 2 < bytes.len() && text.is_char_boundary(i + 3) => {
                match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); whitespace between two
/// encoded words is dropped, as the RFC says.
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, after) = rest.split_at(start);
        let decoded = after[2..].split_once('?').and_then(|(_charset, r)| {
            let (enc, r) = r.split_once('?')?;
            let (payload, tail) = r.split_once("?=")?;
            let text = match enc.to_ascii_lowercase().as_str() {
                "b" => String::from_utf8_lossy(&STANDARD.decode(payload).ok()?).into_owned(),
                "q" => decode_quoted_printable(&payload.replace('_', " ")),
                _ => return None,
            };
            Some((text, tail))
        });
        match decoded {
            Some((text, tail)) => {
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = tail;
                last_was_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = &after[2..];
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_subjects_and_bodies() {
        assert_eq!(
            decode_words("=?utf-8?b?Q3LDqWF0aW9u?= ou modification"),
            "Création ou modification"
        );
        assert_eq!(
            decode_words("=?utf-8?q?Cr=C3=A9ation?= =?utf-8?q?_ou?="),
            "Création ou"
        );
        assert_eq!(decode_quoted_printable("ao=C3=BBt=\r\n 2026"), "août 2026");
        let m = ReceivedMail::parse(
            "a@b.fr".into(),
            vec!["c@d.fr".into()],
            "Subject: Hi\r\nContent-Transfer-Encoding: base64\r\n\r\nYW/Du3Q=\r\n".into(),
        );
        assert_eq!(m.body, "août");
        assert_eq!(m.subject, "Hi");
    }
}
