//! What every handler shares: the application (use cases, the practice model, the overviews kept between
//! requests), the store for the pages that only read, the server's settings and secret, and the clock.

use std::sync::Arc;

use alliance_app::{App, AppError, Clock};
use alliance_core::catalog::Catalog;
use alliance_core::practice::{PracticeModel, SignalSettings};
use alliance_store::{Store, StoreError};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct Config {
    /// The address clients' links point at, e.g. `https://alliance.example.org`.
    pub public_url: String,
    /// Mark cookies `Secure` (set when served over TLS).
    pub secure_cookies: bool,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client (see `client.rs`). Empty: those
    /// headers are ignored and the TCP peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Timeouts and the connection cap of [`crate::serve`].
    pub limits: Limits,
    /// Where to report a vulnerability (`mailto:` or `https:`), published as `/.well-known/security.txt`
    /// (RFC 9116). `None`: that address answers 404.
    pub security_contact: Option<String>,
    /// The practice's time zone: what pages show times in and what "today" is, unless a user chose their own.
    pub time_zone: crate::LocalZone,
    /// Where e-mail goes (`--smtp-url`, `--mail-from`); `None`: no e-mail is queued or sent.
    pub mail: Option<crate::mail::MailSettings>,
    /// How many years after their care ended a client's data is deleted (`--retention-years`), for what the
    /// client is told; `None`: until the practice deletes it.
    pub retention_years: Option<u32>,
    /// Which measures the checks ask at which sessions, for episodes without their own schedule
    /// (`--measure-schedule`); empty: every measure at every session.
    pub measure_schedule: alliance_core::schedule::Schedule,
    /// Where clients' text messages go (`--sms-webhook-url`); `None`: links are not sent by text message.
    pub sms: Option<crate::delivery::SmsSettings>,
    /// How long a client's link lasts and when it is reminded (`--link-expiry-days`, `--link-reminder-days`).
    pub links: crate::delivery::LinkSettings,
    /// Offers the test pseudo-locale `en-XA` in the language switch (tests only: it is never negotiated).
    pub pseudo_locale: bool,
    /// Culture in the relationship (issue 20): the culture items in the check and the reflection, and the
    /// background questions on the client's page. Off by default.
    pub culture: alliance_core::culture::CultureSettings,
    /// The coder of session transcripts (issue 21): the rule coder unless `serve --transcript-model` gave one.
    pub transcript_coder: alliance_app::transcript::TranscriptCoder,
}

impl Default for Config {
    /// Plain HTTP on this machine, no proxy, the default limits (tests and the demo start from here).
    fn default() -> Self {
        Config {
            public_url: "http://127.0.0.1".into(),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            limits: Limits::default(),
            security_contact: None,
            time_zone: crate::LocalZone::utc(),
            mail: None,
            retention_years: None,
            measure_schedule: alliance_core::schedule::Schedule::default(),
            sms: None,
            links: crate::delivery::LinkSettings::default(),
            pseudo_locale: false,
            culture: alliance_core::culture::CultureSettings::default(),
            transcript_coder: alliance_app::transcript::TranscriptCoder::default(),
        }
    }
}

impl Config {
    /// Whether browsers reach Alliance over HTTPS: `--secure-cookies`, or a public URL that begins with
    /// `https://`. Cookies are then `Secure` and `__Host-` prefixed (see `security::cookie_name`).
    pub fn https(&self) -> bool {
        self.secure_cookies || self.public_url.to_ascii_lowercase().starts_with("https://")
    }

    /// The origin browsers send for Alliance's own pages: scheme, host and port of the public URL (default port
    /// left out, as browsers do), lower case.
    pub fn public_origin(&self) -> String {
        let url = self.public_url.trim().to_ascii_lowercase();
        let (scheme, rest) = url.split_once("://").unwrap_or(("http", url.as_str()));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let authority = match (scheme, authority.rsplit_once(':')) {
            ("https", Some((host, "443"))) | ("http", Some((host, "80"))) => host,
            _ => authority,
        };
        format!("{scheme}://{authority}")
    }
}

/// What one client may hold of the server: slow-request (slowloris) protection without a proxy in front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A connection must send a request's complete headers within this time (idle keep-alive included).
    pub header_timeout: std::time::Duration,
    /// A request's body must arrive completely within this time of its headers.
    pub body_timeout: std::time::Duration,
    /// Connections served at once; further ones wait in the listen queue.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: std::time::Duration::from_secs(10),
            body_timeout: std::time::Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub config: Arc<Config>,
    /// Server secret for keyed hashes (per-form tokens of the client check).
    pub secret: Arc<[u8; 32]>,
    pub clock: Clock,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// This server's runs of each scheduled job (the scheduler records them), for `/metrics` and `/readyz`.
    pub jobs: Arc<alliance_app::JobHistory>,
    /// The last census of open signals by kind (the `signal-census` job), for `/metrics`.
    pub open_signals: Arc<alliance_app::OpenSignals>,
    /// Where this server's last check of the audit chain ended intact, and when it last checked all of it
    /// (`pages/audit.rs`).
    pub audit_checked: Arc<std::sync::Mutex<Option<AuditChecked>>>,
    /// Each client's reflections shared for supervision, kept while the client's revision holds
    /// (`pages/supervision.rs`: finding them opens every reflection's sealed flags).
    pub shared_reflections: Arc<std::sync::Mutex<SharedReflections>>,
}

/// Shared reflections by client, with the client revision they were read at.
pub type SharedReflections =
    std::collections::HashMap<alliance_store::ClientId, (i64, Vec<alliance_store::ListedResponse>)>;

/// The audit page's check of the hash chain, kept between views so a view reads only what was appended since.
#[derive(Debug, Clone, Copy)]
pub struct AuditChecked {
    pub point: alliance_store::audit::ChainPoint,
    pub in_full_at: OffsetDateTime,
}

impl AppState {
    /// Builds the state with the default signal settings, creating the server secret on first start.
    pub async fn new(store: Arc<dyn Store>, catalog: Catalog, config: Config, clock: Clock) -> Result<Self, AppError> {
        Self::with_settings(store, catalog, config, clock, SignalSettings::default()).await
    }

    /// Builds the state with the practice's own signal settings (band levels and thresholds).
    pub async fn with_settings(
        store: Arc<dyn Store>,
        catalog: Catalog,
        config: Config,
        clock: Clock,
        settings: SignalSettings,
    ) -> Result<Self, AppError> {
        let fresh: [u8; 32] = rand::random();
        let stored = store.setting_or_insert("server-secret", &fresh).await?;
        let secret: [u8; 32] =
            stored.try_into().map_err(|_| StoreError::Corrupt("server secret has the wrong length".into()))?;
        let mut catalog = catalog;
        // A practice that did not switch culture on is never asked the culture items (issue 20).
        if !config.culture.enabled {
            catalog.without_option(alliance_core::culture::CULTURE_OPTION);
        }
        let catalog = Arc::new(catalog);
        let app = App::start(store.clone(), catalog.clone(), settings, clock())
            .await?
            .with_link_lifetime(config.links.expires_after)
            .with_transcript_coder(config.transcript_coder.clone());
        Ok(Self {
            app,
            store,
            catalog,
            config: Arc::new(config),
            secret: Arc::new(secret),
            clock,
            metrics: Arc::default(),
            jobs: Arc::default(),
            open_signals: Arc::default(),
            audit_checked: Arc::default(),
            shared_reflections: Arc::default(),
        })
    }

    /// The current practice model.
    pub fn practice(&self) -> Arc<PracticeModel> {
        self.app.practice()
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }
}
