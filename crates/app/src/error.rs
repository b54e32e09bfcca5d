//! What a use case can refuse or fail with. The web layer maps each to its one error type (and so to a page); the
//! store's own errors pass through unchanged, so an outage still reads as "try again in a minute".

use alliance_core::scoring::AnswerError;
use alliance_store::StoreError;

/// An error with its causes, for the log (without personal data: errors never carry any).
pub fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A posted field names no question of the form: a changed or forged page, never a person's mistake.
    #[error("the form contained a field that does not belong to it")]
    UnknownField,
    /// More fields than any instrument has.
    #[error("the form has too many fields")]
    TooManyFields,
    /// Answers that passed their check and still could not be scored.
    #[error("the answers could not be scored: {0}")]
    Unscorable(AnswerError),
    /// The signal to acknowledge is not among the client's current ones (the data changed since the page was shown).
    #[error("that signal is no longer current")]
    SignalNotCurrent,
    /// A risk signal is acknowledged only with the action taken (docs/TRIAGE.md), never with one click.
    #[error("a risk signal is acknowledged with the action taken")]
    RiskNeedsAction,
    /// The action recorded on a risk signal is incomplete or impossible; the words say what to correct.
    #[error("{0}")]
    RiskAction(&'static str),
    /// An instrument that data or a link refers to is not in the catalog.
    #[error("instrument {0} is not loaded")]
    InstrumentMissing(String),
    /// The practice's signal settings, or the model fitted with them, are not usable.
    #[error("practice model: {0}")]
    PracticeModel(String),
}
