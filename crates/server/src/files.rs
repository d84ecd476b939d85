//! Files that hold secrets (the database, the key, e-mails with codes) are the service's own:
//! folders it creates are 0700, files 0600, whatever the umask.

use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents, private to this user.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options for a new file only this user may read or write.
pub fn private_file() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// A new private file beside `path`, under a name no one can have prepared: created, never
/// opened if it exists (nor through a link someone left there), in a folder others may write.
fn new_beside(path: &Path) -> io::Result<(std::path::PathBuf, std::fs::File)> {
    use rand::RngCore as _;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut last = None;
    for _ in 0..8 {
        let suffix = rand::rngs::OsRng.next_u64();
        let temporary = path.with_file_name(format!(".{name}.{suffix:016x}"));
        match private_file().create_new(true).open(&temporary) {
            Ok(file) => return Ok((temporary, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary name")))
}

/// Writes `bytes` to `path`, private (0600), whole or not at all: a new temporary file beside it,
/// synced, then renamed over it; its folder is created private when missing.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    let (temporary, mut file) = new_beside(path)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Creates `path` empty and private if it does not exist (so that a database created there by
/// another library inherits private permissions).
pub fn touch_private(path: &Path) -> io::Result<()> {
    match private_file().create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether others than the owner may read or write `path`.
pub fn readable_by_others(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

/// Makes a file's creation or renaming in its folder durable (the folder's entry reaches the
/// disk). A no-op where folders cannot be opened (Windows).
pub fn sync_dir_of(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Descriptors kept for everything but client connections: the database and its journal, the
/// pool's connections, the relay, logs, the listeners.
const RESERVED_DESCRIPTORS: u64 = 128;

/// How many client connections the open-files limit leaves room for, after raising the soft
/// limit to the hard one (systemd's default is 1,024 soft, 524,288 hard).
pub fn open_files_for_connections() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct passed.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return usize::MAX;
            }
            if limit.rlim_cur < limit.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max,
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit.rlim_cur = limit.rlim_max;
                }
            }
        }
        let current: u64 = limit.rlim_cur;
        let usable = current.saturating_sub(RESERVED_DESCRIPTORS).max(16);
        usize::try_from(usable).unwrap_or(usize::MAX)
    }
    #[cfg(not(unix))]
    usize::MAX
}
