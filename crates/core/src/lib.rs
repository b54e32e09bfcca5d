//! The domain core of Alliance: instruments and their scoring, the clinical domain types and the synthetic
//! practice generator. Nothing here touches a file, a socket or the clock: callers pass time in, which keeps
//! every rule testable and reproducible.
#![forbid(unsafe_code)]

pub mod barriers;
pub mod boundaries;
pub mod calibration;
pub mod catalog;
pub mod contact;
pub mod crisis;
pub mod culture;
pub mod domain;
pub mod dropout;
pub mod fairness;
pub mod fhir;
pub mod history;
pub mod instrument;
pub mod overview;
pub mod partnership;
pub mod patterns;
pub mod practice;
pub mod recognition;
pub mod repair;
pub mod research;
pub mod schedule;
pub mod scoring;
pub mod simulate;
pub mod supervision;
pub mod text_policy;
pub mod triage;

pub use instrument::{Instrument, InstrumentError};
pub use scoring::{Answer, Answers, ScoreSet, score};
