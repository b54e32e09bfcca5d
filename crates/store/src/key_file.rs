//! The practice's key file on disk (its text is `cipher::Keyring`'s): where the keys are looked for, reading a
//! file (refusing one that other users can read or change), and writing one atomically, owner-only.
//!
//! Keys come from a key file the operator names, else from `ALLIANCE_KEYS` (the file's content, for container
//! secrets), else from the data folder's key file, which is created when there is no data yet. A key file with
//! an interrupted rekey beside it (see `rekey`) is refused until the rekey is finished.

use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::FileError;
use crate::cipher::{KeyError, Keyring, MAX_KEY_FILE_BYTES};

/// The environment variable that may hold the key file's content.
pub const KEYS_ENV: &str = "ALLIANCE_KEYS";

/// Why the keys could not be read or written. Never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error(
        "no key file at {}: the data cannot be opened without the key file it was created with (pass --key-file or \
         set {KEYS_ENV})",
        .0.display()
    )]
    Missing(PathBuf),
    #[error(
        "no key file named: pass --data DIR (the key file is DIR/keys/alliance.keys), --key-file PATH or set \
         {KEYS_ENV}"
    )]
    NoLocation,
    #[error("an interrupted `alliance keys rekey` left {}; run `alliance keys rekey` again to finish it", .0.display())]
    RekeyPending(PathBuf),
    #[error("the keys in {KEYS_ENV}")]
    InEnvironment(#[source] KeyError),
    #[error("the keys come from {KEYS_ENV}; changing them needs the key file itself (pass --key-file)")]
    NotAFileSource,
    #[error("the key file {} is not a file", .0.display())]
    NotAFile(PathBuf),
    #[error("the key file {} can be read or changed by other users (mode {mode:o}); run chmod 600 on it", .path.display())]
    Shared { path: PathBuf, mode: u32 },
    #[error("the key file {} is larger than {MAX_KEY_FILE_BYTES} bytes", .0.display())]
    TooLarge(PathBuf),
    #[error("the key file {}", .path.display())]
    Invalid {
        path: PathBuf,
        #[source]
        source: KeyError,
    },
    #[error(transparent)]
    File(#[from] FileError),
}

/// Where the keys came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Environment,
}

/// Where to look for the practice's keys, in order.
pub struct KeyLocation {
    /// A key file the operator named.
    pub named_file: Option<PathBuf>,
    /// The content of `ALLIANCE_KEYS`, if set.
    pub environment: Option<Zeroizing<String>>,
    /// The data folder's key file (see `DataFolder::key_file`), when a data folder was named.
    pub folder_file: Option<PathBuf>,
}

/// The keys, where they came from, and whether the key file was made just now.
pub struct LoadedKeys {
    pub keys: Keyring,
    pub source: KeySource,
    pub created: bool,
}

impl LoadedKeys {
    /// The key file, for changing the keys: refused when they came from the environment.
    pub fn file(&self) -> Result<&Path, KeyFileError> {
        match &self.source {
            KeySource::File(path) => Ok(path),
            KeySource::Environment => Err(KeyFileError::NotAFileSource),
        }
    }
}

impl LoadedKeys {
    /// The keys for a server: following their key file, so that field keys a rotation adds while it serves are
    /// taken up (keys from the environment cannot change under a running process).
    pub fn serving(self) -> Keyring {
        match self.source {
            KeySource::File(path) => self.keys.following(move || read(&path).ok()),
            KeySource::Environment => self.keys,
        }
    }
}

impl KeyLocation {
    /// Whether keys are there to load (in the environment, or a key file where one is looked for).
    pub fn exists(&self) -> bool {
        self.environment.is_some()
            || self.named_file.as_ref().or(self.folder_file.as_ref()).is_some_and(|path| path.exists())
    }

    /// The practice's keys. `fresh` says there is no data yet, so a missing key file may be created (at the place
    /// named, or in the data folder).
    pub fn load(&self, fresh: bool) -> Result<LoadedKeys, KeyFileError> {
        let loaded = self.load_even_if_pending(fresh)?;
        if let KeySource::File(path) = &loaded.source {
            let pending = pending_file(path);
            if pending.exists() {
                return Err(KeyFileError::RekeyPending(pending));
            }
        }
        Ok(loaded)
    }

    /// As [`KeyLocation::load`], with an interrupted rekey left for the caller (the rekey itself) to finish.
    pub fn load_even_if_pending(&self, fresh: bool) -> Result<LoadedKeys, KeyFileError> {
        if self.named_file.is_none()
            && let Some(text) = &self.environment
        {
            let keys = Keyring::parse(text).map_err(KeyFileError::InEnvironment)?;
            return Ok(LoadedKeys { keys, source: KeySource::Environment, created: false });
        }
        let path = self.named_file.clone().or_else(|| self.folder_file.clone()).ok_or(KeyFileError::NoLocation)?;
        if !path.exists() {
            if !fresh {
                return Err(KeyFileError::Missing(path));
            }
            let keys = Keyring::generate();
            write(&path, &keys, false)?;
            return Ok(LoadedKeys { keys, source: KeySource::File(path), created: true });
        }
        Ok(LoadedKeys { keys: read(&path)?, source: KeySource::File(path), created: false })
    }
}

/// Where an interrupted `keys rekey` leaves the new keys, beside the key file.
pub fn pending_file(key_file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.pending", key_file.display()))
}

/// Reads a key file, refusing one that others can read or change.
pub fn read(path: &Path) -> Result<Keyring, KeyFileError> {
    let meta = std::fs::metadata(path).map_err(FileError::of("read the key file", path))?;
    if !meta.is_file() {
        return Err(KeyFileError::NotAFile(path.to_owned()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::Shared { path: path.to_owned(), mode });
        }
    }
    if meta.len() > MAX_KEY_FILE_BYTES as u64 {
        return Err(KeyFileError::TooLarge(path.to_owned()));
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(FileError::of("read the key file", path))?);
    Keyring::parse(&text).map_err(|source| KeyFileError::Invalid { path: path.to_owned(), source })
}

/// Writes `keys` to `path` readable by its owner only, in a folder only the owner can open (created if missing).
/// `replace` swaps an existing file atomically (write aside, flush to disk, rename): a crash leaves the old file
/// or the new one, never half of one.
pub fn write(path: &Path, keys: &Keyring, replace: bool) -> Result<(), KeyFileError> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !folder.exists() {
        // Every folder made here (the data folder too, on a first start) is the owner's only.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(folder).map_err(FileError::of("create", folder))?;
    }
    let target = if replace { path.with_extension("keys.new") } else { path.to_path_buf() };
    if replace {
        let _ = std::fs::remove_file(&target);
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&target).map_err(FileError::of("create the key file", &target))?;
    file.write_all(keys.to_file_text().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(FileError::of("write the key file", &target))?;
    if replace {
        std::fs::rename(&target, path).map_err(FileError::of("replace", path))?;
    }
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn file(at: &KeyLocation) -> PathBuf {
        at.folder_file.clone().unwrap()
    }

    fn location(dir: &Path) -> KeyLocation {
        KeyLocation { named_file: None, environment: None, folder_file: Some(dir.join("keys").join("alliance.keys")) }
    }

    #[test]
    fn a_missing_key_file_is_made_only_for_new_data() {
        let dir = tempfile::tempdir().unwrap();
        let at = location(dir.path());
        assert!(matches!(at.load(false), Err(KeyFileError::Missing(p)) if p == file(&at)));
        assert!(!file(&at).exists(), "nothing was created");
        let made = at.load(true).unwrap();
        assert!(made.created && made.source == KeySource::File(file(&at)));
        let again = at.load(false).unwrap();
        assert!(!again.created);
        assert_eq!(again.keys.to_file_text(), made.keys.to_file_text());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!((mode(&file(&at)), mode(&dir.path().join("keys"))), (0o600, 0o700));
        }
    }

    #[test]
    fn a_named_file_comes_before_the_environment_which_comes_before_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (named, from_env) = (Keyring::generate(), Keyring::generate());
        let named_path = dir.path().join("named.keys");
        write(&named_path, &named, false).unwrap();
        let mut at = location(dir.path());
        at.environment = Some(Zeroizing::new(from_env.to_file_text().to_string()));
        let loaded = at.load(false).unwrap();
        assert!(loaded.source == KeySource::Environment && matches!(loaded.file(), Err(KeyFileError::NotAFileSource)));
        assert_eq!(loaded.keys.to_file_text(), from_env.to_file_text());
        at.named_file = Some(named_path.clone());
        let loaded = at.load(false).unwrap();
        assert_eq!(loaded.file().unwrap(), named_path);
        assert_eq!(loaded.keys.to_file_text(), named.to_file_text());
    }

    #[test]
    fn malformed_keys_in_the_environment_are_named_and_not_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let mut at = location(dir.path());
        at.environment = Some(Zeroizing::new("db c2VjcmV0\nv1 c2VjcmV0\n".into()));
        let refused = at.load(true).err().unwrap();
        assert!(matches!(refused, KeyFileError::InEnvironment(_)));
        let message = format!("{refused}: {}", std::error::Error::source(&refused).unwrap());
        assert!(message.contains(KEYS_ENV) && message.contains("32 bytes") && !message.contains("c2VjcmV0"));
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_or_change_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alliance.keys");
        write(&path, &Keyring::generate(), false).unwrap();
        for shared in [0o640, 0o604, 0o620, 0o602] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(shared)).unwrap();
            let refused = read(&path).err().unwrap();
            assert!(matches!(refused, KeyFileError::Shared { mode, .. } if mode == shared));
            assert!(refused.to_string().contains("chmod 600"));
        }
    }

    #[test]
    fn an_oversized_folder_or_garbage_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.keys");
        write(&big, &Keyring::generate(), false).unwrap();
        let mut file = std::fs::OpenOptions::new().append(true).open(&big).unwrap();
        file.write_all(&vec![b'#'; MAX_KEY_FILE_BYTES]).unwrap();
        assert!(matches!(read(&big), Err(KeyFileError::TooLarge(_))));
        assert!(matches!(read(dir.path()), Err(KeyFileError::NotAFile(_))));
        let garbage = dir.path().join("garbage.keys");
        write(&garbage, &Keyring::generate(), false).unwrap();
        std::fs::write(&garbage, "db not-base64\n").unwrap();
        assert!(matches!(read(&garbage), Err(KeyFileError::Invalid { .. })));
    }

    #[test]
    fn replacing_swaps_the_whole_file_and_a_new_one_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alliance.keys");
        let (old, new) = (Keyring::generate(), Keyring::generate());
        write(&path, &old, false).unwrap();
        assert!(matches!(write(&path, &new, false), Err(KeyFileError::File(e)) if e.action == "create the key file"));
        write(&path, &new, true).unwrap();
        assert_eq!(read(&path).unwrap().to_file_text(), new.to_file_text());
        assert!(!path.with_extension("keys.new").exists());
    }

    /// Without a data folder or a named file, no key file is looked for, let alone made in the working folder.
    #[test]
    fn no_location_no_key_file() {
        let nowhere = KeyLocation { named_file: None, environment: None, folder_file: None };
        assert!(!nowhere.exists());
        for fresh in [false, true] {
            let refused = nowhere.load(fresh).err().unwrap();
            assert!(matches!(refused, KeyFileError::NoLocation), "{refused}");
            assert!(refused.to_string().contains("--data DIR"), "{refused}");
        }
    }

    #[test]
    fn an_interrupted_rekey_is_refused_until_it_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let at = location(dir.path());
        at.load(true).unwrap();
        let pending = pending_file(&file(&at));
        write(&pending, &Keyring::generate(), false).unwrap();
        assert!(matches!(at.load(false), Err(KeyFileError::RekeyPending(p)) if p == pending));
        assert!(at.load_even_if_pending(false).is_ok());
    }
}
