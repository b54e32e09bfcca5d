//! Client overviews computed once and kept between requests.
//!
//! An overview (outcome and alliance series, signals, the expected course) is computed from every answer of the
//! client's current episode: for a caseload of 40 clients that is thousands of rows and most of a page's time.
//! It can change only when the client's data change (their revision, which the database moves on every write,
//! whichever app server made it), when the practice model is refitted, or when the day changes (a check counts
//! as pending for some days after its session). So an overview is kept under those and used while they hold.
//! Acknowledgements are not part of it: they are read fresh for every page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use alliance_core::practice::PracticeModel;
use alliance_store::{Client, ClientId};
use time::Date;

use crate::overview::EpisodeOverview;

/// Enough for every caseload a supervisor or therapist looks at in a day; each entry is a few kilobytes.
const CAPACITY: usize = 2_000;

#[derive(Default)]
pub(crate) struct OverviewCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

/// `own` because a supervisor sees only the reflections shared with them. The creation time guards against a
/// deleted client's id being given to a new client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    client: ClientId,
    created: i64,
    own: bool,
}

struct Entry {
    revision: i64,
    day: Date,
    practice: Arc<PracticeModel>,
    overview: Arc<EpisodeOverview>,
}

impl Key {
    fn of(client: &Client, own: bool) -> Self {
        Self { client: client.id, created: client.created_at.unix_timestamp(), own }
    }
}

impl OverviewCache {
    /// The kept overview, if it was computed from this revision of the client, with this practice model, today.
    pub(crate) fn get(&self, client: &Client, own: bool, seen: Seen<'_>) -> Option<Arc<EpisodeOverview>> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(&Key::of(client, own))
            .filter(|e| e.revision == seen.revision && e.day == seen.day && Arc::ptr_eq(&e.practice, seen.practice))
            .map(|e| e.overview.clone())
    }

    /// Keeps an overview computed from data read after the revision in `seen` was (so at least as new).
    pub(crate) fn put(&self, client: &Client, own: bool, seen: Seen<'_>, overview: Arc<EpisodeOverview>) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CAPACITY {
            // Rarely reached; starting afresh is simpler than tracking use and costs one computation per client.
            entries.clear();
        }
        let entry = Entry { revision: seen.revision, day: seen.day, practice: seen.practice.clone(), overview };
        entries.insert(Key::of(client, own), entry);
    }
}

/// What an overview depends on besides the client: their revision, the practice model and the day.
#[derive(Clone, Copy)]
pub(crate) struct Seen<'a> {
    pub(crate) revision: i64,
    pub(crate) practice: &'a Arc<PracticeModel>,
    pub(crate) day: Date,
}
