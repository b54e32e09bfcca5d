//! A failed operation on a file, naming the operation and the file: the one error shape for the files the store
//! handles itself (the data folder, key files, backup files), so that every such message reads "cannot <do> <file>".

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}", .path.display())]
pub struct FileError {
    /// What was being done, worded to follow "cannot": "create", "read the key file", ...
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl FileError {
    /// The error of doing `action` to `path`, for `map_err`.
    pub fn of(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> FileError + use<> {
        let path = path.to_owned();
        move |source| FileError { action, path, source }
    }
}
