//! Spawning the app for a test, and small helpers to read its pages.
//!
//! Each test gets a fresh database: a SQLite file, or, when `ALLIANCE_TEST_DATABASE_URL` names a PostgreSQL server
//! (`.ci/postgres.sh` starts a throw-away one), a new database on that server, dropped when the test ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

use alliance_core::catalog::Catalog;
use alliance_core::domain::Role;
use alliance_store::prelude::*;
use alliance_store::{AuditEvent, Keyring, NewUser, PostgresOptions, PostgresStore, SqliteStore, UserId};
use alliance_web::{AppState, Config};
use time::OffsetDateTime;

pub struct TestApp {
    pub url: String,
    pub store: Arc<dyn Store>,
    /// Seconds added to the real time, to test expiry.
    pub clock_offset: Arc<AtomicI64>,
    /// When not zero, the Unix second the clock stands still at (plus the offset): see [`TestApp::freeze`].
    frozen_at: Arc<AtomicI64>,
    clock: alliance_web::Clock,
    _dir: tempfile::TempDir,
    _database: Option<ScratchDatabase>,
    /// How a second app server reaches the same database.
    second: SecondConnection,
    /// The database's keys (fresh for each test app).
    pub keys: Keyring,
    /// The server's state, to run its scheduled jobs in a test as its scheduler would.
    pub state: AppState,
}

enum SecondConnection {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns the app with settings changed from the defaults (trusted proxies, limits, ...).
    pub async fn spawn_with(settings: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_with_catalog(settings, Catalog::builtin().unwrap()).await
    }

    /// Spawns the app with its own instruments (a practice's added definitions, licensed wording).
    pub async fn spawn_with_catalog(settings: impl FnOnce(&mut Config), catalog: Catalog) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keyring::generate();
        let (store, database): (Arc<dyn Store>, _) = match ScratchDatabase::create().await {
            Some(database) => {
                let options = PostgresOptions { max_connections: 4, ..PostgresOptions::default() };
                (Arc::new(PostgresStore::connect(&database.url, options, &keys).await.unwrap()), Some(database))
            }
            None => (Arc::new(SqliteStore::open(&dir.path().join("alliance.db"), &keys).await.unwrap()), None),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let offset = Arc::new(AtomicI64::new(0));
        let clock_offset = offset.clone();
        let frozen_at = Arc::new(AtomicI64::new(0));
        let frozen = frozen_at.clone();
        let clock: alliance_web::Clock = Arc::new(move || {
            let base = match frozen.load(Ordering::SeqCst) {
                0 => OffsetDateTime::now_utc(),
                at => OffsetDateTime::from_unix_timestamp(at).unwrap(),
            };
            base + time::Duration::seconds(offset.load(Ordering::SeqCst))
        });
        let mut config = Config {
            public_url: url.clone(),
            security_contact: Some("mailto:security@example.org".into()),
            ..Config::default()
        };
        settings(&mut config);
        let state = AppState::new(store.clone(), catalog, config, clock.clone()).await.unwrap();
        tokio::spawn(alliance_web::serve(listener, state.clone(), std::future::pending()));
        let second = match &database {
            Some(db) => SecondConnection::Postgres(db.url.clone()),
            None => SecondConnection::Sqlite(dir.path().join("alliance.db")),
        };
        TestApp { url, store, clock_offset, frozen_at, clock, _dir: dir, _database: database, second, keys, state }
    }

    /// Runs SQL on the app's database directly, behind the app's back, as someone with access to the disk or
    /// the database server could. `sqlite` or `postgres` is chosen by the engine in use.
    pub async fn raw_sql(&self, sqlite: &[&str], postgres: &[&str]) {
        use sqlx::Connection;
        match &self.second {
            SecondConnection::Sqlite(path) => {
                // The file is encrypted: connect with its key, as someone holding the key file could.
                let options = SqliteStore::connect_options(path, &self.keys);
                let mut conn = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
                for sql in sqlite {
                    sqlx::query(sql).execute(&mut conn).await.unwrap();
                }
                conn.close().await.unwrap();
            }
            SecondConnection::Postgres(url) => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                for sql in postgres {
                    sqlx::query(sql).execute(&mut conn).await.unwrap();
                }
                conn.close().await.unwrap();
            }
        }
    }

    /// SQLite only: a second connection holding the database's write lock (BEGIN EXCLUSIVE) until it is dropped or
    /// rolled back, so that the app's writes wait and then fail as unavailable.
    pub async fn hold_write_lock(&self) -> Option<sqlx::SqliteConnection> {
        use sqlx::Connection;
        let SecondConnection::Sqlite(path) = &self.second else { return None };
        let options = SqliteStore::connect_options(path, &self.keys);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await.unwrap();
        Some(conn)
    }

    /// Opens the database once more and closes it, as a restarted server would: opening seals what raw SQL wrote
    /// in clear (response flags, migration 0013).
    pub async fn open_again(&self) {
        match &self.second {
            SecondConnection::Sqlite(path) => SqliteStore::open(path, &self.keys).await.unwrap().close().await,
            SecondConnection::Postgres(url) => {
                let options = PostgresOptions { max_connections: 1, ..PostgresOptions::default() };
                PostgresStore::connect(url, options, &self.keys).await.unwrap().close().await
            }
        }
    }

    /// Another connection to the same database, as a second app server opens it.
    pub async fn second_store(&self) -> Arc<dyn Store> {
        match &self.second {
            SecondConnection::Sqlite(path) => Arc::new(SqliteStore::open(path, &self.keys).await.unwrap()),
            SecondConnection::Postgres(url) => Arc::new(
                PostgresStore::connect(
                    url,
                    PostgresOptions { max_connections: 4, ..PostgresOptions::default() },
                    &self.keys,
                )
                .await
                .unwrap(),
            ),
        }
    }

    /// Starts another app server on the same database, as a second instance behind a load balancer would run.
    pub async fn second_server(&self) -> String {
        let store = self.second_store().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let config = Config { public_url: url.clone(), ..Config::default() };
        // The same clock as the first server: advancing or freezing it moves both.
        let state = AppState::new(store, Catalog::builtin().unwrap(), config, self.clock.clone()).await.unwrap();
        tokio::spawn(alliance_web::serve(listener, state, std::future::pending()));
        url
    }

    /// The URL of this test's own PostgreSQL database, when the test runs on PostgreSQL.
    pub fn postgres_url(&self) -> Option<&str> {
        self._database.as_ref().map(|d| d.url.as_str())
    }

    /// Makes `supervisor` the supervisor of `therapist`, as an administrator would.
    pub async fn supervise(&self, supervisor: UserId, therapist: UserId) {
        let audit = alliance_store::AuditEvent::system(OffsetDateTime::now_utc(), "add-supervision", "account", "test");
        self.store.add_supervision(supervisor, therapist, audit).await.unwrap();
    }

    /// Stops the clock at the current whole second; `advance` still moves it. For tests of exact delays.
    /// Returns the Unix second it stands at.
    pub fn freeze(&self) -> i64 {
        let at = OffsetDateTime::now_utc().unix_timestamp();
        self.frozen_at.store(at, Ordering::SeqCst);
        at + self.clock_offset.load(Ordering::SeqCst)
    }

    pub fn advance(&self, seconds: i64) {
        self.clock_offset.fetch_add(seconds, Ordering::SeqCst);
    }

    pub async fn user(&self, email: &str, role: Role) -> UserId {
        let hash = alliance_web::hash_password(PASSWORD).unwrap();
        self.store
            .create_user(
                NewUser {
                    email: email.into(),
                    display_name: email.split('@').next().unwrap().into(),
                    role,
                    password_hash: hash,
                    must_change_password: false,
                },
                AuditEvent::system(OffsetDateTime::now_utc(), "create", "account", "test"),
                OffsetDateTime::now_utc(),
            )
            .await
            .unwrap()
    }

    /// A browser-like client with its own cookie jar.
    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).build().unwrap()
    }

    pub async fn sign_in(&self, email: &str) -> Session {
        let browser = Self::browser();
        let page = browser.get(format!("{}/login", self.url)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden(&page, "csrf");
        let response = browser
            .post(format!("{}/login", self.url))
            .form(&[("csrf", csrf.as_str()), ("email", email), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "signed in and redirected");
        let home = response.text().await.unwrap();
        let csrf = hidden(&home, "csrf");
        Session { browser, csrf, url: self.url.clone() }
    }
}

/// A signed-in browser and the anti-forgery token of its sign-in.
pub struct Session {
    pub browser: reqwest::Client,
    pub csrf: String,
    pub url: String,
}

impl Session {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.browser.get(format!("{}{path}", self.url)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts a form with this sign-in's token; returns the final status, URL and body (redirects followed).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// A POST whose answer is a file: its bytes (the status must be 200).
    pub async fn post_bytes(&self, path: &str, fields: &[(&str, &str)]) -> Vec<u8> {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self.browser.post(format!("{}{path}", self.url)).form(&all).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        r.bytes().await.unwrap().to_vec()
    }

    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let r = self.browser.post(format!("{}{path}", self.url)).form(fields).send().await.unwrap();
        let status = r.status().as_u16();
        let url = r.url().path().to_owned();
        (status, url, r.text().await.unwrap())
    }
}

/// The value of a hidden input, e.g. the anti-forgery token.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no hidden {name} in page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The first number captured after `prefix` in `text`.
pub fn number_after(text: &str, prefix: &str) -> i64 {
    let start = text.find(prefix).unwrap_or_else(|| panic!("{prefix} not found")) + prefix.len();
    text[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// The complete set of answers to a session link (relationship check, PHQ-9, GAD-7) as form fields.
pub fn complete_answers(phq_each: &'static str, item9: &'static str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = Vec::new();
    for id in ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"] {
        f.push((format!("relationship-check.{id}"), "4".into()));
    }
    for id in ["understood", "respected", "genuine"] {
        f.push((format!("relationship-check.{id}"), "5".into()));
    }
    f.push(("relationship-check.rupture".into(), "yes".into()));
    f.push(("relationship-check.rupture-kind".into(), "withdrawal".into()));
    f.push(("relationship-check.rupture-discussed".into(), "no".into()));
    for i in 1..=8 {
        f.push((format!("phq9.{i}"), phq_each.into()));
    }
    f.push(("phq9.9".into(), item9.into()));
    for i in 1..=7 {
        f.push((format!("gad7.{i}"), "1".into()));
    }
    f
}

/// Signs in a therapist, adds a client with an episode and one session, and creates a link.
/// Returns (therapist session, client id, session id, token).
pub async fn client_with_link(app: &TestApp, email: &str, pseudonym: &str) -> (Session, i64, i64, String) {
    let me = app.sign_in(email).await;
    let (status, url, _) = me
        .post(
            "/clients/new",
            &[("pseudonym", pseudonym), ("measure", "phq9"), ("measure", "gad7"), ("started_on", "2026-11-01")],
        )
        .await;
    assert_eq!(status, 200);
    let client: i64 = url.trim_start_matches("/clients/").parse().unwrap();
    let (_, page) = me.get(&url).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let (status, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-28"), ("attended", "yes")]).await;
    assert_eq!(status, 200);
    let session: i64 = url.trim_start_matches("/sessions/").parse().unwrap();
    let (status, shown_at, page) = me.post(&format!("/sessions/{session}/links"), &[]).await;
    assert_eq!((status, shown_at.as_str()), (200, format!("/sessions/{session}").as_str()), "post-redirect-get");
    let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    (me, client, session, token)
}

/// A fresh database on the PostgreSQL server named by `ALLIANCE_TEST_DATABASE_URL`, dropped (with the app's
/// connections ended) when the test's app goes away, also when the test fails.
pub struct ScratchDatabase {
    server: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// `None` when no server is configured: the test runs on SQLite.
    async fn create() -> Option<Self> {
        let server = std::env::var("ALLIANCE_TEST_DATABASE_URL").ok()?;
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let secs = OffsetDateTime::now_utc().unix_timestamp();
        let name =
            format!("alliance_test_web_{}_{}_{}", std::process::id(), secs, NEXT.fetch_add(1, Ordering::Relaxed));
        let url = PostgresStore::create_database(&server, &name).await.unwrap();
        Some(Self { server, name, url })
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime is single-threaded: use a runtime of our own.
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(PostgresStore::drop_database(&server, &name))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// The words of a page rendered in the pseudo-locale that did not come through a message: every run of two or more
/// plain ASCII letters in its visible text and in the attributes people read (`title`, `aria-label`, `alt`,
/// `placeholder`), except the data the test itself put in (`allowed`: names, codes).
pub fn untranslated(html: &str, allowed: &[&str]) -> Vec<String> {
    // Scripts and styles are not read; their contents are not text.
    let mut rest = html.to_owned();
    for tag in ["script", "style"] {
        let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
        let mut kept = String::new();
        let mut r = rest.as_str();
        while let Some(start) = r.find(&open) {
            kept.push_str(&r[..start]);
            r = r[start..].find(&close).map_or("", |end| &r[start + end + close.len()..]);
        }
        kept.push_str(r);
        rest = kept;
    }
    let mut visible = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in rest.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                for attribute in ["title=\"", "aria-label=\"", "alt=\"", "placeholder=\""] {
                    let mut t = tag.as_str();
                    while let Some(at) = t.find(attribute) {
                        let value = &t[at + attribute.len()..];
                        let end = value.find('"').unwrap_or(value.len());
                        visible.push(' ');
                        visible.push_str(&value[..end]);
                        visible.push(' ');
                        t = &value[end..];
                    }
                }
                visible.push(' ');
            }
            (true, c) => tag.push(c),
            (false, c) => visible.push(c),
        }
    }
    // Character references (`&#39;`, `&amp;`) are markup, not words.
    let mut decoded = String::new();
    let mut chars = visible.split('&');
    decoded.push_str(chars.next().unwrap_or(""));
    for piece in chars {
        match piece.find(';') {
            Some(end) if end < 10 => decoded.push_str(&piece[end + 1..]),
            _ => decoded.push_str(piece),
        }
        decoded.push(' ');
    }
    for data in allowed {
        decoded = decoded.replace(data, " ");
    }
    alliance_i18n::untranslated_words(&decoded)
}
