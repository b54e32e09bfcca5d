//! A fresh database for each test, a clock the test moves, and a small practice built through the use cases.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use alliance_app::{App, CheckOutcome, Clock};
use alliance_core::catalog::Catalog;
use alliance_core::domain::Role;
use alliance_core::practice::SignalSettings;
use alliance_store::{
    AuditEvent, ClientId, EpisodeId, InstrumentRef, Keyring, NewClient, NewEpisode, NewLink, NewSession, NewUser,
    PostgresOptions, PostgresStore, SqliteStore, Store, UserId,
};
use time::{Date, Duration, OffsetDateTime};

/// A moment every test starts from.
pub const START: OffsetDateTime = time::macros::datetime!(2026-03-02 09:00 UTC);

/// A clock that stands still until the test moves it.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    pub fn at(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }

    /// Moves the clock on by `by` and gives the new time.
    pub fn advance(&self, by: Duration) -> OffsetDateTime {
        let mut now = self.0.lock().unwrap();
        *now += by;
        *now
    }

    pub fn clock(&self) -> Clock {
        let shared = self.0.clone();
        Arc::new(move || *shared.lock().unwrap())
    }
}

/// A test's own database; a second connection to it stands for a second app server.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    keys: Keyring,
    place: Place,
    _dir: tempfile::TempDir,
}

enum Place {
    Sqlite(std::path::PathBuf),
    Postgres { server: String, name: String, url: String },
}

impl TestDb {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keyring::generate();
        let place = match std::env::var("ALLIANCE_TEST_DATABASE_URL") {
            Ok(server) => {
                static NEXT: AtomicU32 = AtomicU32::new(0);
                let secs = OffsetDateTime::now_utc().unix_timestamp();
                let n = NEXT.fetch_add(1, Ordering::Relaxed);
                let name = format!("alliance_test_app_{}_{secs}_{n}", std::process::id());
                let url = PostgresStore::create_database(&server, &name).await.unwrap();
                Place::Postgres { server, name, url }
            }
            Err(_) => Place::Sqlite(dir.path().join("alliance.db")),
        };
        let store = open(&place, &keys).await;
        Self { store, keys, place, _dir: dir }
    }

    /// Another connection to the same database, as a second app server has.
    pub async fn another_server(&self) -> Arc<dyn Store> {
        open(&self.place, &self.keys).await
    }
}

async fn open(place: &Place, keys: &Keyring) -> Arc<dyn Store> {
    match place {
        Place::Sqlite(path) => Arc::new(SqliteStore::open(path, keys).await.unwrap()),
        Place::Postgres { url, .. } => {
            let options = PostgresOptions { max_connections: 4, ..PostgresOptions::default() };
            Arc::new(PostgresStore::connect(url, options, keys).await.unwrap())
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Place::Postgres { server, name, .. } = &self.place else { return };
        // Drop cannot await, and the test's runtime may be single-threaded: use a runtime of our own.
        let (server, database) = (server.clone(), name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(PostgresStore::drop_database(&server, &database))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {name}");
        }
    }
}

pub fn ev(at: OffsetDateTime) -> AuditEvent {
    AuditEvent::system(at, "test", "test", "test")
}

pub async fn start_app(store: Arc<dyn Store>, at: OffsetDateTime) -> App {
    let catalog = Arc::new(Catalog::builtin().unwrap());
    App::start(store, catalog, SignalSettings::default(), at).await.unwrap()
}

/// Clients of one therapist whose checks are answered through the client's use case.
pub struct Practice {
    pub app: App,
    pub therapist: UserId,
    links: u32,
}

impl Practice {
    pub async fn new(app: App) -> Self {
        let user = NewUser {
            email: "therapist@example.org".into(),
            display_name: "T".into(),
            role: Role::Therapist,
            password_hash: "h".into(),
            must_change_password: false,
        };
        let therapist = app.store().create_user(user, ev(START), START).await.unwrap();
        Self { app, therapist, links: 0 }
    }

    pub async fn client(&self) -> ClientId {
        let client = NewClient { therapist: self.therapist, pseudonym: "Wren".into(), contact: None };
        self.app.store().create_client(client, ev(START), START).await.unwrap()
    }

    pub async fn episode(&self, client: ClientId, started_on: Date) -> EpisodeId {
        let episode = NewEpisode { client, therapist: self.therapist, started_on, measures: vec!["phq9".into()] };
        self.app.store().open_episode(episode, ev(START), START).await.unwrap()
    }

    /// A session on `held_on` whose PHQ-9 the client answers with `each` on every item.
    pub async fn phq9_session(&mut self, episode: EpisodeId, held_on: Date, each: u8) -> CheckOutcome {
        let store = self.app.store();
        let session = store.record_session(NewSession { episode, held_on, attended: true }, ev(START), START);
        let session = session.await.unwrap().id;
        self.links += 1;
        let token_hash = format!("test-link-{}", self.links).into_bytes();
        let instruments = vec![InstrumentRef { id: "phq9".into(), version: 1 }];
        let link =
            NewLink { session, token_hash: token_hash.clone(), expires_at: START + Duration::days(3), instruments };
        store.create_link(link, ev(START), START).await.unwrap();
        let link = self.app.check_link(&token_hash, START).await.unwrap().unwrap();
        let values: Vec<(String, String)> = (1..=9).map(|i| (format!("phq9.{i}"), each.to_string())).collect();
        let fields: Vec<(&str, &str)> = values.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        self.app.submit_check(&link, &token_hash, &fields, START).await.unwrap()
    }
}
