//! The core's one integration-test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod barriers;
mod calibration;
mod care_dates;
mod clinical_support;
mod culture;
mod demo_alerts;
mod dropout;
mod fairness;
mod fhir;
mod history;
mod instruments;
mod loader;
mod overview;
mod properties;
mod research;
mod simulate;
mod text_policy;
mod triage;

use alliance_core::catalog::Catalog;
use alliance_core::scoring::{Answer, Answers};

pub fn catalog() -> Catalog {
    Catalog::builtin().expect("built-in instruments load")
}

/// Answers giving `value` to every listed item.
pub fn all(items: &[&str], value: f64) -> Answers {
    items.iter().map(|id| ((*id).to_owned(), Answer::Value(value))).collect()
}

pub fn with(mut answers: Answers, id: &str, answer: Answer) -> Answers {
    answers.insert(id.to_owned(), answer);
    answers
}
