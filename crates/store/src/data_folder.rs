//! The practice's data folder: where its SQLite database and key file are, and the permissions that keep them
//! its owner's (they hold clinical records and the keys to them). The one place these names are spelled out.

use std::path::{Path, PathBuf};

use crate::FileError;
use crate::open::DatabaseSpec;

/// The SQLite database's file name in the data folder.
pub const DATABASE_FILE: &str = "alliance.db";
/// The key file's place in the data folder: a folder of its own, so that it can be kept owner-only as well.
const KEY_FILE: [&str; 2] = ["keys", "alliance.keys"];

/// What [`DataFolder::prepare`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderState {
    /// It was made here, readable by its owner only.
    Created,
    /// It was there, and other users cannot read it.
    Private,
    /// It was there and other users can read it: left so (it may be shared on purpose), but worth a warning.
    ReadableByOthers,
}

/// The folder a practice keeps its SQLite database and its key file in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFolder {
    path: PathBuf,
}

impl DataFolder {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SQLite database's file.
    pub fn database(&self) -> PathBuf {
        self.path.join(DATABASE_FILE)
    }

    /// The SQLite database, named as a command names a database.
    pub fn database_spec(&self) -> DatabaseSpec {
        DatabaseSpec::Sqlite(self.database())
    }

    /// Where the key file is unless another place is named.
    pub fn key_file(&self) -> PathBuf {
        KEY_FILE.iter().fold(self.path.clone(), |path, part| path.join(part))
    }

    /// Makes the folder, readable by its owner only, if it does not exist. An existing folder keeps its
    /// permissions; the answer says whether others can read it.
    pub fn prepare(&self) -> Result<FolderState, FileError> {
        let dir = &self.path;
        let existed = dir.exists();
        std::fs::create_dir_all(dir).map_err(FileError::of("create", dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if existed {
                let meta = std::fs::metadata(dir).map_err(FileError::of("read", dir))?;
                if meta.permissions().mode() & 0o077 != 0 {
                    return Ok(FolderState::ReadableByOthers);
                }
            } else {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(FileError::of("restrict permissions of", dir))?;
            }
        }
        Ok(if existed { FolderState::Private } else { FolderState::Created })
    }
}

/// Makes a SQLite database and its journal files readable by their owner only.
pub fn restrict_database_files(db: &Path) -> Result<(), FileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let path = PathBuf::from(format!("{}{suffix}", db.display()));
            // A journal file SQLite removes meanwhile needs no restricting.
            match std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
                Err(source) if source.kind() != std::io::ErrorKind::NotFound => {
                    return Err(FileError { action: "restrict permissions of", path, source });
                }
                _ => {}
            }
        }
    }
    #[cfg(not(unix))]
    let _ = db;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_folder_names_its_database_and_key_file() {
        let folder = DataFolder::new("/srv/alliance");
        assert_eq!(folder.database(), Path::new("/srv/alliance/alliance.db"));
        assert_eq!(folder.database_spec(), DatabaseSpec::Sqlite("/srv/alliance/alliance.db".into()));
        assert_eq!(folder.key_file(), Path::new("/srv/alliance/keys/alliance.keys"));
    }

    #[cfg(unix)]
    #[test]
    fn a_new_folder_is_its_owners_and_an_existing_one_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = DataFolder::new(dir.path().join("new").join("data"));
        assert_eq!(folder.prepare().unwrap(), FolderState::Created);
        assert_eq!(std::fs::metadata(folder.path()).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(folder.prepare().unwrap(), FolderState::Private);
        std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(folder.prepare().unwrap(), FolderState::ReadableByOthers);
        assert_eq!(std::fs::metadata(folder.path()).unwrap().permissions().mode() & 0o777, 0o755);
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a file");
        std::fs::write(&file, b"").unwrap();
        let refused = DataFolder::new(file.join("data")).prepare().unwrap_err();
        assert!(refused.action == "create" && refused.path == file.join("data"), "{refused}");
        assert!(refused.to_string().contains("a file"), "{refused}");
    }

    #[cfg(unix)]
    #[test]
    fn database_files_are_restricted_and_missing_journals_are_no_error() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DATABASE_FILE);
        std::fs::write(&db, b"").unwrap();
        std::fs::write(dir.path().join("alliance.db-wal"), b"").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict_database_files(&db).unwrap();
        for name in ["alliance.db", "alliance.db-wal"] {
            let mode = std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
}
