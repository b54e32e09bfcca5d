//! Which episode of care is the client's current one: the one opened last. It is the episode the client is in
//! now, so the caseload, the client page, the signals and the practice model's input all read this one rule; a
//! client whose newest episode has no scores yet shows no data there and gives the practice model none, rather
//! than the data of an episode that has ended.

use std::collections::HashMap;

use alliance_store::{ClientId, Episode, Store, StoreError};

use crate::{App, AppError};

/// The current episode of each of `clients` that has one.
pub async fn current_episodes(
    store: &dyn Store,
    clients: &[ClientId],
) -> Result<HashMap<ClientId, Episode>, StoreError> {
    // The store's `current_episodes` reads the episode opened last (the highest id) of each client, and so does
    // its `practice_input`.
    Ok(store.current_episodes(clients).await?.into_iter().map(|e| (e.client, e)).collect())
}

impl App {
    /// The current episode of each of `clients` that has one (see the module's rule).
    pub async fn current_episodes(&self, clients: &[ClientId]) -> Result<HashMap<ClientId, Episode>, AppError> {
        Ok(current_episodes(self.store.as_ref(), clients).await?)
    }
}
