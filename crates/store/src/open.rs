//! Naming and opening the practice's database. A [`DatabaseSpec`] (`sqlite:PATH` or `postgres://...`) is parsed
//! once, where the operator typed it; a [`Database`] is a database of either engine, opened in the mode the use
//! needs. Every command opens its database here, so the engines' differences (a file's permissions, a server
//! that is still starting) are dealt with in one place.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::data_folder::restrict_database_files;
use crate::{FileError, Keyring, PostgresOptions, PostgresStore, SqliteStore, Store, StoreError, StoreResult};

/// The longest database spec accepted: more than any real path (4096 bytes on Linux) or URL needs.
pub const MAX_SPEC_BYTES: usize = 4096;

/// Which database, as named on the command line: `sqlite:PATH` (also `sqlite://PATH`) or
/// `postgres://USER:PASSWORD@HOST/NAME` (also `postgresql://`). A URL may hold a password: `Display` and `Debug`
/// hide it, and no error repeats what was typed.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseSpec {
    Sqlite(PathBuf),
    Postgres(String),
}

/// Why a database spec was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("a database is named sqlite:PATH or postgres://USER@HOST/NAME")]
    UnknownKind,
    #[error("sqlite: needs a file path, e.g. sqlite:/var/lib/alliance/alliance.db")]
    NoPath,
    #[error("an in-memory SQLite database keeps nothing: name a file")]
    InMemory,
    #[error("a database name is at most {MAX_SPEC_BYTES} bytes long")]
    TooLong,
    #[error("a database name has no control characters")]
    ControlCharacter,
    /// The URL parser's reason, which never quotes the URL (it may hold a password).
    #[error("not a valid PostgreSQL URL: {0}")]
    PostgresUrl(url::ParseError),
}

impl DatabaseSpec {
    pub fn parse(text: &str) -> Result<Self, SpecError> {
        if text.len() > MAX_SPEC_BYTES {
            return Err(SpecError::TooLong);
        }
        // A NUL would cut the path short where SQLite reads it; others would reach a terminal in messages.
        if text.chars().any(char::is_control) {
            return Err(SpecError::ControlCharacter);
        }
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(SpecError::NoPath);
            }
            // SQLite itself would take this name for a database that vanishes when the command ends.
            if path == ":memory:" {
                return Err(SpecError::InMemory);
            }
            Ok(DatabaseSpec::Sqlite(PathBuf::from(path)))
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            url::Url::parse(text).map_err(SpecError::PostgresUrl)?;
            Ok(DatabaseSpec::Postgres(text.to_owned()))
        } else {
            Err(SpecError::UnknownKind)
        }
    }

    /// False only for a SQLite file that exists: a PostgreSQL database cannot be told apart from a new one
    /// without connecting. Decides whether a missing key file may be created.
    pub fn may_be_new(&self) -> bool {
        match self {
            DatabaseSpec::Sqlite(path) => !path.exists(),
            DatabaseSpec::Postgres(_) => true,
        }
    }

    /// Refuses a SQLite file that does not exist, for uses that must never create an empty database and report on
    /// it as if it were the practice's.
    pub fn ensure_exists(&self) -> Result<(), OpenError> {
        match self {
            DatabaseSpec::Sqlite(path) if !path.is_file() => Err(OpenError::Missing(path.clone())),
            _ => Ok(()),
        }
    }

    /// The folder a scratch copy made on the way to this database goes in: beside a SQLite file (on the same
    /// disk, as private as the target), else the system's temporary folder.
    pub fn scratch_folder(&self) -> PathBuf {
        match self {
            DatabaseSpec::Sqlite(path) => {
                path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned()
            }
            DatabaseSpec::Postgres(_) => std::env::temp_dir(),
        }
    }
}

impl FromStr for DatabaseSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, SpecError> {
        Self::parse(text)
    }
}

impl fmt::Display for DatabaseSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseSpec::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            DatabaseSpec::Postgres(url) => f.write_str(&hide_password(url)),
        }
    }
}

impl fmt::Debug for DatabaseSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseSpec({self})")
    }
}

/// A database URL with its password replaced by `***`, for printing. Anything that is not a URL with a user and
/// password comes back as it was.
pub fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// What opening does to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Created if missing and brought up to the newest schema: for serving, and for every command that writes.
    Latest,
    /// An existing database, its schema left as it is: for reading a copy of it beside a server of another
    /// release (see `SqliteStore::open_as_is`).
    AsIs,
    /// A new SQLite database at exactly this schema version, to load a backup of that version into.
    AtVersion(i64),
    /// A SQLite database for a one-off bulk load that is simply run again if it fails: commits do not wait for
    /// the disk.
    BulkLoad,
}

/// How to open a database: the mode, and for PostgreSQL the pool and the wait for a server that is starting.
#[derive(Debug, Clone)]
pub struct Opening {
    pub mode: OpenMode,
    pub postgres: PostgresOptions,
    /// How long to keep trying while the PostgreSQL server cannot be reached (zero: once). A refused password
    /// or a missing database is not waited for: those need the operator.
    pub wait_for_server: Duration,
    /// Told how long until the next try, each time the server could not be reached (to log it).
    pub on_wait: Option<fn(Duration)>,
}

impl Opening {
    pub fn new(mode: OpenMode) -> Self {
        Self { mode, postgres: PostgresOptions::default(), wait_for_server: Duration::ZERO, on_wait: None }
    }

    /// At most `n` connections to a PostgreSQL database.
    pub fn connections(mut self, n: u32) -> Self {
        self.postgres.max_connections = n;
        self
    }

    /// Waits up to `wait` for a PostgreSQL server that cannot be reached yet, calling `on_wait` before each pause.
    pub fn waiting(mut self, wait: Duration, on_wait: fn(Duration)) -> Self {
        self.wait_for_server = wait;
        self.on_wait = Some(on_wait);
        self
    }
}

/// Why a database did not open. No variant carries a URL (it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open {}", .path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    #[error("cannot open the PostgreSQL database")]
    Postgres(#[source] StoreError),
    #[error("no database at {}", .0.display())]
    Missing(PathBuf),
    #[error("{}", sqlite_only(*.0))]
    SqliteOnly(OpenMode),
    #[error(transparent)]
    File(#[from] FileError),
}

fn sqlite_only(mode: OpenMode) -> String {
    match mode {
        OpenMode::AtVersion(version) => format!("a database at schema version {version} is made with SQLite only"),
        _ => "a bulk load is for SQLite only".to_owned(),
    }
}

/// An open database of either engine.
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Database {
    /// Opens the database `spec` names with `keys`, as `how` says. A SQLite file created or changed here is made
    /// readable by its owner only.
    pub async fn open(spec: &DatabaseSpec, keys: &Keyring, how: &Opening) -> Result<Self, OpenError> {
        match spec {
            DatabaseSpec::Sqlite(path) => {
                let store = match how.mode {
                    OpenMode::Latest => SqliteStore::open(path, keys).await,
                    OpenMode::AsIs => SqliteStore::open_as_is(path, keys).await,
                    OpenMode::AtVersion(version) => SqliteStore::create_at_version(path, keys, version).await,
                    OpenMode::BulkLoad => SqliteStore::open_for_bulk_load(path, keys).await,
                }
                .map_err(|source| OpenError::Sqlite { path: path.clone(), source })?;
                // A database read as it is was not written here, and keeps the permissions its owner gave it.
                if how.mode != OpenMode::AsIs
                    && let Err(e) = restrict_database_files(path)
                {
                    // Closed on every path: SQLCipher connections still closing as the process exits can crash it.
                    store.close().await;
                    return Err(e.into());
                }
                Ok(Database::Sqlite(store))
            }
            DatabaseSpec::Postgres(url) => Ok(Database::Postgres(connect_waiting(url, keys, how).await?)),
        }
    }

    /// The store, shared: what the web application and the scheduled jobs hold.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Database::Sqlite(s) => Arc::new(s.clone()),
            Database::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// The store, borrowed.
    pub fn as_store(&self) -> &dyn Store {
        match self {
            Database::Sqlite(s) => s,
            Database::Postgres(s) => s,
        }
    }

    /// The engine's name, as backups and copies record it.
    pub fn engine_name(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection, those of the store's clones included.
    pub async fn close(&self) {
        match self {
            Database::Sqlite(s) => s.close().await,
            Database::Postgres(s) => s.close().await,
        }
    }

    /// See `SqliteStore::reencrypt_fields`.
    pub async fn reencrypt_fields(&self) -> StoreResult<u64> {
        match self {
            Database::Sqlite(s) => s.reencrypt_fields().await,
            Database::Postgres(s) => s.reencrypt_fields().await,
        }
    }

    /// See `SqliteStore::end_all_sign_ins`.
    pub async fn end_all_sign_ins(&self, event: &crate::AuditEvent) -> StoreResult<u64> {
        match self {
            Database::Sqlite(s) => s.end_all_sign_ins(event).await,
            Database::Postgres(s) => s.end_all_sign_ins(event).await,
        }
    }

    /// The keys the database was opened with.
    pub(crate) fn keys(&self) -> &Keyring {
        match self {
            Database::Sqlite(s) => s.keys(),
            Database::Postgres(s) => s.keys(),
        }
    }

    /// See `SqliteStore::fields_sealed_with`.
    pub async fn fields_sealed_with(&self, version: u32) -> StoreResult<u64> {
        match self {
            Database::Sqlite(s) => s.fields_sealed_with(version).await,
            Database::Postgres(s) => s.fields_sealed_with(version).await,
        }
    }
}

/// Connects to PostgreSQL, trying again while the server cannot be reached and the wait allows, with pauses that
/// double up to five seconds.
async fn connect_waiting(url: &str, keys: &Keyring, how: &Opening) -> Result<PostgresStore, OpenError> {
    let deadline = Instant::now() + how.wait_for_server;
    let mut pause = Duration::from_millis(250);
    loop {
        let connected = match how.mode {
            OpenMode::Latest => PostgresStore::connect(url, how.postgres.clone(), keys).await,
            OpenMode::AsIs => PostgresStore::connect_as_is(url, how.postgres.clone(), keys).await,
            mode @ (OpenMode::AtVersion(_) | OpenMode::BulkLoad) => return Err(OpenError::SqliteOnly(mode)),
        };
        match connected {
            Err(StoreError::Unavailable(_)) if Instant::now() + pause < deadline => {
                if let Some(on_wait) = how.on_wait {
                    on_wait(pause);
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            connected => return connected.map_err(OpenError::Postgres),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_sqlite_spec_names_its_file() {
        for text in ["sqlite:/var/lib/alliance/alliance.db", "sqlite:///var/lib/alliance/alliance.db"] {
            assert_eq!(DatabaseSpec::parse(text), Ok(DatabaseSpec::Sqlite("/var/lib/alliance/alliance.db".into())));
        }
        assert_eq!(DatabaseSpec::parse("sqlite:relative.db"), Ok(DatabaseSpec::Sqlite("relative.db".into())));
        assert_eq!(DatabaseSpec::parse("sqlite:/with space/ø.db"), Ok(DatabaseSpec::Sqlite("/with space/ø.db".into())));
    }

    #[test]
    fn a_postgres_spec_keeps_its_url_and_hides_the_password_when_shown() {
        for text in ["postgres://alliance:Sw0rdf1sh@db.example.org:5432/alliance", "postgresql://a:Sw0rdf1sh@h/d"] {
            let spec = DatabaseSpec::parse(text).unwrap();
            assert_eq!(spec, DatabaseSpec::Postgres(text.to_owned()));
            for shown in [spec.to_string(), format!("{spec:?}")] {
                assert!(!shown.contains("Sw0rdf1sh") && shown.contains(":***@"), "{shown}");
            }
        }
        let no_password = DatabaseSpec::parse("postgres://alliance@db.example.org/alliance").unwrap();
        assert_eq!(no_password.to_string(), "postgres://alliance@db.example.org/alliance");
    }

    #[test]
    fn malformed_specs_are_refused_with_the_reason() {
        let cases: &[(&str, SpecError)] = &[
            ("", SpecError::UnknownKind),
            ("alliance.db", SpecError::UnknownKind),
            ("mysql://x", SpecError::UnknownKind),
            ("SQLITE:/x.db", SpecError::UnknownKind),
            (" sqlite:/x.db", SpecError::UnknownKind),
            ("postgres:/x", SpecError::UnknownKind),
            ("sqlite:", SpecError::NoPath),
            ("sqlite://", SpecError::NoPath),
            ("sqlite::memory:", SpecError::InMemory),
            ("sqlite:/x.db\0/etc/passwd", SpecError::ControlCharacter),
            ("sqlite:/x\n.db", SpecError::ControlCharacter),
            ("sqlite:/x\u{1b}[2J.db", SpecError::ControlCharacter),
            ("postgres://a:b@h/d\r\nHost: evil", SpecError::ControlCharacter),
        ];
        for (text, why) in cases {
            assert_eq!(DatabaseSpec::parse(text).as_ref(), Err(why), "{text:?}");
        }
        assert!(matches!(DatabaseSpec::parse("postgres://a@h:99999/d"), Err(SpecError::PostgresUrl(_))));
        assert!(matches!(DatabaseSpec::parse("postgres://a@[::1/d"), Err(SpecError::PostgresUrl(_))));
    }

    #[test]
    fn an_oversized_spec_is_refused_before_it_is_read() {
        let long = format!("sqlite:/{}", "a".repeat(MAX_SPEC_BYTES));
        assert_eq!(DatabaseSpec::parse(&long), Err(SpecError::TooLong));
        let url = format!("postgres://u:{}@h/d", "p".repeat(MAX_SPEC_BYTES));
        assert_eq!(DatabaseSpec::parse(&url), Err(SpecError::TooLong));
        let just = format!("sqlite:/{}", "a".repeat(MAX_SPEC_BYTES - "sqlite:/".len()));
        assert!(DatabaseSpec::parse(&just).is_ok());
    }

    #[test]
    fn no_refusal_repeats_what_was_typed() {
        for text in [
            "postgres://u:Sw0rdf1sh@h:99999/d",
            "postgress://u:Sw0rdf1sh@h/d",
            "postgres://u:Sw0rdf1sh@h/d\n",
            &format!("postgres://u:Sw0rdf1sh{}@h/d", "x".repeat(MAX_SPEC_BYTES)),
        ] {
            let message = DatabaseSpec::parse(text).unwrap_err().to_string();
            assert!(!message.contains("Sw0rdf1sh"), "{message}");
        }
    }

    #[test]
    fn only_an_existing_sqlite_file_is_known_not_to_be_new() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alliance.db");
        let spec = DatabaseSpec::Sqlite(path.clone());
        assert!(spec.may_be_new());
        assert!(matches!(spec.ensure_exists(), Err(OpenError::Missing(p)) if p == path));
        std::fs::write(&path, b"").unwrap();
        assert!(!spec.may_be_new());
        assert!(spec.ensure_exists().is_ok());
        let pg = DatabaseSpec::parse("postgres://a@h/d").unwrap();
        assert!(pg.may_be_new() && pg.ensure_exists().is_ok());
    }

    #[test]
    fn scratch_copies_go_beside_a_sqlite_target() {
        assert_eq!(DatabaseSpec::Sqlite("/srv/new/alliance.db".into()).scratch_folder(), Path::new("/srv/new"));
        assert_eq!(DatabaseSpec::Sqlite("alliance.db".into()).scratch_folder(), Path::new("."));
        assert_eq!(DatabaseSpec::parse("postgres://a@h/d").unwrap().scratch_folder(), std::env::temp_dir());
    }

    #[tokio::test]
    async fn postgres_refuses_what_only_sqlite_can_do_before_connecting() {
        let keys = Keyring::generate();
        let spec = DatabaseSpec::parse("postgres://a@127.0.0.1:1/d").unwrap();
        for mode in [OpenMode::AtVersion(1), OpenMode::BulkLoad] {
            let refused = Database::open(&spec, &keys, &Opening::new(mode)).await.unwrap_err();
            assert!(matches!(refused, OpenError::SqliteOnly(m) if m == mode), "{refused}");
            assert!(refused.to_string().contains("SQLite"), "{refused}");
        }
    }
}
