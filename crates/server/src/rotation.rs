//! `espace-pro-server rotate-key`: a new master key, with every service stopped.
//!
//! What the key protects and what becomes of it:
//! - security answers (sealed): opened with the old key, sealed with the new one;
//! - pending activation and recovery codes, CAPTCHAs, throttling subjects (keyed hashes, which
//!   cannot be re-keyed without what was hashed): ended or deleted; holders ask again.
//!
//! Crash-safe in three steps, each of which may be repeated:
//! 1. the new key is written to `<key file>.next` (or, after an interruption, read from it);
//! 2. one database transaction re-seals every answer (an answer that the old key does not open
//!    but the new one does was re-sealed by an interrupted run) and forgets the keyed state;
//! 3. `<key file>.next` is renamed over the key file: the old key is gone.
//!
//! While `<key file>.next` exists the service refuses to start (`MasterKey::load_or_create`): a
//! crash between 2 and 3 cannot leave it running with a key the database no longer matches.

use std::path::Path;

use crate::crypto::MasterKey;
use crate::store::{Forgotten, Guard, Store, StoreError};

#[derive(Debug, Clone, Copy)]
pub struct Rotation {
    pub answers: usize,
    pub forgotten: Forgotten,
}

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error(transparent)]
    Key(#[from] crate::crypto::KeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the security answer of account {0} opens with neither the old key nor the new one: nothing was changed"
    )]
    Unreadable(i64),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The whole rotation (steps 1 to 3).
pub async fn rotate_key(
    store: &Store,
    key_file: &Path,
    now: i64,
) -> Result<Rotation, RotationError> {
    let done = reseal(store, key_file, now).await?;
    finish(key_file)?;
    Ok(done)
}

/// Steps 1 and 2: after this the database uses the new key, which is still in
/// `<key file>.next`.
pub async fn reseal(store: &Store, key_file: &Path, now: i64) -> Result<Rotation, RotationError> {
    let old = MasterKey::load(key_file)?;
    let next_path = MasterKey::next_path(key_file);
    let new = if next_path.exists() {
        MasterKey::load(&next_path)?
    } else {
        MasterKey::create(&next_path)?
    };
    let mut tx = store.begin_write(&[Guard::Everything]).await?;
    let sealed = Store::sealed_answers(&mut tx).await?;
    for (id, context, seal) in &sealed {
        let answer = old
            .open(context, seal)
            .or_else(|_| new.open(context, seal))
            .map_err(|_| RotationError::Unreadable(*id))?;
        Store::reseal_answer(&mut tx, *id, &new.seal(context, &answer)).await?;
    }
    // The second factors' secrets (in use or being enrolled), bound to `totp:` and the
    // subscriber number.
    for (id, number, secret, pending) in Store::sealed_second_factors(&mut tx).await? {
        let context = format!("totp:{number}");
        let reseal = |seal: Option<Vec<u8>>| -> Result<Option<Vec<u8>>, RotationError> {
            seal.map(|seal| {
                old.open(&context, &seal)
                    .or_else(|_| new.open(&context, &seal))
                    .map(|text| new.seal(&context, &text))
                    .map_err(|_| RotationError::Unreadable(id))
            })
            .transpose()
        };
        let (secret, pending) = (reseal(secret)?, reseal(pending)?);
        Store::reseal_second_factor(&mut tx, id, secret.as_deref(), pending.as_deref()).await?;
    }
    let forgotten = Store::forget_keyed(&mut tx, now).await?;
    Store::set_key_fingerprint(&mut tx, &new.fingerprint()).await?;
    store.commit(tx).await?;
    Ok(Rotation {
        answers: sealed.len(),
        forgotten,
    })
}

/// Step 3: the new key replaces the old one.
pub fn finish(key_file: &Path) -> Result<(), RotationError> {
    let next = MasterKey::next_path(key_file);
    let io = |source| RotationError::Io {
        path: next.display().to_string(),
        source,
    };
    std::fs::rename(&next, key_file).map_err(io)?;
    crate::files::sync_dir_of(key_file).map_err(io)
}
