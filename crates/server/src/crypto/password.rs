//! Passwords: Argon2id on hashing slots of their own.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::rngs::OsRng;

use crate::config::Argon2Config;

/// Argon2id hashing on `concurrency` threads of its own (the hashing slots), with a dummy hash so
/// an unknown address costs what a known one does.
///
/// Each slot is a thread that owns its working memory (19 MiB at OWASP's setting) and takes the
/// next waiting hash as soon as it is done with one. Handing each hash to the blocking pool
/// instead cost two thread wake-ups per hash, and under log-in load the machine sat idle about
/// 7 % of the time between hashes.
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Arc<Argon2<'static>>,
    jobs: std::sync::mpsc::Sender<Job>,
    dummy_hash: Arc<str>,
    shared: Arc<Shared>,
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

/// What the slots share.
#[derive(Default)]
struct Shared {
    /// Working memories allocated since the start (as many as slots, unless the cost changed).
    allocated: std::sync::atomic::AtomicUsize,
    /// Working memories kept between hashes now.
    kept: std::sync::atomic::AtomicUsize,
    /// Hashes computed (verifications included) since the start.
    computed: std::sync::atomic::AtomicUsize,
    /// Working memory is freed after each hash and the allocator asked to give the pages back.
    release: std::sync::atomic::AtomicBool,
}

/// A hash waiting for a slot.
struct Job {
    work: Work,
    queued: std::time::Instant,
    queue: crate::metrics::HashQueue,
    reply: tokio::sync::oneshot::Sender<Result<Done, HashError>>,
}

enum Work {
    Hash {
        argon2: Arc<Argon2<'static>>,
        password: String,
    },
    Verify {
        password: String,
        stored: String,
    },
}

enum Done {
    Hashed(String),
    Verified(bool),
}

/// A hashing slot's working memory: allocated at its first hash, kept for the next ones (freed
/// after each and handed back to the system, when the service releases memory). Allocated and
/// freed at every hash, those blocks ended up spread over the allocator's per-thread arenas and
/// the process kept hundreds of MiB it no longer used.
struct Memory {
    blocks: Vec<Block>,
    shared: Arc<Shared>,
}

impl Memory {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        use std::sync::atomic::Ordering::Relaxed;
        if self.blocks.len() != count {
            if !self.blocks.is_empty() {
                self.shared.kept.fetch_sub(1, Relaxed);
            }
            // The old memory is freed before the new one is allocated: never both at once.
            self.blocks = Vec::new();
            self.blocks = vec![Block::default(); count];
            self.shared.allocated.fetch_add(1, Relaxed);
            self.shared.kept.fetch_add(1, Relaxed);
        }
        &mut self.blocks
    }

    /// After a hash: frees the memory when the service releases memory.
    fn done(&mut self) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.shared.release.load(Relaxed) && !self.blocks.is_empty() {
            self.blocks = Vec::new();
            self.shared.kept.fetch_sub(1, Relaxed);
            return_freed_memory();
        }
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

/// A hashing slot: takes the waiting hashes one after the other until the hasher is dropped.
fn slot(jobs: Arc<std::sync::Mutex<std::sync::mpsc::Receiver<Job>>>, shared: Arc<Shared>) {
    let mut memory = Memory {
        blocks: Vec::new(),
        shared,
    };
    loop {
        let job = match jobs.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        job.queue.waiting.dec();
        job.queue.wait.observe(job.queued.elapsed().as_secs_f64());
        // Its request was given up while it waited: nobody would read the answer.
        if job.reply.is_closed() {
            continue;
        }
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match job.work {
            Work::Hash { argon2, password } => {
                hash_with(&argon2, &mut memory, &password).map(Done::Hashed)
            }
            Work::Verify { password, stored } => Ok(Done::Verified(
                verify_with(&mut memory, &password, &stored).unwrap_or(false),
            )),
        }))
        .unwrap_or(Err(HashError::Join));
        memory.done();
        memory
            .shared
            .computed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _ = job.reply.send(done);
    }
}

/// Argon2id of `password` with `salt`, into `out`, in `memory`.
fn argon2_into(
    argon2: &Argon2<'_>,
    params: &Params,
    memory: &mut Memory,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), HashError> {
    argon2
        .hash_password_into_with_memory(password, salt, out, memory.blocks(params.block_count()))
        .map_err(|e| HashError::Hash(e.to_string()))
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
        let shared = Arc::new(Shared::default());
        // Computed here, in memory freed at once: the slots' own memories are their first
        // hashes'.
        let mut memory = Memory {
            blocks: Vec::new(),
            shared: Arc::new(Shared::default()),
        };
        let dummy = hash_with(
            &argon2,
            &mut memory,
            "espace-pro-dummy-password-for-unknown-logins-1",
        )?;
        drop(memory);
        let (jobs, waiting) = std::sync::mpsc::channel();
        let waiting = Arc::new(std::sync::Mutex::new(waiting));
        for n in 0..concurrency.max(1) {
            let (waiting, shared) = (waiting.clone(), shared.clone());
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || slot(waiting, shared))
                .map_err(|e| HashError::Hash(format!("hashing thread: {e}")))?;
        }
        Ok(Self {
            argon2: Arc::new(argon2),
            jobs,
            dummy_hash: dummy.into(),
            shared,
            queue: crate::metrics::HashQueue::default(),
        })
    }

    /// Gives each hash's working memory back once it is done.
    pub fn releasing_memory(self) -> Self {
        self.shared
            .release
            .store(true, std::sync::atomic::Ordering::Relaxed);
        return_freed_memory();
        self
    }

    /// Reports its queue to these metrics.
    pub fn with_queue(mut self, queue: crate::metrics::HashQueue) -> Self {
        self.queue = queue;
        self
    }

    /// Queues `work` for the next free slot and waits for it. A request given up by its client
    /// (its future dropped) leaves its hash in the queue, where the slot that takes it skips it;
    /// one already running ends on its slot: no more than `concurrency` hashes ever run, and no
    /// more than `concurrency` working memories ever exist.
    async fn run(&self, work: Work) -> Result<Done, HashError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.queue.waiting.inc();
        let job = Job {
            work,
            queued: std::time::Instant::now(),
            queue: self.queue.clone(),
            reply,
        };
        if let Err(std::sync::mpsc::SendError(job)) = self.jobs.send(job) {
            job.queue.waiting.dec();
            return Err(HashError::Join);
        }
        answer.await.map_err(|_| HashError::Join)?
    }

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let work = Work::Hash {
            argon2: self.argon2.clone(),
            password: password.to_owned(),
        };
        match self.run(work).await? {
            Done::Hashed(hash) => Ok(hash),
            Done::Verified(_) => Err(HashError::Join),
        }
    }

    /// True when `password` matches `stored`. With no stored hash, verifies against the dummy
    /// hash (same cost) and answers false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let known = stored.is_some();
        let work = Work::Verify {
            password: espace_pro_contract::password::normalize(password),
            stored: stored.map_or_else(|| self.dummy_hash.to_string(), str::to_owned),
        };
        match self.run(work).await? {
            Done::Verified(matched) => Ok(known && matched),
            Done::Hashed(_) => Err(HashError::Join),
        }
    }
}

fn hash_with(
    argon2: &Argon2<'_>,
    memory: &mut Memory,
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
fn verify_with(memory: &mut Memory, password: &str, stored: &str) -> Option<bool> {
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
        password.as_bytes(),
        salt,
        &mut out,
    )
    .ok()?;
    // `Output`'s comparison takes the same time wherever the bytes differ.
    Some(argon2::password_hash::Output::new(&out).ok()? == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes made here verify with the argon2 crate's own verifier, and hashes it made (the
    /// accounts created before working memory was reused) verify here.
    #[test]
    fn hashes_stay_compatible_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(1024, 1, 1, None).unwrap();
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let shared = Arc::new(Shared::default());
        let mut memory = Memory {
            blocks: Vec::new(),
            shared: shared.clone(),
        };
        let theirs = argon2
            .hash_password(
                b"Vert7Citron4Galop9Sable2",
                &SaltString::generate(&mut OsRng),
            )
            .unwrap()
            .to_string();
        assert_eq!(
            verify_with(&mut memory, "Vert7Citron4Galop9Sable2", &theirs),
            Some(true)
        );
        assert_eq!(
            verify_with(&mut memory, "Vert7Citron4Galop9Sable3", &theirs),
            Some(false)
        );
        let ours = hash_with(&argon2, &mut memory, "Vert7Citron4Galop9Sable2").unwrap();
        assert!(
            argon2
                .verify_password(
                    b"Vert7Citron4Galop9Sable2",
                    &PasswordHash::new(&ours).unwrap()
                )
                .is_ok()
        );
        // One working memory, kept and reused by the next hash.
        assert_eq!(
            shared.allocated.load(std::sync::atomic::Ordering::Relaxed),
            1
        );
        assert_eq!(shared.kept.load(std::sync::atomic::Ordering::Relaxed), 1);
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
        use std::sync::atomic::Ordering::Relaxed;
        let kept = |h: &PasswordHasher| h.shared.kept.load(Relaxed);
        // Without releasing: the slot's memory is kept for the next hash.
        let h = small_hasher(1);
        h.hash("Vert7Citron4").await.unwrap();
        assert_eq!(kept(&h), 1);
        let h = small_hasher(1).releasing_memory();
        let hash = h.hash("Vert7Citron4").await.unwrap();
        assert!(h.verify("Vert7Citron4", Some(&hash)).await.unwrap());
        assert!(!h.verify("Vert7Citron5", Some(&hash)).await.unwrap());
        assert_eq!(kept(&h), 0);
        assert_eq!(h.shared.allocated.load(Relaxed), 3);
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
            .shared
            .allocated
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(allocated <= 2, "{allocated} working memories for 2 slots");
    }

    /// A hash whose request was given up while it waited for a slot is not computed, and the
    /// queue's metrics count what waited and for how long.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_hash_given_up_in_the_queue_is_skipped() {
        use std::sync::atomic::Ordering::Relaxed;
        let queue = crate::metrics::HashQueue::default();
        let h = small_hasher(1).with_queue(queue.clone());
        // Each queued by its first poll; the second given up at once, behind the first (a 16 MiB
        // hash takes milliseconds).
        let zero = std::time::Duration::ZERO;
        let mut first = Box::pin(h.hash("Vert7Citron4"));
        assert!(tokio::time::timeout(zero, &mut first).await.is_err());
        assert!(
            tokio::time::timeout(zero, h.hash("Orage5Pivoine8"))
                .await
                .is_err()
        );
        assert!(queue.waiting.get() >= 1);
        first.await.unwrap();
        let last = h.hash("Lune3Cerise7").await.unwrap();
        assert!(h.verify("Lune3Cerise7", Some(&last)).await.unwrap());
        assert_eq!(h.shared.computed.load(Relaxed), 3);
        assert_eq!(queue.waiting.get(), 0);
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
}
