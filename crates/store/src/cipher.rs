//! The practice's keys and per-field encryption.
//!
//! One key file holds every key (operators back up one thing):
//!
//! ```text
//! db <base64 of 32 bytes>   the database secret
//! v1 <base64 of 32 bytes>   field key, version 1
//! v2 <base64 of 32 bytes>   field key, version 2 (the newest writes; every listed version reads)
//! ```
//!
//! The database secret is never used directly: HKDF-SHA-256 derives from it the SQLCipher page key and the key of
//! the e-mail blind index, so each key has one purpose and neither reveals the other. It is kept apart from the
//! field keys because it changes on a different schedule: rotating field keys re-encrypts fields only, while a new
//! page key means rewriting the whole file (a copy under the new key, then a swap; not `PRAGMA rekey`, which
//! rewrites in place and reports success even when a page fails).
//!
//! A field is sealed with XChaCha20-Poly1305 under the newest field key. Its associated data names the table,
//! column and row, so a value copied into another row or column no longer opens. Stored form:
//! `v<version>:<base64 of 24-byte nonce, ciphertext and 16-byte tag>`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload, rand_core::RngCore};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

type Secret = Zeroizing<[u8; 32]>;

/// The largest key file read: a few hundred versions, far more than any practice needs.
pub const MAX_KEY_FILE_BYTES: usize = 64 * 1024;

/// A column that is encrypted, named as in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub table: &'static str,
    pub column: &'static str,
}

pub const CLIENT_PSEUDONYM: Field = Field { table: "clients", column: "pseudonym" };
pub const CLIENT_CONTACT: Field = Field { table: "clients", column: "contact" };
pub const USER_EMAIL: Field = Field { table: "users", column: "email" };
pub const USER_DISPLAY_NAME: Field = Field { table: "users", column: "display_name" };
pub const RESPONSE_ANSWERS: Field = Field { table: "responses", column: "answers" };
pub const COMMENT_BODY: Field = Field { table: "reflection_comments", column: "body" };
pub const BREAK_GLASS_REASON: Field = Field { table: "break_glass_grants", column: "reason" };
pub const TOTP_SECRET: Field = Field { table: "totp_factors", column: "secret" };
pub const SUPERVISION_FOCUS: Field = Field { table: "therapy_sessions", column: "supervision_focus" };
/// A response's flags: which risk items were endorsed (item 9 of the PHQ-9), and the reflection's indicators.
pub const RESPONSE_FLAGS: Field = Field { table: "responses", column: "flags" };
/// The key of an acknowledged signal, which names its kind (a risk signal) and session.
pub const SIGNAL_KEY: Field = Field { table: "signal_acknowledgements", column: "signal_key" };
pub const RISK_ACTION_NOTE: Field = Field { table: "risk_actions", column: "note" };
/// Which risk signal an action was recorded on (it names the session item 9 was endorsed in).
pub const RISK_ACTION_KEY: Field = Field { table: "risk_actions", column: "signal_key" };

/// Where an e-mail waiting to be sent links to (a reset link is a secret; a risk notice names a client number).
pub const MAIL_PATH: Field = Field { table: "mail_outbox", column: "path" };

/// The client's partnership (issue 16): goals in their words and each wording in a goal's history, tasks agreed
/// for between sessions, what got in the way of one, and the therapist's event notes.
pub const GOAL_TEXT: Field = Field { table: "goals", column: "text" };
pub const GOAL_HISTORY_TEXT: Field = Field { table: "goal_history", column: "text" };
pub const TASK_TEXT: Field = Field { table: "tasks", column: "text" };
pub const TASK_OBSTACLE: Field = Field { table: "task_reports", column: "obstacle" };
pub const EVENT_NOTE_TEXT: Field = Field { table: "event_notes", column: "text" };

/// The check link a waiting-room code opens (a secret: whoever holds it answers the check).
pub const KIOSK_LINK_TOKEN: Field = Field { table: "kiosk_codes", column: "token" };
pub const REPAIR_NOTE: Field = Field { table: "repair_attempts", column: "note" };
/// A client's background in their own words (issue 20).
pub const BACKGROUND_TEXT: Field = Field { table: "client_background", column: "text" };
/// Supervision that learns (issue 20): a boundary event's note, what a supervision meeting agreed, and each action
/// agreed about a client.
pub const BOUNDARY_NOTE: Field = Field { table: "boundary_events", column: "note" };
pub const MEETING_AGREED: Field = Field { table: "supervision_meetings", column: "agreed" };
pub const SUPERVISION_ACTION_TEXT: Field = Field { table: "supervision_actions", column: "text" };
/// A session's transcript as uploaded, and which speaker was named therapist and which client (issue 21).
pub const TRANSCRIPT_TEXT: Field = Field { table: "session_transcripts", column: "text" };
pub const TRANSCRIPT_SPEAKERS: Field = Field { table: "session_transcripts", column: "speakers" };

/// Every encrypted column with its table's row id column: what key rotation re-encrypts.
pub const ENCRYPTED: &[(Field, &str)] = &[
    (CLIENT_PSEUDONYM, "id"),
    (CLIENT_CONTACT, "id"),
    (USER_EMAIL, "id"),
    (USER_DISPLAY_NAME, "id"),
    (RESPONSE_ANSWERS, "administration_id"),
    (COMMENT_BODY, "id"),
    (BREAK_GLASS_REASON, "id"),
    (TOTP_SECRET, "user_id"),
    (SUPERVISION_FOCUS, "id"),
    (RESPONSE_FLAGS, "administration_id"),
    (SIGNAL_KEY, "id"),
    (RISK_ACTION_NOTE, "id"),
    (RISK_ACTION_KEY, "id"),
    (MAIL_PATH, "id"),
    (GOAL_TEXT, "id"),
    (GOAL_HISTORY_TEXT, "id"),
    (TASK_TEXT, "id"),
    (TASK_OBSTACLE, "task_id"),
    (EVENT_NOTE_TEXT, "id"),
    (KIOSK_LINK_TOKEN, "link_id"),
    (REPAIR_NOTE, "id"),
    (BACKGROUND_TEXT, "id"),
    (BOUNDARY_NOTE, "id"),
    (MEETING_AGREED, "id"),
    (SUPERVISION_ACTION_TEXT, "id"),
    (TRANSCRIPT_TEXT, "id"),
    (TRANSCRIPT_SPEAKERS, "id"),
];

/// A binary secret (a TOTP key) as the text a sealed field holds.
pub fn encode_secret(secret: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(secret)
}

/// The binary secret back from its sealed text.
pub fn decode_secret(text: &str) -> Result<Vec<u8>, crate::StoreError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| crate::StoreError::Corrupt("a sealed secret is not base64".into()))
}

/// What went wrong with keys or a sealed field. Messages name keys and rows, never key material or content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("key file line {line}: {why}")]
    Format { line: usize, why: &'static str },
    #[error("the key file has no `db` line")]
    NoDatabaseKey,
    #[error("the key file has no field key (a line such as `v1 ...`)")]
    NoFieldKey,
    #[error("the key file is larger than {MAX_KEY_FILE_BYTES} bytes")]
    TooLarge,
    #[error("key version v{0} is not in the key file")]
    UnknownVersion(u32),
    #[error("v{0} is the newest key version, which writes new data; rotate before retiring it")]
    NewestVersion(u32),
    #[error("{table}.{column} of row {row} is not an encrypted value")]
    NotSealed { table: &'static str, column: &'static str, row: i64 },
    #[error("{table}.{column} of row {row} does not decrypt: wrong key or changed data")]
    Refused { table: &'static str, column: &'static str, row: i64 },
}

#[derive(Clone)]
pub struct Keyring {
    database: Secret,
    fields: BTreeMap<u32, Secret>,
    /// A serving keyring follows its key file: field keys a rotation adds while it runs are read when a value
    /// sealed under one is first met (see [`Keyring::following`]).
    followed: Option<Arc<Followed>>,
}

/// Reads the keys again from where they came from; `None` when they cannot be read now.
pub type KeyReader = dyn Fn() -> Option<Keyring> + Send + Sync;

/// The key source of a serving keyring and the field keys read from it since the start.
struct Followed {
    read: Box<KeyReader>,
    added: RwLock<BTreeMap<u32, Secret>>,
    last_read: Mutex<Option<Instant>>,
}

/// The least time between two reads of a followed key file: a value under an unknown version cannot make a
/// server read its key file more often than this.
const REREAD_AFTER: Duration = Duration::from_secs(1);

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("versions", &self.versions()).finish_non_exhaustive()
    }
}

fn random_secret() -> Secret {
    let mut secret = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(secret.as_mut());
    secret
}

fn hkdf(ikm: &[u8], info: &[u8]) -> Secret {
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA-256's limit of 255 * 32: expand cannot fail.
    let _ = hkdf::Hkdf::<Sha256>::new(None, ikm).expand(info, out.as_mut());
    out
}

impl Keyring {
    /// A new keyring: a fresh database secret and field key v1.
    pub fn generate() -> Self {
        Self { database: random_secret(), fields: BTreeMap::from([(1, random_secret())]), followed: None }
    }

    /// Reads a key file's text. Blank lines and lines starting with `#` are ignored.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        if text.len() > MAX_KEY_FILE_BYTES {
            return Err(KeyError::TooLarge);
        }
        let mut database = None;
        let mut fields = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let err = |why| KeyError::Format { line: line_no, why };
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (Some(name), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(err("expected a name and a base64 key"));
            };
            let bytes = Zeroizing::new(STANDARD.decode(value).map_err(|_| err("the key is not base64"))?);
            let secret: [u8; 32] = bytes.as_slice().try_into().map_err(|_| err("a key must be 32 bytes"))?;
            let secret = Zeroizing::new(secret);
            if name == "db" {
                if database.replace(secret).is_some() {
                    return Err(err("a second `db` line"));
                }
            } else {
                let version = name
                    .strip_prefix('v')
                    .filter(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0'))
                    .and_then(|n| n.parse::<u32>().ok())
                    .ok_or_else(|| err("expected `db` or a version such as `v1`"))?;
                if fields.insert(version, secret).is_some() {
                    return Err(err("this version appears twice"));
                }
            }
        }
        let database = database.ok_or(KeyError::NoDatabaseKey)?;
        if fields.is_empty() {
            return Err(KeyError::NoFieldKey);
        }
        Ok(Self { database, fields, followed: None })
    }

    /// The same keys, following their source: when a value is sealed under a version these keys lack (a
    /// rotation ran while the server served), `read` is asked for the keys again and the field keys it adds are
    /// used from then on, the newest for sealing too. Keys with another database secret are not taken (that is a
    /// rekey, which a serving practice refuses).
    pub fn following(self, read: impl Fn() -> Option<Keyring> + Send + Sync + 'static) -> Self {
        let followed =
            Followed { read: Box::new(read), added: RwLock::new(BTreeMap::new()), last_read: Mutex::new(None) };
        Self { followed: Some(Arc::new(followed)), ..self }
    }

    /// Reads the followed source again, at most once per [`REREAD_AFTER`]; true when it added a field key.
    pub fn reread(&self) -> bool {
        let Some(followed) = &self.followed else { return false };
        {
            let mut last = followed.last_read.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if last.is_some_and(|at| at.elapsed() < REREAD_AFTER) {
                return false;
            }
            *last = Some(Instant::now());
        }
        let Some(fresh) = (followed.read)() else { return false };
        if fresh.database.as_ref() != self.database.as_ref() {
            return false;
        }
        let mut added = followed.added.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut any = false;
        for (version, secret) in fresh.fields {
            if !self.fields.contains_key(&version) && !added.contains_key(&version) {
                added.insert(version, secret);
                any = true;
            }
        }
        any
    }

    /// The field key of `version`: the keys' own, else one read since from the followed source.
    fn field_key(&self, version: u32) -> Option<Secret> {
        if let Some(secret) = self.fields.get(&version) {
            return Some(secret.clone());
        }
        let followed = self.followed.as_ref()?;
        followed.added.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&version).cloned()
    }

    /// Every field key version, those read since from the followed source included.
    fn all_versions(&self) -> BTreeMap<u32, ()> {
        let mut all: BTreeMap<u32, ()> = self.fields.keys().map(|v| (*v, ())).collect();
        if let Some(followed) = &self.followed {
            let added = followed.added.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            all.extend(added.keys().map(|v| (*v, ())));
        }
        all
    }

    /// The key file's text. Secret: write it only to a file readable by its owner.
    pub fn to_file_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::from(
            "# Alliance keys. Without this file the practice's data cannot be read: keep a copy apart from the\n\
             # backups. `db` protects the database file; v1, v2 ... protect fields (the newest writes).\n",
        ));
        text.push_str(&format!("db {}\n", STANDARD.encode(self.database.as_ref())));
        for (version, secret) in &self.fields {
            text.push_str(&format!("v{version} {}\n", STANDARD.encode(secret.as_ref())));
        }
        text
    }

    pub fn versions(&self) -> Vec<u32> {
        self.all_versions().keys().copied().collect()
    }

    pub fn newest_version(&self) -> u32 {
        self.all_versions().keys().next_back().copied().unwrap_or(0)
    }

    /// The same keys plus a new, newest field key (not following any source: for changing the key file).
    pub fn with_new_version(&self) -> Self {
        let mut fields = self.fields.clone();
        fields.insert(self.newest_version().saturating_add(1), random_secret());
        Self { database: self.database.clone(), fields, followed: None }
    }

    /// The same field keys with a new database secret (a new page key and e-mail index key).
    pub fn with_new_database_secret(&self) -> Self {
        Self { database: random_secret(), fields: self.fields.clone(), followed: None }
    }

    /// The same keys without `version`. The newest version cannot go: it is the one that writes.
    pub fn without_version(&self, version: u32) -> Result<Self, KeyError> {
        if !self.fields.contains_key(&version) {
            return Err(KeyError::UnknownVersion(version));
        }
        if version == self.newest_version() {
            return Err(KeyError::NewestVersion(version));
        }
        let mut fields = self.fields.clone();
        fields.remove(&version);
        Ok(Self { database: self.database.clone(), fields, followed: None })
    }

    /// SQLCipher's raw page key as 64 hex digits (used as `x'...'`, so no password KDF runs per connection).
    pub fn sqlcipher_key_hex(&self) -> Zeroizing<String> {
        let key = hkdf(self.database.as_ref(), b"alliance sqlcipher page key");
        Zeroizing::new(key.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The blind index of an e-mail address: HMAC-SHA-256 of the trimmed, lowercased address under a key of its
    /// own, so sign-in can find an account without the address being stored in clear.
    pub fn email_index(&self, email: &str) -> Vec<u8> {
        let key = hkdf(self.database.as_ref(), b"alliance email blind index");
        // HMAC takes keys of any length: new_from_slice cannot fail.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref()) else { return Vec::new() };
        mac.update(email.trim().to_lowercase().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The blind index of an acknowledged signal: HMAC-SHA-256 of the client and the signal's key under a key of
    /// its own, so "the first acknowledgement stands" stays a unique constraint while the key itself is sealed.
    /// Derived from the database secret, as the e-mail index is: a field key rotation leaves it as it is.
    pub fn signal_index(&self, client: i64, key: &str) -> Vec<u8> {
        let secret = hkdf(self.database.as_ref(), b"alliance signal key index");
        // HMAC takes keys of any length: new_from_slice cannot fail.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_ref()) else { return Vec::new() };
        mac.update(&client.to_be_bytes());
        mac.update(key.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The research id of a record (`Consents::research_id`): HMAC-SHA-256 of its kind and id under a key of its
    /// own, derived from the database secret as the blind indexes are: stable across field key rotations, new
    /// after a rekey.
    pub fn research_index(&self, kind: &str, id: i64) -> Vec<u8> {
        let secret = hkdf(self.database.as_ref(), b"alliance research id");
        // HMAC takes keys of any length: new_from_slice cannot fail.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_ref()) else { return Vec::new() };
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(&id.to_be_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Encrypts `plaintext` for `field` of row `row` under the newest key.
    pub fn seal(&self, field: Field, row: i64, plaintext: &str) -> String {
        let version = self.newest_version();
        let Some(secret) = self.field_key(version) else { return String::new() };
        let cipher = XChaCha20Poly1305::new(secret.as_ref().into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = associated_data(field, row, version);
        // Encryption fails only for messages beyond 256 GiB; no field comes near.
        let sealed = cipher.encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: &aad }).unwrap_or_default();
        let mut bytes = Vec::with_capacity(nonce.len() + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("v{version}:{}", STANDARD.encode(bytes))
    }

    pub fn seal_opt(&self, field: Field, row: i64, plaintext: Option<&str>) -> Option<String> {
        plaintext.map(|p| self.seal(field, row, p))
    }

    /// Decrypts a sealed value of `field` in row `row`; refuses any change to it, its row or its column.
    pub fn open(&self, field: Field, row: i64, stored: &str) -> Result<String, KeyError> {
        let not_sealed = KeyError::NotSealed { table: field.table, column: field.column, row };
        let refused = KeyError::Refused { table: field.table, column: field.column, row };
        let (version, body) = split_sealed(stored).ok_or(not_sealed.clone())?;
        // A version these keys lack may have been added by a rotation since the server started.
        let secret = match self.field_key(version) {
            Some(secret) => secret,
            None if self.reread() => self.field_key(version).ok_or(KeyError::UnknownVersion(version))?,
            None => return Err(KeyError::UnknownVersion(version)),
        };
        let bytes = STANDARD.decode(body).map_err(|_| not_sealed.clone())?;
        if bytes.len() < 24 + 16 {
            return Err(not_sealed);
        }
        let (nonce, sealed) = bytes.split_at(24);
        let cipher = XChaCha20Poly1305::new(secret.as_ref().into());
        let aad = associated_data(field, row, version);
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: &aad })
            .map_err(|_| refused.clone())?;
        String::from_utf8(plain).map_err(|_| refused)
    }

    pub fn open_opt(&self, field: Field, row: i64, stored: Option<&str>) -> Result<Option<String>, KeyError> {
        stored.map(|s| self.open(field, row, s)).transpose()
    }
}

/// The key version a sealed value was written with.
pub fn version_of(stored: &str) -> Option<u32> {
    split_sealed(stored).map(|(v, _)| v)
}

fn split_sealed(stored: &str) -> Option<(u32, &str)> {
    let (version, body) = stored.strip_prefix('v')?.split_once(':')?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((version.parse().ok()?, body))
}

/// Table, column, row and key version, each length-prefixed so no two different places encode alike.
fn associated_data(field: Field, row: i64, version: u32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64);
    aad.extend_from_slice(b"alliance field 1");
    for part in [field.table, field.column] {
        aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad.extend_from_slice(&row.to_be_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const FIELD: Field = CLIENT_PSEUDONYM;

    /// A rotation while a server runs: the server's keys meet a value under v2, read their file again, open it
    /// and seal under v2 from then on; keys with another database secret (a rekey) are not taken.
    #[test]
    fn a_following_keyring_takes_up_a_version_added_to_its_file() {
        let started = Keyring::generate();
        let rotated = started.with_new_version();
        let file = Arc::new(Mutex::new(started.to_file_text()));
        let source = file.clone();
        let serving = started.clone().following(move || Keyring::parse(&source.lock().unwrap()).ok());
        let under_v2 = rotated.seal(FIELD, 7, "Robin");
        assert_eq!(serving.open(FIELD, 7, &under_v2), Err(KeyError::UnknownVersion(2)), "not in the file yet");
        *file.lock().unwrap() = rotated.to_file_text();
        // The file was read less than a second ago: not again yet.
        assert_eq!(serving.open(FIELD, 7, &under_v2), Err(KeyError::UnknownVersion(2)));
        *serving.followed.as_ref().unwrap().last_read.lock().unwrap() = None;
        assert_eq!(serving.open(FIELD, 7, "v9:AAAA"), Err(KeyError::UnknownVersion(9)), "reads the file once");
        assert_eq!(serving.open(FIELD, 7, &under_v2).unwrap(), "Robin", "v2 was read with the v9 attempt");
        let sealed = serving.seal(FIELD, 8, "Sam");
        assert_eq!(version_of(&sealed), Some(2), "the newest version seals");
        assert_eq!(rotated.open(FIELD, 8, &sealed).unwrap(), "Sam");
        assert_eq!(serving.versions(), vec![1, 2]);
        // A clone shares what was read; a keyring made for changing the file does not follow.
        assert_eq!(serving.clone().open(FIELD, 7, &under_v2).unwrap(), "Robin");
        assert!(serving.with_new_version().followed.is_none());

        let other = Keyring::generate().with_new_version().with_new_version();
        let file = Arc::new(Mutex::new(other.to_file_text()));
        let serving = started.following(move || Keyring::parse(&file.lock().unwrap()).ok());
        let under_v3 = other.seal(FIELD, 1, "x");
        assert_eq!(serving.open(FIELD, 1, &under_v3), Err(KeyError::UnknownVersion(3)), "another db secret");
        assert_eq!(serving.newest_version(), 1);
    }
}
