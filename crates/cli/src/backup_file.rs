//! The encrypted backup file and its key.
//!
//! Layout: a plaintext preamble (magic, the length and text of a small JSON header with the format version, key
//! id, engine and creation time, and the 19-byte STREAM nonce prefix), then the copy in chunks of 64 KiB, each
//! sealed with XChaCha20-Poly1305 in the STREAM construction (big-endian 32-bit counter, last-chunk flag), with
//! the whole preamble as associated data of every chunk. A changed byte anywhere, a swapped or dropped chunk, or
//! a file cut short fails authentication; nothing needs to fit in memory.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, Payload};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const MAGIC: &[u8; 16] = b"ALLIANCE-BACKUP\n";
const FORMAT: u32 = 1;
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const NONCE: usize = 19;
const MAX_HEADER: usize = 4096;

/// A 256-bit backup key.
pub struct BackupKey([u8; 32]);

impl BackupKey {
    /// A short public name for the key, so a file made with another key is named as such.
    pub fn id(&self) -> String {
        let digest = Sha256::new().chain_update(b"alliance backup key id\0").chain_update(self.0).finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn parse(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("a backup key is 64 hexadecimal characters (32 bytes)");
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)?;
        }
        Ok(Self(key))
    }

    /// The key from `file` (created, readable by its owner only, when missing and `create` is set), else from
    /// the environment variable `ALLIANCE_BACKUP_KEY`.
    pub fn load(file: Option<&Path>, create: bool) -> anyhow::Result<Self> {
        let Some(path) = file else {
            if create {
                bail!("--new-key needs --backup-key-file: the new key must be kept somewhere");
            }
            let text = std::env::var("ALLIANCE_BACKUP_KEY")
                .map_err(|_| anyhow::anyhow!("no backup key: pass --backup-key-file or set ALLIANCE_BACKUP_KEY"))?;
            return Self::parse(&text).context("ALLIANCE_BACKUP_KEY");
        };
        if !path.exists() {
            if !create {
                bail!("the key file {} does not exist (pass --new-key to create one)", path.display());
            }
            let mut key = [0u8; 32];
            rand::rng().fill_bytes(&mut key);
            let text: String = key.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut out = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
            out.write_all(format!("{text}\n").as_bytes())?;
            out.sync_all()?;
            tracing::info!(file = %path.display(), "a new backup key was created: keep a copy apart from the backups");
            return Ok(Self(key));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                bail!("the key file {} can be read by other users: chmod 600 it", path.display());
            }
        }
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("{}", path.display()))
    }
}

/// The plaintext header: enough to say what a file is without the key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub key_id: String,
    pub engine: String,
    pub created_at: i64,
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
    pub fn create(path: &Path, key: &BackupKey, header: &Header) -> anyhow::Result<Self> {
        let name = path.file_name().and_then(|n| n.to_str()).context("the backup needs a file name")?;
        let temporary = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&temporary).with_context(|| format!("cannot create {}", temporary.display()))?;
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let json = serde_json::to_vec(header)?;
        let mut aad = MAGIC.to_vec();
        aad.extend_from_slice(&u32::try_from(json.len())?.to_be_bytes());
        aad.extend_from_slice(&json);
        aad.extend_from_slice(&nonce);
        let mut out = std::io::BufWriter::new(file);
        out.write_all(&aad)?;
        let cipher = XChaCha20Poly1305::new(&key.0.into());
        let encryptor = EncryptorBE32::from_aead(cipher, nonce.as_slice().into());
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

    pub fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.buffer.extend_from_slice(bytes);
        // Strictly more than a chunk: the last chunk (possibly full) is sealed as the last one in `finish`.
        while self.buffer.len() > CHUNK {
            let rest = self.buffer.split_off(CHUNK);
            let sealed = self
                .encryptor
                .encrypt_next(Payload { msg: &self.buffer, aad: &self.aad })
                .map_err(|_| anyhow::anyhow!("encryption failed"))?;
            self.out.write_all(&sealed)?;
            self.written += sealed.len() as u64;
            self.buffer = rest;
        }
        Ok(())
    }

    /// Seals the last chunk, syncs the file and renames it into place; returns the file's size.
    pub fn finish(self) -> anyhow::Result<u64> {
        let Self { mut out, temporary, path, encryptor, aad, buffer, written } = self;
        let sealed = encryptor
            .encrypt_last(Payload { msg: &buffer, aad: &aad })
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        out.write_all(&sealed)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, &path).with_context(|| format!("cannot rename into {}", path.display()))?;
        // The rename itself must reach the disk too.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(written + sealed.len() as u64)
    }

    /// Removes the temporary file after a failure.
    pub fn abandon(self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}

/// Reads a backup's header without the key.
pub fn read_header(input: &mut impl Read) -> anyhow::Result<(Header, Vec<u8>)> {
    let mut magic = [0u8; 16];
    input.read_exact(&mut magic).map_err(|_| anyhow::anyhow!("not an Alliance backup (too short)"))?;
    if &magic != MAGIC {
        bail!("not an Alliance backup");
    }
    let mut len = [0u8; 4];
    input.read_exact(&mut len).map_err(|_| anyhow::anyhow!("the backup's header is cut short"))?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_HEADER {
        bail!("the backup's header is damaged");
    }
    let mut json = vec![0u8; len];
    input.read_exact(&mut json).map_err(|_| anyhow::anyhow!("the backup's header is cut short"))?;
    let header: Header =
        serde_json::from_slice(&json).map_err(|_| anyhow::anyhow!("the backup's header is damaged"))?;
    if header.format != FORMAT {
        bail!("backup format {} is not known to this version of Alliance", header.format);
    }
    let mut nonce = [0u8; NONCE];
    input.read_exact(&mut nonce).map_err(|_| anyhow::anyhow!("the backup's header is cut short"))?;
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

const DAMAGED: &str = "the backup is damaged, cut short or was changed (or the key is not the one it was made with)";

impl<R: Read> BackupReader<R> {
    pub fn open(input: R, key: &BackupKey) -> anyhow::Result<Self> {
        let mut input = BufReader::with_capacity(CHUNK + TAG + 1, input);
        let (header, aad) = read_header(&mut input)?;
        if header.key_id != key.id() {
            bail!(
                "this backup was made with another key (key id {}); the key given has the id {}",
                header.key_id,
                key.id()
            );
        }
        let nonce = &aad[aad.len() - NONCE..];
        let cipher = XChaCha20Poly1305::new(&key.0.into());
        let decryptor = DecryptorBE32::from_aead(cipher, nonce.into());
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
