//! Which episode of care is the client's current one: the one opened last. It is the episode the client is in
//! now, so the caseload, the client page, the signals and the practice model's input all read this one rule; a
//! client whose newest episode has no scores yet shows no data there and gives the practice model none, rather
//! than the data of an episode that has ended.

use std::collections::HashMap;

use alliance_store::{ClientId, Episode, Store, StoreError};

use crate::{App, AppError};

/// Clients asked about in one query; the store binds one parameter per client.
const CLIENTS_PER_QUERY: usize = 1_000;

/// The current episode of each of `clients` that has one.
pub async fn current_episodes(
    store: &dyn Store,
    clients: &[ClientId],
) -> Result<HashMap<ClientId, Episode>, StoreError> {
    let mut current = HashMap::with_capacity(clients.len());
    for chunk in clients.chunks(CLIENTS_PER_QUERY) {
        // The store's `current_episodes` reads the episode opened last (the highest id) of each client.
        current.extend(store.current_episodes(chunk).await?.into_iter().map(|e| (e.client, e)));
    }
    Ok(current)
}

impl App {
    /// The current episode of each of `clients` that has one (see the module's rule).
    pub async fn current_episodes(&self, clients: &[ClientId]) -> Result<HashMap<ClientId, Episode>, AppError> {
        Ok(current_episodes(self.store.as_ref(), clients).await?)
    }
}
