//! CAPTCHAs: drawn as an image and read aloud in French (`audio`), single use, short-lived,
//! answer stored as a keyed hash. Each code attempt (activation or recovery) needs a fresh one.

pub mod audio;

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use espace_pro_contract::api::Captcha;
use espace_pro_contract::code::CAPTCHA_LENGTH;
use rand::{RngCore, SeedableRng};
use time::Duration;

use crate::errors::{CodeError, Fault};
use crate::kinds::CAPTCHA_HASH_DOMAIN;
use crate::services::Services;
use crate::store::{StoreError, ts};
use crate::throttle::client_subject;

pub const CAPTCHA_VALIDITY: Duration = Duration::minutes(10);

fn normalize(answer: &str) -> String {
    answer.trim().to_lowercase()
}

/// The stored form of an answer.
pub fn answer_hash(svc: &Services, answer: &str) -> String {
    svc.key.code_hash(CAPTCHA_HASH_DOMAIN, &normalize(answer))
}

/// Draws a CAPTCHA: its answer, a PNG, and a WAV saying the letters in French.
fn draw() -> Result<(String, Vec<u8>, Vec<u8>), String> {
    use captcha::filters::{Dots, Noise, Wave};
    let mut c = captcha::Captcha::new();
    c.set_chars(&audio::alphabet())
        .add_chars(CAPTCHA_LENGTH as u32)
        .apply_filter(Noise::new(0.15))
        .apply_filter(Wave::new(2.0, 12.0))
        .view(240, 96)
        .apply_filter(Dots::new(6));
    let answer = c.chars_as_string();
    let png = c.as_png().ok_or("the CAPTCHA image could not be encoded")?;
    let mut rng = rand::rngs::StdRng::from_entropy();
    let wav = audio::wav(&audio::render(&answer, &mut rng))?;
    Ok((answer, png, wav))
}

/// A new CAPTCHA, limited per client address.
pub async fn create(svc: &Services, client: IpAddr) -> Result<Captcha, CodeError> {
    let subject = format!("captcha:{}", client_subject(client));
    let t = &svc.config.throttle;
    let counted =
        crate::codes::take_window(svc, &subject, t.captchas_per_window, t.client_window).await?;
    svc.throttle.keep(counted).await?;
    let (answer, png, wav) = tokio::task::spawn_blocking(draw)
        .await
        .map_err(|e| Fault::Task(e.to_string()))?
        .map_err(Fault::Task)?;
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let id = hex::encode(id);
    let expires_at = svc.now() + CAPTCHA_VALIDITY;
    svc.store
        .insert_captcha(&id, &answer_hash(svc, &answer), ts(expires_at))
        .await?;
    Ok(Captcha {
        id,
        image_png: STANDARD.encode(png),
        audio_wav: STANDARD.encode(wav),
        length: CAPTCHA_LENGTH,
        expires_at,
    })
}

/// Consumes the CAPTCHA (single use, whatever the answer) and says whether it was solved.
pub async fn solve(svc: &Services, id: &str, answer: &str) -> Result<bool, StoreError> {
    use espace_pro_contract::api::CAPTCHA_FIELD_MAX_CHARS as MAX;
    if id.is_empty() || id.len() > MAX || answer.len() > MAX {
        return Ok(false);
    }
    let Some(row) = svc.store.take_captcha(id).await? else {
        return Ok(false);
    };
    if row.expires_at <= ts(svc.now()) {
        return Ok(false);
    }
    if svc
        .config
        .captcha_test_answer()
        .is_some_and(|test| normalize(test) == normalize(answer))
    {
        return Ok(true);
    }
    Ok(answer_hash(svc, answer) == row.answer_hash)
}
