//! Linear mixed model for the expected treatment response (ETR), reproducing R's lme4.
//!
//! `score ~ log_session * intake_c + (log_session | client)` (optionally
//! `+ (1 | therapist)`), fitted by REML or ML with lme4's profiled deviance, evaluated per
//! client in O(clients) time from per-client sufficient statistics. See README.md.
//!
//! ```no_run
//! use alliance_lmm::{fit, read_practice_csv, FitOptions, ModelSpec};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let practice = read_practice_csv(std::fs::File::open("practice.csv")?)?;
//! let model = fit(&practice, &ModelSpec::GROWTH_REML, &FitOptions::default())?;
//! let course = model.expected_course(18.0, 20, 0.9)?;
//! # let _ = course; Ok(()) }
//! ```
#![forbid(unsafe_code)]
// Index loops mirror the matrix formulas of the small dense kernels.
#![allow(clippy::needless_range_loop)]

mod csv;
mod data;
mod deviance;
mod error;
mod fit;
mod intercept;
mod linalg;
mod normal;
mod optim;
mod predict;
mod result;

pub use crate::csv::{MAX_FIELD_BYTES, MAX_LINE_BYTES, read_practice_csv};
pub use crate::data::{ClientSummary, INTAKE_CENTRE, Observation, Practice, PracticeBuilder};
pub use crate::error::{Column, FitError, InputError, PredictError};
pub use crate::fit::{Criterion, FitOptions, FittedModel, ModelSpec, RandomEffects, fit};
pub use crate::intercept::{
    GroupEffect, InterceptBuilder, InterceptFit, InterceptFitError, InterceptInputError, fit_intercept,
    icc_profile_interval,
};
pub use crate::normal::normal_quantile;
pub use crate::predict::PredictedScore;
pub use crate::result::{Fallback, FixedEffects, LmmResult, VarCorrEntry};
