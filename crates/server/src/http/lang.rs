//! The language of the answers: French unless the client's `Accept-Language` prefers English.
//! Only error messages depend on it (codes, fields and data do not); the choice holds for the
//! whole request through a task-local, so that every error built while serving it, including
//! those of extractors and layers, speaks the client's language.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

tokio::task_local! {
    static LANG: Lang;
}

/// The language of the request being served (French outside of one).
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or(Lang::Fr)
}

/// The preferred of French and English in an `Accept-Language` value (RFC 9110 §12.5.4):
/// the highest quality wins, the first listed on a tie; anything else, or nothing, is French.
pub fn negotiate(accept: &str) -> Lang {
    let mut best: Option<(Lang, u16)> = None;
    for item in accept.split(',').take(32) {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let primary = tag.split('-').next().unwrap_or("");
        let lang = if primary.eq_ignore_ascii_case("fr") {
            Lang::Fr
        } else if primary.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            continue;
        };
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1000, quality);
        if quality > 0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((lang, quality));
        }
    }
    best.map_or(Lang::Fr, |(lang, _)| lang)
}

/// "0.8" → 800; anything malformed counts as 0 (not acceptable).
fn quality(q: &str) -> u16 {
    let q = q.trim();
    match q.split_once('.') {
        None => q
            .parse::<u16>()
            .map_or(0, |v| if v == 1 { 1000 } else { 0 }),
        Some((whole, frac)) if frac.len() <= 3 && frac.bytes().all(|b| b.is_ascii_digit()) => {
            let frac_value = format!("{frac:0<3}").parse::<u16>().unwrap_or(0);
            match whole {
                "0" => frac_value,
                "1" if frac_value == 0 => 1000,
                _ => 0,
            }
        }
        Some(_) => 0,
    }
}

/// The language `req` asks for.
pub fn of(req: &Request) -> Lang {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Fr, negotiate)
}

/// Runs `serving` in `lang`: every error built meanwhile speaks it.
pub async fn serve_in<T>(lang: Lang, serving: impl std::future::Future<Output = T>) -> T {
    LANG.scope(lang, serving).await
}

/// Says in the answer's `Content-Language` which language it speaks.
pub fn label(headers: &mut HeaderMap, lang: Lang) {
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(match lang {
            Lang::Fr => "fr",
            Lang::En => "en",
        }),
    );
    headers.append(header::VARY, HeaderValue::from_static("accept-language"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_only_when_preferred() {
        assert_eq!(negotiate(""), Lang::Fr);
        assert_eq!(negotiate("en"), Lang::En);
        assert_eq!(negotiate("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(negotiate("fr-FR,fr;q=0.9,en;q=0.8"), Lang::Fr);
        assert_eq!(negotiate("de, en;q=0.5, fr;q=0.4"), Lang::En);
        assert_eq!(negotiate("fr;q=0.4, EN;q=0.5"), Lang::En);
        assert_eq!(negotiate("en;q=0, fr;q=0.1"), Lang::Fr);
        assert_eq!(negotiate("en;q=0"), Lang::Fr);
        assert_eq!(negotiate("de, es"), Lang::Fr);
        assert_eq!(negotiate("en;q=2"), Lang::Fr);
        assert_eq!(negotiate("en;q=1.000"), Lang::En);
        assert_eq!(negotiate("en;q=abc"), Lang::Fr);
        assert_eq!(negotiate("*"), Lang::Fr);
    }
}
