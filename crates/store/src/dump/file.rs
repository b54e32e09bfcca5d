//! The encrypted backup file and its key: the byte form of a copy (see `codec`), sealed.
//!
//! Layout: a plaintext preamble (magic, the length and text of a small JSON header with the format version, key
//! id, engine and creation time, and the 19-byte STREAM nonce prefix), then the copy in chunks of 64 KiB, each
//! sealed with XChaCha20-Poly1305 in the STREAM construction (big-endian 32-bit counter, last-chunk flag), with
//! the whole preamble as associated data of every chunk. A changed byte anywhere, a swapped or dropped chunk, or
//! a file cut short fails authentication; nothing needs to fit in memory. Files written by earlier releases must
//! keep opening: the layout does not change without a new format number.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, OsRng, Payload, rand_core::RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::FileError;

/// The environment variable that may hold the backup key.
pub const BACKUP_KEY_ENV: &str = "ALLIANCE_BACKUP_KEY";

const MAGIC: &[u8; 16] = b"ALLIANCE-BACKUP\n";
const FORMAT: u32 = 1;
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const NONCE: usize = 19;
const MAX_HEADER: usize = 4096;

const DAMAGED: &str = "the backup is damaged, cut short or was changed (or the key is not the one it was made with)";

/// Why a backup file could not be written or read. Decrypted content that fails authentication surfaces from
/// [`BackupReader`] as an I/O error of kind `InvalidData` with the message "the backup is damaged ...".
#[derive(Debug, thiserror::Error)]
pub enum BackupFileError {
    #[error("not an Alliance backup (too short)")]
    TooShort,
    #[error("not an Alliance backup")]
    NotABackup,
    #[error("the backup's header is cut short")]
    HeaderCut,
    #[error("the backup's header is damaged")]
    HeaderDamaged,
    #[error("backup format {0} is not known to this version of Alliance")]
    UnknownFormat(u32),
    #[error("this backup was made with another key (key id {file}); the key given has the id {given}")]
    OtherKey { file: String, given: String },
    #[error("the backup needs a file name")]
    NoFileName,
    #[error("the backup's header is longer than {MAX_HEADER} bytes")]
    HeaderTooLong,
    #[error("encryption failed")]
    Encryption,
    #[error(transparent)]
    File(#[from] FileError),
}

/// A backup key's text is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a backup key is 64 hexadecimal characters (32 bytes)")]
pub struct KeyFormatError;

/// Why the backup key could not be had. Never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum BackupKeyError {
    #[error("--new-key needs --backup-key-file: the new key must be kept somewhere")]
    NewKeyNeedsFile,
    #[error("no backup key: pass --backup-key-file or set {BACKUP_KEY_ENV}")]
    None,
    #[error("{BACKUP_KEY_ENV}")]
    InEnvironment(#[source] KeyFormatError),
    #[error("the key file {} does not exist (pass --new-key to create one)", .0.display())]
    Missing(PathBuf),
    #[error("the key file {} can be read by other users: chmod 600 it", .0.display())]
    Shared(PathBuf),
    #[error("{}", .path.display())]
    InFile {
        path: PathBuf,
        #[source]
        source: KeyFormatError,
    },
    #[error(transparent)]
    File(#[from] FileError),
}

/// A 256-bit backup key.
#[derive(Clone)]
pub struct BackupKey(Zeroizing<[u8; 32]>);

/// A backup key, and whether its file was made just now (worth telling the operator, who must keep a copy).
pub struct LoadedBackupKey {
    pub key: BackupKey,
    pub created: bool,
}

impl BackupKey {
    /// A short public name for the key, so a file made with another key is named as such.
    pub fn id(&self) -> String {
        let digest = Sha256::new().chain_update(b"alliance backup key id\0").chain_update(*self.0).finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A key from its text: 64 hexadecimal digits, surrounding white space ignored.
    pub fn parse(text: &str) -> Result<Self, KeyFormatError> {
        let text = text.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(KeyFormatError);
        }
        let mut key = Zeroizing::new([0u8; 32]);
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| KeyFormatError)?;
        }
        Ok(Self(key))
    }

    /// The key from `file` (created, readable by its owner only, when missing and `create` is set), else from
    /// `environment` (the value of `ALLIANCE_BACKUP_KEY`).
    pub fn load(
        file: Option<&Path>,
        environment: Option<&str>,
        create: bool,
    ) -> Result<LoadedBackupKey, BackupKeyError> {
        let Some(path) = file else {
            if create {
                return Err(BackupKeyError::NewKeyNeedsFile);
            }
            let text = environment.ok_or(BackupKeyError::None)?;
            let key = Self::parse(text).map_err(BackupKeyError::InEnvironment)?;
            return Ok(LoadedBackupKey { key, created: false });
        };
        if !path.exists() {
            if !create {
                return Err(BackupKeyError::Missing(path.to_owned()));
            }
            let mut key = Zeroizing::new([0u8; 32]);
            OsRng.fill_bytes(key.as_mut());
            let text = Zeroizing::new(key.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n");
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut out = options.open(path).map_err(FileError::of("create", path))?;
            out.write_all(text.as_bytes()).and_then(|()| out.sync_all()).map_err(FileError::of("write", path))?;
            return Ok(LoadedBackupKey { key: Self(key), created: true });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(FileError::of("read", path))?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(BackupKeyError::Shared(path.to_owned()));
            }
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(FileError::of("read", path))?);
        let key = Self::parse(&text).map_err(|source| BackupKeyError::InFile { path: path.to_owned(), source })?;
        Ok(LoadedBackupKey { key, created: false })
    }

    /// The key's bytes, for the audit checkpoints' MAC key, which is kept in a file of this same format.
    pub(crate) fn secret(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }
}

/// The plaintext header: enough to say what a file is without the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub key_id: String,
    pub engine: String,
    pub created_at: i64,
    /// The practice's field-key versions the backup's sealed values use, so that a key version is not retired
    /// while a backup still needs it. `None` in backups made before releases recorded it (unknown); readers that
    /// predate the field ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_versions: Option<Vec<u32>>,
}

impl Header {
    /// The header of a new backup of a database of `engine` made with `key` at `created_at` (Unix time).
    pub fn new(key: &BackupKey, engine: &str, created_at: i64) -> Self {
        Self { format: FORMAT, key_id: key.id(), engine: engine.to_owned(), created_at, key_versions: None }
    }

    /// The same header, recording the field-key versions the backup's sealed values use.
    pub fn with_key_versions(self, versions: Vec<u32>) -> Self {
        Self { key_versions: Some(versions), ..self }
    }

    /// When the backup was made, in RFC 3339 (UTC); the Unix time itself if it is out of range.
    pub fn created_at_text(&self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.created_at)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| format!("{} (Unix time)", self.created_at))
    }
}

/// Reads the header of the backup file at `path` (no key needed); `Ok(None)` when the file is not a backup.
pub fn read_file_header(path: &Path) -> Result<Option<Header>, BackupFileError> {
    let file = File::open(path).map_err(FileError::of("open", path))?;
    match read_header(&mut BufReader::new(file)) {
        Ok((header, _)) => Ok(Some(header)),
        Err(BackupFileError::TooShort | BackupFileError::NotABackup) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes an encrypted backup to a temporary file beside `path`; [`BackupWriter::finish`] syncs it and renames it
/// into place, so `path` never names half a backup.
pub struct BackupWriter {
    out: std::io::BufWriter<File>,
    temporary: PathBuf,
    path: PathBuf,
    encryptor: EncryptorBE32<XChaCha20Poly1305>,
    aad: Vec<u8>,
    buffer: Vec<u8>,
    written: u64,
}

impl BackupWriter {
    pub fn create(path: &Path, key: &BackupKey, header: &Header) -> Result<Self, BackupFileError> {
        let name = path.file_name().and_then(|n| n.to_str()).ok_or(BackupFileError::NoFileName)?;
        let temporary = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        let json = serde_json::to_vec(header).map_err(|_| BackupFileError::HeaderTooLong)?;
        let json_len = u32::try_from(json.len()).ok().filter(|n| *n as usize <= MAX_HEADER);
        let json_len = json_len.ok_or(BackupFileError::HeaderTooLong)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&temporary).map_err(FileError::of("create", &temporary))?;
        let mut nonce = [0u8; NONCE];
        OsRng.fill_bytes(&mut nonce);
        let mut aad = MAGIC.to_vec();
        aad.extend_from_slice(&json_len.to_be_bytes());
        aad.extend_from_slice(&json);
        aad.extend_from_slice(&nonce);
        let mut out = std::io::BufWriter::new(file);
        if let Err(source) = out.write_all(&aad) {
            let _ = std::fs::remove_file(&temporary);
            return Err(FileError { action: "write", path: temporary, source }.into());
        }
        let encryptor = EncryptorBE32::from_aead(key.cipher(), nonce.as_slice().into());
        Ok(Self {
            out,
            temporary,
            path: path.to_owned(),
            encryptor,
            written: aad.len() as u64,
            aad,
            buffer: Vec::with_capacity(2 * CHUNK),
        })
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), BackupFileError> {
        self.buffer.extend_from_slice(bytes);
        // Strictly more than a chunk: the last chunk (possibly full) is sealed as the last one in `finish`.
        while self.buffer.len() > CHUNK {
            let rest = self.buffer.split_off(CHUNK);
            let sealed = self
                .encryptor
                .encrypt_next(Payload { msg: &self.buffer, aad: &self.aad })
                .map_err(|_| BackupFileError::Encryption)?;
            self.out.write_all(&sealed).map_err(FileError::of("write", &self.temporary))?;
            self.written += sealed.len() as u64;
            self.buffer = rest;
        }
        Ok(())
    }

    /// Seals the last chunk, syncs the file and renames it into place; returns the file's size. A failure
    /// removes the temporary file.
    pub fn finish(self) -> Result<u64, BackupFileError> {
        let Self { mut out, temporary, path, encryptor, aad, buffer, written } = self;
        let finish = || -> Result<u64, BackupFileError> {
            let sealed =
                encryptor.encrypt_last(Payload { msg: &buffer, aad: &aad }).map_err(|_| BackupFileError::Encryption)?;
            out.write_all(&sealed).map_err(FileError::of("write", &temporary))?;
            let file = out.into_inner().map_err(|e| FileError::of("write", &temporary)(e.into_error()))?;
            file.sync_all().map_err(FileError::of("write", &temporary))?;
            drop(file);
            std::fs::rename(&temporary, &path).map_err(FileError::of("rename into", &path))?;
            // The rename itself must reach the disk too.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                File::open(dir).and_then(|d| d.sync_all()).map_err(FileError::of("sync", dir))?;
            }
            Ok(written + sealed.len() as u64)
        };
        let finished = finish();
        if finished.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        finished
    }

    /// Removes the temporary file after a failure.
    pub fn abandon(self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}

/// Reads a backup's header without the key; returns it with the preamble's bytes (the chunks' associated data).
pub fn read_header(input: &mut impl Read) -> Result<(Header, Vec<u8>), BackupFileError> {
    let mut magic = [0u8; 16];
    input.read_exact(&mut magic).map_err(|_| BackupFileError::TooShort)?;
    if &magic != MAGIC {
        return Err(BackupFileError::NotABackup);
    }
    let mut len = [0u8; 4];
    input.read_exact(&mut len).map_err(|_| BackupFileError::HeaderCut)?;
    let len = u32::from_be_bytes(len) as usize;
    // Checked before anything is allocated: a damaged length must not ask for gigabytes.
    if len > MAX_HEADER {
        return Err(BackupFileError::HeaderDamaged);
    }
    let mut json = vec![0u8; len];
    input.read_exact(&mut json).map_err(|_| BackupFileError::HeaderCut)?;
    let header: Header = serde_json::from_slice(&json).map_err(|_| BackupFileError::HeaderDamaged)?;
    if header.format != FORMAT {
        return Err(BackupFileError::UnknownFormat(header.format));
    }
    let mut nonce = [0u8; NONCE];
    input.read_exact(&mut nonce).map_err(|_| BackupFileError::HeaderCut)?;
    let mut aad = magic.to_vec();
    aad.extend_from_slice(&(len as u32).to_be_bytes());
    aad.extend_from_slice(&json);
    aad.extend_from_slice(&nonce);
    Ok((header, aad))
}

/// The decrypted content of a backup, as a reader. Any failure to authenticate is an I/O error of kind
/// `InvalidData`: the reader never hands out unauthenticated bytes.
pub struct BackupReader<R: Read> {
    input: BufReader<R>,
    decryptor: Option<DecryptorBE32<XChaCha20Poly1305>>,
    aad: Vec<u8>,
    plain: Vec<u8>,
    at: usize,
    pub header: Header,
}

impl BackupReader<File> {
    /// Opens the backup file at `path`.
    pub fn open_file(path: &Path, key: &BackupKey) -> Result<Self, BackupFileError> {
        let file = File::open(path).map_err(FileError::of("open", path))?;
        Self::open(file, key)
    }
}

impl<R: Read> BackupReader<R> {
    pub fn open(input: R, key: &BackupKey) -> Result<Self, BackupFileError> {
        let mut input = BufReader::with_capacity(CHUNK + TAG + 1, input);
        let (header, aad) = read_header(&mut input)?;
        if header.key_id != key.id() {
            return Err(BackupFileError::OtherKey { file: header.key_id, given: key.id() });
        }
        let nonce = &aad[aad.len() - NONCE..];
        let decryptor = DecryptorBE32::from_aead(key.cipher(), nonce.into());
        Ok(Self { input, decryptor: Some(decryptor), aad, plain: Vec::new(), at: 0, header })
    }

    fn refill(&mut self) -> std::io::Result<()> {
        let Some(mut decryptor) = self.decryptor.take() else { return Ok(()) };
        let mut sealed = vec![0u8; CHUNK + TAG];
        let mut got = 0;
        while got < sealed.len() {
            let n = self.input.read(&mut sealed[got..])?;
            if n == 0 {
                break;
            }
            got += n;
        }
        sealed.truncate(got);
        let last = got < CHUNK + TAG || self.input.fill_buf()?.is_empty();
        let damaged = || std::io::Error::new(std::io::ErrorKind::InvalidData, DAMAGED);
        let payload = Payload { msg: &sealed, aad: &self.aad };
        self.plain = if last {
            decryptor.decrypt_last(payload).map_err(|_| damaged())?
        } else {
            let plain = decryptor.decrypt_next(payload).map_err(|_| damaged())?;
            self.decryptor = Some(decryptor);
            plain
        };
        self.at = 0;
        Ok(())
    }
}

impl<R: Read> Read for BackupReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.plain.len() {
            if self.decryptor.is_none() {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.plain.len() - self.at);
        buf[..n].copy_from_slice(&self.plain[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn key(byte: u8) -> BackupKey {
        BackupKey::parse(&format!("{byte:02x}").repeat(32)).unwrap()
    }

    /// Content that differs in every byte position, so a chunk out of place cannot decrypt to the same bytes.
    fn content(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// A backup of `plain` written in pieces of `piece` bytes; returns the file's bytes.
    fn sealed(plain: &[u8], piece: usize, key: &BackupKey) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.backup");
        let mut writer = BackupWriter::create(&path, key, &Header::new(key, "sqlite", 1_790_000_000)).unwrap();
        for part in plain.chunks(piece.max(1)) {
            writer.write(part).unwrap();
        }
        let size = writer.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(size, bytes.len() as u64);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, [std::ffi::OsString::from("test.backup")], "no temporary file is left");
        bytes
    }

    fn opened(bytes: &[u8], key: &BackupKey) -> Result<Vec<u8>, String> {
        let mut reader = BackupReader::open(bytes, key).map_err(|e| e.to_string())?;
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).map_err(|e| e.to_string())?;
        Ok(plain)
    }

    fn preamble_len(bytes: &[u8]) -> usize {
        16 + 4 + u32::from_be_bytes(bytes[16..20].try_into().unwrap()) as usize + NONCE
    }

    #[test]
    fn what_is_written_reads_back_at_every_size_around_a_chunk() {
        let key = key(0x0f);
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17] {
            for piece in [1000, CHUNK, 5 * CHUNK] {
                let plain = content(len);
                let bytes = sealed(&plain, piece, &key);
                assert_eq!(bytes.len(), preamble_len(&bytes) + len + len.div_ceil(CHUNK).max(1) * TAG, "{len}");
                assert_eq!(opened(&bytes, &key).unwrap(), plain, "{len} bytes in pieces of {piece}");
                let (header, _) = read_header(&mut bytes.as_slice()).unwrap();
                assert_eq!(header, Header::new(&key, "sqlite", 1_790_000_000));
            }
        }
    }

    #[test]
    fn the_content_is_not_in_the_clear_and_no_two_files_are_alike() {
        let key = key(0x0f);
        let plain = b"Client 1 said something private".repeat(100);
        let (one, two) = (sealed(&plain, CHUNK, &key), sealed(&plain, CHUNK, &key));
        assert!(!one.windows(8).any(|w| w == b"Client 1"));
        assert_ne!(one, two, "a fresh nonce for every file");
    }

    #[test]
    fn a_changed_cut_reordered_or_extended_file_is_damaged() {
        let key = key(0x0f);
        let good = sealed(&content(3 * CHUNK + 100), CHUNK, &key);
        let start = preamble_len(&good);
        let sealed_chunk = CHUNK + TAG;
        let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
        for at in [start, start + 1, start + sealed_chunk + 100, good.len() - 1] {
            let mut changed = good.clone();
            changed[at] ^= 1;
            cases.push(("a changed byte", changed));
        }
        let mut nonce = good.clone();
        nonce[start - 1] ^= 0x80;
        cases.push(("a changed nonce", nonce));
        for cut in [start, start + 1, start + sealed_chunk, start + 2 * sealed_chunk, good.len() - 5] {
            cases.push(("cut short", good[..cut].to_vec()));
        }
        let mut swapped = good[..start].to_vec();
        swapped.extend_from_slice(&good[start + sealed_chunk..start + 2 * sealed_chunk]);
        swapped.extend_from_slice(&good[start..start + sealed_chunk]);
        swapped.extend_from_slice(&good[start + 2 * sealed_chunk..]);
        cases.push(("two chunks swapped", swapped));
        let mut dropped = good[..start + sealed_chunk].to_vec();
        dropped.extend_from_slice(&good[start + 2 * sealed_chunk..]);
        cases.push(("a chunk dropped", dropped));
        let mut appended = good.clone();
        appended.extend_from_slice(&good[start..start + 20]);
        cases.push(("bytes appended", appended));
        for (what, bytes) in cases {
            let refused = opened(&bytes, &key).expect_err(what);
            assert_eq!(refused, DAMAGED, "{what}");
        }
    }

    #[test]
    fn a_changed_header_fails_authentication_or_says_it_is_damaged() {
        let key = key(0x0f);
        let good = sealed(&content(100), CHUNK, &key);
        let mut time = good.clone();
        let at = time.windows(10).position(|w| w == b"created_at").unwrap() + 12;
        time[at] = if time[at] == b'1' { b'2' } else { b'1' };
        assert_eq!(opened(&time, &key).unwrap_err(), DAMAGED);
        let mut json = good.clone();
        json[20] = b'[';
        assert_eq!(opened(&json, &key).unwrap_err(), "the backup's header is damaged");
        let mut format = good.clone();
        let at = format.windows(9).position(|w| w == b"\"format\":").unwrap() + 9;
        format[at] = b'7';
        assert_eq!(opened(&format, &key).unwrap_err(), "backup format 7 is not known to this version of Alliance");
    }

    #[test]
    fn what_is_not_a_backup_says_so_before_anything_is_read_or_allocated() {
        let key = key(0x0f);
        let good = sealed(&content(10), CHUNK, &key);
        assert_eq!(opened(b"", &key).unwrap_err(), "not an Alliance backup (too short)");
        assert_eq!(opened(&good[..15], &key).unwrap_err(), "not an Alliance backup (too short)");
        assert_eq!(opened(b"SQLite format 3\0 and much more", &key).unwrap_err(), "not an Alliance backup");
        let mut magic = good.clone();
        magic[0] = b'a';
        assert_eq!(opened(&magic, &key).unwrap_err(), "not an Alliance backup");
        for cut in [16, 18, 25, preamble_len(&good) - 1] {
            assert_eq!(opened(&good[..cut], &key).unwrap_err(), "the backup's header is cut short", "{cut}");
        }
        // A header length of 4 GiB is refused from its four bytes.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(opened(&huge, &key).unwrap_err(), "the backup's header is damaged");
        let mut just_over = MAGIC.to_vec();
        just_over.extend_from_slice(&(MAX_HEADER as u32 + 1).to_be_bytes());
        just_over.extend_from_slice(&[b' '; MAX_HEADER + 1]);
        assert_eq!(opened(&just_over, &key).unwrap_err(), "the backup's header is damaged");
    }

    #[test]
    fn another_key_is_named_by_its_id_before_anything_is_decrypted() {
        let bytes = sealed(&content(10), CHUNK, &key(0x0f));
        let refused = opened(&bytes, &key(0xab)).unwrap_err();
        assert_eq!(
            refused,
            format!(
                "this backup was made with another key (key id {}); the key given has the id {}",
                key(0x0f).id(),
                key(0xab).id()
            )
        );
    }

    #[test]
    fn key_ids_are_stable_across_releases() {
        // SHA-256("alliance backup key id\0" || key), first 8 bytes: computed independently (Python's hashlib).
        assert_eq!(key(0x0f).id(), "e327628216ae03d8");
        assert_eq!(key(0xab).id(), "c25ad828808f2b54");
    }

    #[test]
    fn a_backup_key_is_64_hexadecimal_digits() {
        assert!(BackupKey::parse(&format!("  {}\n", "0F".repeat(32))).is_ok());
        assert_eq!(BackupKey::parse(&"0f".repeat(32)).unwrap().id(), BackupKey::parse(&"0F".repeat(32)).unwrap().id());
        for bad in [String::new(), "0f".repeat(31), "0f".repeat(33), "0g".repeat(32), "é".repeat(32), "+f".repeat(32)]
        {
            assert_eq!(BackupKey::parse(&bad).err(), Some(KeyFormatError), "{bad:?}");
        }
    }

    #[test]
    fn a_backup_key_comes_from_its_file_or_else_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.key");
        assert!(matches!(BackupKey::load(Some(&path), None, false), Err(BackupKeyError::Missing(_))));
        assert!(matches!(BackupKey::load(None, None, true), Err(BackupKeyError::NewKeyNeedsFile)));
        assert!(matches!(BackupKey::load(None, None, false), Err(BackupKeyError::None)));
        let bad = BackupKey::load(None, Some("c2VjcmV0"), false).err().unwrap();
        assert!(matches!(bad, BackupKeyError::InEnvironment(_)));
        assert_eq!(bad.to_string(), BACKUP_KEY_ENV, "the value is not repeated");
        let made = BackupKey::load(Some(&path), None, true).unwrap();
        assert!(made.created);
        let again = BackupKey::load(Some(&path), Some(&"ab".repeat(32)), true).unwrap();
        assert!(!again.created && again.key.id() == made.key.id(), "the file wins, and is not made twice");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(BackupKey::load(Some(&path), None, false), Err(BackupKeyError::Shared(_))));
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(&path, "not a key\n").unwrap();
        let bad = BackupKey::load(Some(&path), None, false).err().unwrap();
        assert!(matches!(bad, BackupKeyError::InFile { .. }));
    }

    #[test]
    fn an_abandoned_backup_leaves_nothing_behind() {
        let key = key(0x0f);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.backup");
        let mut writer = BackupWriter::create(&path, &key, &Header::new(&key, "sqlite", 0)).unwrap();
        writer.write(&content(3 * CHUNK)).unwrap();
        writer.abandon();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(matches!(
            BackupWriter::create(Path::new("/"), &key, &Header::new(&key, "sqlite", 0)).err(),
            Some(BackupFileError::NoFileName)
        ));
    }
}
