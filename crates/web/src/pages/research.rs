//! The researcher's page: the practice research report, the repair table, the dropout warning's weights, and
//! the de-identified export (`research_export.rs`).

use alliance_core::domain::Role;
use alliance_store::AuditEvent;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use super::Nav;
use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "research.html")]
struct ResearchPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    columns: String,
    /// Whether this build offers Parquet.
    parquet: bool,
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
    let (report, report_computed) = match state.app.research_report(now) {
        alliance_app::ReportState::Making => (String::new(), tr.t("report-making")),
        alliance_app::ReportState::Ready { fitted_at, report, newer_coming } => {
            let mut when = match fitted_at {
                Some(at) => tr.t1("report-computed", "when", super::show_time(at, &who.zone)),
                None => tr.t("report-not-yet"),
            };
            if newer_coming {
                when = format!("{when} {}", tr.t("report-newer-coming"));
            }
            (crate::research_report::fragment(&report, &tr, &state.catalog)?, when)
        }
    };
    let page = ResearchPage {
        tr,
        nav: Nav::of(&who),
        columns: super::research_export::csv_header(),
        parquet: super::research_export::PARQUET,
        repairs,
        dropout,
        report,
        report_computed,
    };
    Ok(Html(page.render()?).into_response())
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
