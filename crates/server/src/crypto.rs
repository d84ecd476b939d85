//! Secrets at rest: session tokens (stored as SHA-256), passwords (Argon2id), keyed hashes of
//! one-time codes and sealed security answers (both from one master key file).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::config::Argon2Config;

/// A fresh session token (256 random bits, base64url) and the hash that is stored.
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Argon2id hashing on the blocking pool, at most `concurrency` at a time, with a dummy hash so an
/// unknown address costs what a known one does.
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Arc<Argon2<'static>>,
    permits: Arc<Semaphore>,
    dummy_hash: Arc<str>,
    memory: Arc<Memory>,
    /// Hashes computed at once: as many working memories are kept.
    slots: usize,
    /// How many wait for a slot, and how long (metrics).
    queue: crate::metrics::HashQueue,
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("invalid Argon2 parameters: {0}")]
    Params(String),
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error("hashing task ended abnormally")]
    Join,
}

/// Argon2's working memory (19 MiB at OWASP's setting), one buffer per hashing slot, kept and
/// reused: allocated and freed at every hash, those blocks end up spread over the allocator's
/// per-thread arenas and the process keeps hundreds of MiB it no longer uses.
struct Memory {
    free: std::sync::Mutex<Vec<Vec<Block>>>,
    /// Buffers allocated since the start (as many as slots, unless the cost changed).
    allocated: std::sync::atomic::AtomicUsize,
    /// Buffers are freed after each hash and the allocator asked to give the pages back.
    release: std::sync::atomic::AtomicBool,
}

impl Memory {
    /// A buffer of `blocks` blocks: a kept one when it fits, else a new one.
    fn take(&self, blocks: usize) -> Vec<Block> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        match free.iter().position(|b| b.len() == blocks) {
            Some(at) => free.swap_remove(at),
            None => {
                self.allocated
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                vec![Block::default(); blocks]
            }
        }
    }

    fn give_back(&self, buffer: Vec<Block>, slots: usize) {
        if self.release.load(std::sync::atomic::Ordering::Relaxed) {
            drop(buffer);
            return_freed_memory();
            return;
        }
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if free.len() < slots {
            free.push(buffer);
        }
    }

    /// From now on, nothing is kept: what is kept now is freed.
    fn release_all(&self) {
        self.release
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let kept = std::mem::take(&mut *self.free.lock().unwrap_or_else(|e| e.into_inner()));
        drop(kept);
        return_freed_memory();
    }
}

/// Asks the allocator to return freed pages to the system. glibc keeps a large block freed from
/// its heap (it raises its mmap threshold after the first one is freed), so the 19 MiB would
/// stay resident without this.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Argon2id of `password` with `salt`, into `out`, in memory from `memory`.
fn argon2_into(
    argon2: &Argon2<'_>,
    params: &Params,
    memory: &Memory,
    slots: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), HashError> {
    let mut blocks = memory.take(params.block_count());
    let result = argon2
        .hash_password_into_with_memory(password, salt, out, &mut blocks[..])
        .map_err(|e| HashError::Hash(e.to_string()));
    memory.give_back(blocks, slots);
    result
}

impl PasswordHasher {
    pub fn new(config: Argon2Config, concurrency: usize) -> Result<Self, HashError> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(|e| HashError::Params(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let memory = Memory {
            free: std::sync::Mutex::new(Vec::new()),
            allocated: std::sync::atomic::AtomicUsize::new(0),
            release: std::sync::atomic::AtomicBool::new(false),
        };
        let dummy = hash_with(
            &argon2,
            &memory,
            1,
            "espace-pro-dummy-password-for-unknown-logins-1",
        )?;
        Ok(Self {
            argon2: Arc::new(argon2),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: dummy.into(),
            memory: Arc::new(memory),
            slots: concurrency.max(1),
            queue: crate::metrics::HashQueue::default(),
        })
    }

    /// Gives each hash's working memory back once it is done (and what is kept now).
    pub fn releasing_memory(self) -> Self {
        self.memory.release_all();
        self
    }

    /// Reports its queue to these metrics.
    pub fn with_queue(mut self, queue: crate::metrics::HashQueue) -> Self {
        self.queue = queue;
        self
    }

    /// A hashing slot, held by the blocking task itself: a request given up by its client (its
    /// future dropped) does not free the slot while its hash still runs, so no more than `slots`
    /// hashes ever run, and no more than `slots` working memories ever exist.
    async fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, HashError> {
        /// Leaves the queue even when the waiting request is given up.
        struct Waiting<'a>(&'a prometheus_client::metrics::gauge::Gauge);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.dec();
            }
        }
        let started = std::time::Instant::now();
        self.queue.waiting.inc();
        let waiting = Waiting(&self.queue.waiting);
        let permit = self.permits.clone().acquire_owned().await;
        drop(waiting);
        self.queue.wait.observe(started.elapsed().as_secs_f64());
        permit.map_err(|_| HashError::Join)
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let permit = self.slot().await?;
        let (argon2, memory, slots) = (self.argon2.clone(), self.memory.clone(), self.slots);
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash_with(&argon2, &memory, slots, &password)
        })
        .await
        .map_err(|_| HashError::Join)?
    }

    /// True when `password` matches `stored`. With no stored hash, verifies against the dummy
    /// hash (same cost) and answers false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let permit = self.slot().await?;
        let (memory, slots) = (self.memory.clone(), self.slots);
        let password = espace_pro_contract::password::normalize(password);
        let known = stored.is_some();
        let hash = stored.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let matched = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify_with(&memory, slots, &password, &hash).unwrap_or(false)
        })
        .await
        .map_err(|_| HashError::Join)?;
        Ok(known && matched)
    }
}

fn hash_with(
    argon2: &Argon2<'_>,
    memory: &Memory,
    slots: usize,
    password: &str,
) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| HashError::Hash(e.to_string()))?;
    let params = argon2.params().clone();
    let mut out = [0u8; 32];
    argon2_into(
        argon2,
        &params,
        memory,
        slots,
        password.as_bytes(),
        salt_bytes,
        &mut out,
    )?;
    let output =
        argon2::password_hash::Output::new(&out).map_err(|e| HashError::Hash(e.to_string()))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: argon2::password_hash::ParamsString::try_from(&params)
            .map_err(|e| HashError::Hash(e.to_string()))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Checks `password` against a PHC string, with the stored hash's own parameters.
fn verify_with(memory: &Memory, slots: usize, password: &str, stored: &str) -> Option<bool> {
    let parsed = PasswordHash::new(stored).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .ok()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    argon2_into(
        &argon2,
        &params,
        memory,
        slots,
        password.as_bytes(),
        salt,
        &mut out,
    )
    .ok()?;
    // `Output`'s comparison takes the same time wherever the bytes differ.
    Some(argon2::password_hash::Output::new(&out).ok()? == expected)
}

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

    /// Hashes made here verify with the argon2 crate's own verifier, and hashes it made (the
    /// accounts created before working memory was reused) verify here.
    #[test]
    fn hashes_stay_compatible_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(1024, 1, 1, None).unwrap();
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let memory = Memory {
            free: std::sync::Mutex::new(Vec::new()),
            allocated: std::sync::atomic::AtomicUsize::new(0),
            release: std::sync::atomic::AtomicBool::new(false),
        };
        let theirs = argon2
            .hash_password(
                b"Vert7Citron4Galop9Sable2",
                &SaltString::generate(&mut OsRng),
            )
            .unwrap()
            .to_string();
        assert_eq!(
            verify_with(&memory, 1, "Vert7Citron4Galop9Sable2", &theirs),
            Some(true)
        );
        assert_eq!(
            verify_with(&memory, 1, "Vert7Citron4Galop9Sable3", &theirs),
            Some(false)
        );
        let ours = hash_with(&argon2, &memory, 1, "Vert7Citron4Galop9Sable2").unwrap();
        assert!(
            argon2
                .verify_password(
                    b"Vert7Citron4Galop9Sable2",
                    &PasswordHash::new(&ours).unwrap()
                )
                .is_ok()
        );
        // One working memory kept for the one slot, reused by the next hash.
        assert_eq!(memory.free.lock().unwrap().len(), 1);
    }

    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(ha, token_hash(&a));
        assert_ne!(ha, a.as_bytes());
    }

    /// A hasher at 16 MiB, two passes, with `slots` hashes at once.
    fn small_hasher(slots: usize) -> PasswordHasher {
        PasswordHasher::new(
            Argon2Config {
                memory_kib: 16_384,
                iterations: 2,
                parallelism: 1,
            },
            slots,
        )
        .unwrap()
    }

    /// The desktop app's embedded service keeps no working memory between hashes (it is freed
    /// after each), and hashes and verifies as well.
    #[tokio::test]
    async fn a_releasing_hasher_keeps_no_working_memory() {
        let h = small_hasher(1);
        let kept = |h: &PasswordHasher| h.memory.free.lock().unwrap().len();
        // The dummy hash's memory, kept for the next one.
        assert_eq!(kept(&h), 1);
        let h = h.releasing_memory();
        assert_eq!(kept(&h), 0);
        let hash = h.hash("Vert7Citron4").await.unwrap();
        assert!(h.verify("Vert7Citron4", Some(&hash)).await.unwrap());
        assert!(!h.verify("Vert7Citron5", Some(&hash)).await.unwrap());
        assert_eq!(kept(&h), 0);
    }

    /// Clients that give up (their request's future dropped while the hash runs) do not let
    /// more hashes run at once than there are slots: before, each one freed its slot at once, and
    /// under log-in load the service's memory grew by a 19 MiB buffer at a time.
    #[tokio::test(flavor = "multi_thread")]
    async fn given_up_requests_keep_their_slot_until_their_hash_ends() {
        let h = small_hasher(2);
        let mut given_up = 0;
        for _ in 0..20 {
            let attempt =
                tokio::time::timeout(std::time::Duration::from_millis(1), h.hash("Vert7Citron4"));
            given_up += usize::from(attempt.await.is_err());
        }
        assert!(given_up > 10, "only {given_up} hashes were given up");
        for _ in 0..4 {
            h.hash("Orage5Pivoine8").await.unwrap();
        }
        let allocated = h
            .memory
            .allocated
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(allocated <= 2, "{allocated} working memories for 2 slots");
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = PasswordHasher::new(
            Argon2Config {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
            2,
        )
        .unwrap();
        let stored = h.hash("Vert7Citron4Galop9Sable2").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            h.verify("Vert7Citron4Galop9Sable2", Some(&stored))
                .await
                .unwrap()
        );
        assert!(
            !h.verify("Vert7Citron4Galop9Sable3", Some(&stored))
                .await
                .unwrap()
        );
        assert!(
            !h.verify("espace-pro-dummy-password-for-unknown-logins-1", None)
                .await
                .unwrap()
        );
    }

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
