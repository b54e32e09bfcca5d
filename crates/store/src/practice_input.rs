//! The practice model's input, read in one streamed query: each client's own PHQ-9 totals and relationship-check
//! alliance scores of their current episode. Nothing else of the practice is loaded: no pseudonym is opened, no
//! response flags are parsed, and rows are folded into compact series as they arrive.
//!
//! The current episode is the one opened last (the highest episode id), as everywhere else (`Care::
//! current_episodes`): a client who has opened a new episode is in that one now, and it gives the model nothing
//! until it has scores. Only clients of therapist accounts count.

use alliance_core::catalog::{PHQ9, RELATIONSHIP_CHECK};
use futures_util::TryStreamExt;

use crate::db::Db;
use crate::{ClientId, EpisodeId, StoreError, StoreResult, UserId};

/// The scale of each instrument that the practice model reads.
const OUTCOME_SCALE: &str = "total";
const ALLIANCE_SCALE: &str = "alliance";

/// One client's input to the practice model, from their current episode.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeSeries {
    pub client: ClientId,
    /// The client's therapist (the client's own, as the caseload shows it).
    pub therapist: UserId,
    pub episode: EpisodeId,
    /// The client's own PHQ-9 totals as (session number, total), in session order (date, then number).
    pub outcome: Vec<(u32, f64)>,
    /// The client's own relationship-check alliance scores, in the same order.
    pub alliance: Vec<f64>,
}

/// Rows come grouped by client and, within a client, in session order (as `score_points` orders them).
///
/// The shape is for SQLite, which sorts in memory (the SQLCipher build keeps temporary data in memory,
/// `SQLITE_TEMP_STORE=2`) and has no table statistics (the app never runs ANALYZE): `CROSS JOIN` fixes the join
/// order and `+c.therapist_id` keeps the clients from being read through their therapist index, so the outer
/// loop goes through clients in id order and the plan sorts only "the right part of the ORDER BY", one client's
/// rows at a time; every other step is an index search. For PostgreSQL the `CROSS JOIN`s with their conditions
/// are plain inner joins and `+` is a no-op; with table statistics it plans the same (an incremental sort per
/// client), without them (just after a bulk load) it may hash-join and take longer, on the database server.
/// No index beyond the schema's is needed.
///
/// Parameters: $1 the outcome instrument, $2 its scale, $3 the alliance instrument, $4 its scale.
const SQL: &str = "
SELECT c.id AS client_id, c.therapist_id, s.episode_id, CAST(s.number AS BIGINT) AS number,
       CAST(CASE WHEN a.instrument_id = $1 THEN 0 ELSE 1 END AS BIGINT) AS series, sc.value
FROM clients c
CROSS JOIN therapy_sessions s
CROSS JOIN administrations a
CROSS JOIN responses r
CROSS JOIN scores sc
WHERE +c.therapist_id IN (SELECT u.id FROM users u WHERE u.role = 'therapist')
  AND s.episode_id = (SELECT MAX(e.id) FROM episodes e WHERE e.client_id = c.id)
  AND a.session_id = s.id
  AND a.rater = 'client'
  AND r.administration_id = a.id
  AND sc.administration_id = a.id
  AND sc.value IS NOT NULL
  AND ((a.instrument_id = $1 AND sc.scale_id = $2) OR (a.instrument_id = $3 AND sc.scale_id = $4))
ORDER BY c.id, s.held_on, s.number, a.position, a.id, sc.position";

/// One row of the query, decoded.
struct Point {
    client: i64,
    therapist: i64,
    episode: i64,
    session: u32,
    outcome: bool,
    value: f64,
}

/// Folds rows (grouped by client) into series.
#[derive(Default)]
struct Fold {
    series: Vec<PracticeSeries>,
}

impl Fold {
    fn push(&mut self, p: Point) -> StoreResult<()> {
        let same = self.series.last().map(|s| s.client.0);
        match same {
            Some(last) if last == p.client => {}
            Some(last) if last > p.client => {
                return Err(StoreError::Corrupt("practice rows are not grouped by client".into()));
            }
            _ => {
                self.finish_last();
                self.series.push(PracticeSeries {
                    client: ClientId(p.client),
                    therapist: UserId(p.therapist),
                    episode: EpisodeId(p.episode),
                    outcome: Vec::new(),
                    alliance: Vec::new(),
                });
            }
        }
        if let Some(s) = self.series.last_mut() {
            if p.outcome {
                s.outcome.push((p.session, p.value));
            } else {
                s.alliance.push(p.value);
            }
        }
        Ok(())
    }

    /// Gives back what the growing vectors of the finished client reserved beyond their length.
    fn finish_last(&mut self) {
        if let Some(s) = self.series.last_mut() {
            s.outcome.shrink_to_fit();
            s.alliance.shrink_to_fit();
        }
    }

    fn finish(mut self) -> Vec<PracticeSeries> {
        self.finish_last();
        self.series.shrink_to_fit();
        self.series
    }
}

fn session_number(n: i64) -> StoreResult<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("session number {n} out of range")))
}

/// Reads the practice model's input, folding rows into series as they arrive.
pub(crate) async fn read(db: &Db) -> StoreResult<Vec<PracticeSeries>> {
    let mut rows =
        db.query(SQL).bind(PHQ9).bind(OUTCOME_SCALE).bind(RELATIONSHIP_CHECK).bind(ALLIANCE_SCALE).fetch(&db.read);
    let mut fold = Fold::default();
    while let Some(r) = rows.try_next().await? {
        // Every integer column is a BIGINT in the query, so both engines decode them as `i64`.
        fold.push(Point {
            client: r.get("client_id")?,
            therapist: r.get("therapist_id")?,
            episode: r.get("episode_id")?,
            session: session_number(r.get("number")?)?,
            outcome: r.get::<i64>("series")? == 0,
            value: r.get("value")?,
        })?;
    }
    Ok(fold.finish())
}
