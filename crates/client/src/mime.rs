//! A received message read with a MIME library (`mail-parser`): its headers as written, its
//! subject and its text body decoded (RFC 2047 encoded words, quoted-printable, base64, any
//! charset). For the demo mailbox and the tests' SMTP listener.

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub raw: String,
    /// Each header's name and value as written (unfolded, not decoded).
    pub headers: Vec<(String, String)>,
    pub subject: String,
    pub body: String,
}

impl ReceivedMail {
    pub fn parse(envelope_from: String, envelope_to: Vec<String>, raw: String) -> Self {
        let (headers, subject, body) =
            match mail_parser::MessageParser::default().parse(raw.as_bytes()) {
                Some(message) => {
                    let headers = message
                        .headers()
                        .iter()
                        .map(|h| {
                            let value = raw
                                .as_bytes()
                                .get(h.offset_start as usize..h.offset_end as usize)
                                .map(String::from_utf8_lossy)
                                .unwrap_or_default();
                            (h.name.as_str().to_owned(), unfold(&value))
                        })
                        .collect();
                    let subject = message.subject().unwrap_or_default().to_owned();
                    let body = message
                        .body_text(0)
                        .map(|b| b.replace("\r\n", "\n"))
                        .unwrap_or_default();
                    (headers, subject, body)
                }
                None => (Vec::new(), String::new(), String::new()),
            };
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

/// A header's value on one line, as it was before folding.
fn unfold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_subjects_and_bodies() {
        let m = ReceivedMail::parse(
            "a@b.fr".into(),
            vec!["c@d.fr".into()],
            "Subject: =?utf-8?b?Q3LDqWF0aW9u?= ou\r\n modification\r\nDate: Tue, 1 Dec 2026 10:00:00\r\n +0000\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nao=C3=BBt=\r\n 2026\r\n".into(),
        );
        assert_eq!(m.subject, "Création ou modification");
        assert_eq!(m.body.trim_end(), "août 2026");
        assert_eq!(m.header("date"), Some("Tue, 1 Dec 2026 10:00:00 +0000"));
        let m = ReceivedMail::parse(
            "a@b.fr".into(),
            vec!["c@d.fr".into()],
            "Subject: =?utf-8?q?Cr=C3=A9ation?= =?utf-8?q?_ou?=\r\nContent-Transfer-Encoding: base64\r\n\r\nYW/Du3Q=\r\n".into(),
        );
        assert_eq!(m.body, "août");
        assert_eq!(m.subject, "Création ou");
    }
}
