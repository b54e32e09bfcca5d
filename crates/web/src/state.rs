use std::sync::Arc;

use alliance_core::catalog::Catalog;
use alliance_store::Store;
use time::OffsetDateTime;

/// Where "now" comes from; tests move it forward to check expiry.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

#[derive(Debug, Clone)]
pub struct Config {
    /// The address clients' links point at, e.g. `https://alliance.example.org`.
    pub public_url: String,
    /// Mark cookies `Secure` (set when served over TLS).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub config: Arc<Config>,
    /// Server secret for keyed hashes (per-form tokens of the client check).
    pub secret: Arc<[u8; 32]>,
    pub clock: Clock,
}

impl AppState {
    /// Builds the state, creating the server secret on first start.
    pub async fn new(
        store: Arc<dyn Store>,
        catalog: Catalog,
        config: Config,
        clock: Clock,
    ) -> Result<Self, alliance_store::StoreError> {
        let fresh: [u8; 32] = rand::random();
        let stored = store.setting_or_insert("server-secret", &fresh).await?;
        let secret: [u8; 32] = stored
            .try_into()
            .map_err(|_| alliance_store::StoreError::Corrupt("server secret has the wrong length".into()))?;
        Ok(Self { store, catalog: Arc::new(catalog), config: Arc::new(config), secret: Arc::new(secret), clock })
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }
}

/// The system clock, for production.
pub fn system_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}
