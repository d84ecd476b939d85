//! The master key: keyed hashes of one-time codes and sealed security answers, from one key
//! file.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::Sha256;

/// The service's master key. Keys derived from it seal security answers and hash one-time codes,
/// so a copy of the database alone reveals neither.
#[derive(Clone)]
pub struct MasterKey {
    answer_key: [u8; 32],
    code_key: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("key file {0} must hold exactly 32 bytes")]
    Length(String),
    #[error("key file {0} may be read by others: make it private (chmod 600) or replace it")]
    Exposed(String),
    #[error("sealed value could not be opened (wrong key or altered data)")]
    Open,
    #[error(
        "a master key rotation was interrupted ({0} exists): run `espace-pro-server rotate-key` again to finish it"
    )]
    RotationUnfinished(String),
}

impl MasterKey {
    /// Reads the key file, or creates it (permissions 0600) with 32 random bytes. Refuses to
    /// start beside an interrupted rotation (see [`MasterKey::next_path`]).
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let next = Self::next_path(path);
        if next.exists() {
            return Err(KeyError::RotationUnfinished(next.display().to_string()));
        }
        match Self::load(path) {
            Err(KeyError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                Self::create(path)
            }
            other => other,
        }
    }

    /// Reads an existing key file (private, 32 bytes).
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        let bytes = std::fs::read(path).map_err(io)?;
        if crate::files::readable_by_others(path).map_err(io)? {
            return Err(KeyError::Exposed(path.display().to_string()));
        }
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::Length(path.display().to_string()))?;
        Ok(Self::from_bytes(&key))
    }

    /// Writes a new random key to `path`, which must not exist (0600, on disk before it returns).
    pub fn create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent() {
            crate::files::private_dir(parent).map_err(io)?;
        }
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        let mut file = crate::files::private_file()
            .create_new(true)
            .open(path)
            .map_err(io)?;
        file.write_all(&key).map_err(io)?;
        file.sync_all().map_err(io)?;
        crate::files::sync_dir_of(path).map_err(io)?;
        Ok(Self::from_bytes(&key))
    }

    /// Where a rotation keeps the new key until the database uses it (`<key file>.next`).
    pub fn next_path(path: &Path) -> std::path::PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".next");
        name.into()
    }

    pub fn from_bytes(master: &[u8; 32]) -> Self {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac =
                <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        Self {
            answer_key: derive(b"espace-pro/security-answer/v1"),
            code_key: derive(b"espace-pro/one-time-code/v1"),
        }
    }

    /// Keyed hash of a one-time code (activation, recovery, CAPTCHA answer), hex.
    /// Which key this is, for comparing with the database's record: a keyed hash of a fixed
    /// text, which tells nothing of the key.
    pub fn fingerprint(&self) -> String {
        self.code_hash("key-fingerprint", "espace-pro")
    }

    pub fn code_hash(&self, purpose: &str, code: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.code_key)
            .expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Seals `plaintext` bound to `context` (the account's subscriber number): nonce ‖ ciphertext.
    pub fn seal(&self, context: &str, plaintext: &str) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new((&self.answer_key).into());
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory data");
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<String, KeyError> {
        if sealed.len() < 24 {
            return Err(KeyError::Open);
        }
        let (nonce, ciphertext) = sealed.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.answer_key).into());
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| KeyError::Open)?;
        String::from_utf8(plain).map_err(|_| KeyError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k").join("master.key");
        let k1 = MasterKey::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let k2 = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(
            k1.code_hash("activation", "mHPstewGkBYj"),
            k2.code_hash("activation", "mHPstewGkBYj")
        );
        let sealed = k1.seal("20232330000101", "Paul");
        assert_eq!(k2.open("20232330000101", &sealed).unwrap(), "Paul");
        assert!(k2.open("20232330000102", &sealed).is_err());
        std::fs::write(&path, b"short").unwrap();
        assert!(MasterKey::load_or_create(&path).is_err());
    }
}
