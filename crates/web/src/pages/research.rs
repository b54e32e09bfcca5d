//! The researcher's page: de-identified, session-level data as CSV, after the password is entered again.
//!
//! What leaves: a random code per client and per therapist made anew for each export (never a database id, so
//! two exports cannot be linked by code), the episode's ordinal, the session number, days since the episode
//! started (no dates), attendance, and each client-rated scale score with rupture and repair markers. What stays:
//! pseudonyms, contacts, names, dates, free text, answers to free-text items, and the therapist's reflection (the
//! therapist was told only they and, if they choose, their supervisor see it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use alliance_core::domain::Role;
use alliance_core::practice::PracticeModel;
use alliance_signals::rupture::RepairStatus;
use alliance_store::{AuditEvent, ClientId, Episode, EpisodeId, Rater, ScorePoint, TherapySession, UserId};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use super::{Nav, iso_date, number};
use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::reauth;
use crate::state::AppState;

pub const CSV_HEADER: &str =
    "client,therapist,episode,session,day,attended,instrument,scale,score,rupture_reported,rupture_onset,repair";

#[derive(Template)]
#[template(path = "research.html")]
struct ResearchPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    columns: &'static str,
    /// What therapists tried after ruptures and how often the alliance came back: (strategy, attempts,
    /// clients, came back), the last two suppressed below the smallest cell.
    repairs: Option<Vec<(String, String, String, String)>>,
    dropout: DropoutView,
    /// The practice research report (`research_report::fragment`) and when its data were read.
    report: String,
    report_computed: String,
}

/// The early warning of dropout as the practice uses it: whose weights, the refit's figures, and the weights.
struct DropoutView {
    in_use: String,
    refit: String,
    /// (term, default weight, weight in use).
    weights: Vec<(String, String, String)>,
}

fn dropout_view(state: &AppState) -> DropoutView {
    use alliance_core::dropout::{DropoutWeights, FEATURES, RefitOutcome};
    let tr = crate::language::current();
    let practice = state.practice();
    let default = DropoutWeights::default();
    let adopted = matches!(practice.dropout_refit, Some(RefitOutcome::Fitted { adopted: true, .. }));
    let in_use = tr.t(if adopted { "research-dropout-practice-weights" } else { "research-dropout-default-weights" });
    let auc = |v: f64| tr.number(v, 2);
    let refit = match &practice.dropout_refit {
        None => tr.t("research-dropout-not-yet"),
        Some(RefitOutcome::TooFew { episodes, dropouts, minimum }) => tr.format(
            "research-dropout-too-few",
            &[
                ("episodes", (*episodes).into()),
                ("dropouts", (*dropouts).into()),
                ("min_episodes", minimum.episodes.into()),
                ("min_dropouts", minimum.dropouts.into()),
            ],
        ),
        Some(RefitOutcome::Fitted { refit, adopted }) => tr.format(
            if *adopted { "research-dropout-refit-adopted" } else { "research-dropout-refit-kept" },
            &[
                ("episodes", refit.n_episodes.into()),
                ("dropouts", refit.n_dropouts.into()),
                ("folds", refit.folds.into()),
                ("default", auc(refit.auc_default).as_str().into()),
                ("refit", auc(refit.auc_refit_cross_validated).as_str().into()),
            ],
        ),
        Some(RefitOutcome::Failed) => tr.t("research-dropout-failed"),
    };
    let names = [
        "dropout-feature-alliance-trend",
        "dropout-feature-alliance-shortfall",
        "dropout-feature-open-ruptures",
        "dropout-feature-missed-checks",
        "dropout-feature-missed-sessions",
    ];
    let used = practice.dropout.coefficients();
    let mut weights: Vec<(String, String, String)> = FEATURES
        .iter()
        .zip(names)
        .enumerate()
        .map(|(i, (_, name))| (tr.t(name), tr.number(default.coefficients()[i], 2), tr.number(used[i], 2)))
        .collect();
    weights.push((
        tr.t("research-dropout-threshold"),
        tr.number(default.threshold, 3),
        tr.number(practice.dropout.threshold, 3),
    ));
    DropoutView { in_use, refit, weights }
}

pub async fn research_page(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Researcher)?;
    let repairs = repair_table(&state);
    let now = state.now();
    state.store.audit(AuditEvent { purpose: "research", ..who.audit(now, "view", "research-report", None) }).await?;
    let dropout = dropout_view(&state);
    let tr = crate::language::current();
    let (fitted_at, report) = state.app.research_report(now).await?;
    let report_computed = match fitted_at {
        Some(at) => tr.t1("report-computed", "when", super::show_time(at, &who.zone)),
        None => tr.t("report-not-yet"),
    };
    let report = crate::research_report::fragment(&report, &tr)?;
    let page = ResearchPage { tr, nav: Nav::of(&who), columns: CSV_HEADER, repairs, dropout, report, report_computed };
    Ok(Html(page.render()?).into_response())
}

/// The clients whose latest consent includes research use (issue 16, item 4).
async fn consented(state: &AppState, clients: &[ClientId]) -> Result<Vec<ClientId>, WebError> {
    let mut research = HashMap::new();
    for consent in state.store.consents_of(clients).await? {
        research.insert(consent.client, consent.research);
    }
    Ok(clients.iter().copied().filter(|c| research.get(c).copied().unwrap_or(false)).collect())
}

/// The repair table (issue 18), as the practice model's last refit made it (`App::refresh_practice`): each
/// recorded attempt of a consenting client, its outcome read from the client's own relationship checks, counted
/// per strategy with cells of fewer than five clients suppressed. `None` before the first refit.
fn repair_table(state: &AppState) -> Option<Vec<(String, String, String, String)>> {
    use alliance_core::repair::{MIN_CELL_CLIENTS, strategy_by_code};
    let practice = state.practice();
    let tr = crate::language::current();
    Some(
        practice
            .repair_table
            .as_ref()?
            .iter()
            .filter(|row| row.attempts > 0)
            .map(|row| {
                let name = strategy_by_code(row.code).map_or_else(|| row.code.to_owned(), |s| tr.t(s.message));
                match row.came_back_share() {
                    Some(share) => (
                        name,
                        row.attempts.to_string(),
                        row.clients.to_string(),
                        tr.t2("research-repair-share", "back", row.came_back, "percent", tr.number(100.0 * share, 0)),
                    ),
                    None => {
                        let hidden = tr.t1("research-repair-suppressed", "min", MIN_CELL_CLIENTS);
                        (name, hidden.clone(), hidden.clone(), hidden)
                    }
                }
            })
            .collect(),
    )
}

/// Random codes, unique within one export.
struct Codes {
    prefix: char,
    given: HashMap<i64, String>,
    used: HashSet<String>,
}

impl Codes {
    fn new(prefix: char) -> Self {
        Self { prefix, given: HashMap::new(), used: HashSet::new() }
    }

    fn of(&mut self, id: i64) -> String {
        if let Some(code) = self.given.get(&id) {
            return code.clone();
        }
        let code = loop {
            let bytes: [u8; 5] = rand::random();
            let code = format!("{}{}", self.prefix, bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
            if self.used.insert(code.clone()) {
                break code;
            }
        };
        self.given.insert(id, code.clone());
        code
    }
}

/// Session numbers where a rupture began and where one was repaired, per episode, from the client's own
/// ratings (the rupture tracking the client page uses).
fn rupture_marks(state: &AppState, points: &[&ScorePoint], episode: EpisodeId) -> (HashSet<u32>, HashSet<u32>) {
    let ruptures = episode_ruptures(&state.practice(), points, episode);
    let onsets = ruptures.iter().map(|r| r.onset_session).collect();
    let repairs = ruptures
        .iter()
        .filter_map(|r| match r.repair {
            RepairStatus::Repaired { session, .. } => Some(session),
            _ => None,
        })
        .collect();
    (onsets, repairs)
}

/// The ruptures of one episode, from the client's own ratings (the rupture tracking the client page uses).
fn episode_ruptures(
    practice: &PracticeModel,
    points: &[&ScorePoint],
    episode: EpisodeId,
) -> Vec<alliance_signals::rupture::Rupture> {
    alliance_core::overview::ruptures(practice, &alliance_app::observations(points, Some(episode)))
}

/// Builds the CSV for every client of the practice. Only client-rated scores are included.
async fn dataset(state: &AppState) -> Result<String, WebError> {
    let users: Vec<UserId> = state.store.users().await?.into_iter().map(|u| u.id).collect();
    let clients = state.store.clients_of(&users).await?;
    // Only clients whose current consent includes research use (issue 16, item 4); the latest consent counts, so
    // a withdrawal takes them out of every later export.
    let all: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let research = consented(state, &all).await?;
    let clients: Vec<_> = clients.into_iter().filter(|c| research.contains(&c.id)).collect();
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let sessions = state.store.sessions_of(&ids).await?;
    // Sessions are attributed to the therapist who held them, also after a client moved to another.
    let held_by: std::collections::HashMap<_, _> = state.store.session_therapists(&ids).await?.into_iter().collect();
    let points: Vec<ScorePoint> =
        state.store.score_points(&ids).await?.into_iter().filter(|p| p.rater == Rater::Client).collect();
    let mut client_codes = Codes::new('C');
    let mut therapist_codes = Codes::new('T');
    // Sorted by the random code, so the order of rows says nothing about the order of records.
    let mut rows: BTreeMap<(String, usize, u32), Vec<String>> = BTreeMap::new();
    for client in &clients {
        let mut episodes: Vec<Episode> = state.store.episodes(client.id).await?;
        episodes.sort_by_key(|e| (e.started_on, e.id));
        let code = client_codes.of(client.id.0);
        let client_points: Vec<&ScorePoint> = points.iter().filter(|p| p.client == client.id).collect();
        for (ordinal, episode) in episodes.iter().enumerate() {
            let held: Vec<&TherapySession> = sessions.iter().filter(|s| s.episode == episode.id).collect();
            let (onsets, repairs) = rupture_marks(state, &client_points, episode.id);
            for s in &held {
                let day = (s.held_on - episode.started_on).whole_days();
                let here: Vec<&&ScorePoint> =
                    client_points.iter().filter(|p| p.episode == episode.id && p.session_number == s.number).collect();
                let reported = here.iter().any(|p| p.flags.has("rupture-reported"));
                let marks = format!(
                    "{},{},{}",
                    u8::from(reported),
                    u8::from(onsets.contains(&s.number)),
                    u8::from(repairs.contains(&s.number))
                );
                let therapist = therapist_codes.of(held_by.get(&s.id).unwrap_or(&episode.therapist).0);
                let prefix = format!("{code},{therapist},{},{},{day},{}", ordinal + 1, s.number, u8::from(s.attended));
                let mut lines = Vec::new();
                for p in &here {
                    let score = p.value.map(number).unwrap_or_default();
                    lines.push(format!(
                        "{prefix},{},{},{score},{marks}",
                        csv_field(&p.instrument),
                        csv_field(&p.scale)
                    ));
                }
                if lines.is_empty() {
                    lines.push(format!("{prefix},,,,{marks}"));
                }
                lines.sort();
                rows.insert((code.clone(), ordinal, s.number), lines);
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "{CSV_HEADER}");
    for line in rows.into_values().flatten() {
        let _ = writeln!(out, "{line}");
    }
    Ok(out)
}

/// Instrument and scale ids come from the catalog; quote anything that could still break a row or be read as
/// a formula by a spreadsheet.
fn csv_field(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@']) || value.contains([',', '"', '\n', '\r']);
    if risky { format!("\"'{}\"", value.replace('"', "\"\"")) } else { value.to_owned() }
}

/// `POST /research/export`: the researcher enters their password again, the export is audited (action
/// `export`, purpose `research`), and the CSV is sent as a download.
pub async fn export(State(state): State<AppState>, who: SignedIn, mut form: FormFields) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    access::require_role(&who, Role::Researcher)?;
    reauth::confirm_password(&state, &who, &mut form).await?;
    let csv = dataset(&state).await?;
    let now = state.now();
    state.store.audit(AuditEvent { purpose: "research", ..who.audit(now, "export", "research-dataset", None) }).await?;
    let filename = format!("attachment; filename=\"alliance-sessions-{}.csv\"", iso_date(now.date()));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_within_an_export_and_unrelated_to_ids() {
        let mut codes = Codes::new('C');
        let a = codes.of(1);
        assert_eq!(codes.of(1), a);
        let b = codes.of(2);
        assert_ne!(a, b);
        assert!(a.starts_with('C') && a.len() == 11 && a[1..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(Codes::new('C').of(1), a, "a new export gives new codes (1 in 2^40 to collide)");
    }

    #[test]
    fn csv_fields_cannot_break_rows_or_become_formulas() {
        assert_eq!(csv_field("phq9"), "phq9");
        assert_eq!(csv_field("a,b"), "\"'a,b\"");
        assert_eq!(csv_field("=cmd()"), "\"'=cmd()\"");
        assert_eq!(csv_field("x\"y"), "\"'x\"\"y\"");
    }
}
