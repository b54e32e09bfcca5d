//! Clinical-change and rupture logic for Alliance: pure functions, no clock, no IO beyond
//! parsing from a passed reader and writing to a passed writer.
//!
//! - [`change`]: reliable and clinically significant change (Jacobson & Truax 1991).
//! - [`sudden`]: sudden gains and losses (Tang & DeRubeis 1999, as in suddengains 0.7.2).
//! - [`variability`]: a client's session-to-session variability, shrunk toward the practice's.
//! - [`rupture`]: real-time rupture and repair detection on alliance scores.
//! - [`signal`]: signals (risk, rupture, discrepancy, disengagement, change, not on track) with
//!   evidence, plain explanations and suggested actions; caseload ordering.
//! - [`csv_io`]: the researcher CSV formats; [`evaluation`]: precision, recall and F1 against
//!   planted ruptures; [`tuning`]: choosing the rupture settings by cross-validation over client folds.
#![forbid(unsafe_code)]

pub mod analyze;
pub mod change;
pub mod csv_io;
mod error;
pub mod evaluation;
pub mod rupture;
pub mod signal;
pub mod sudden;
pub mod tuning;
pub mod variability;

pub use error::InvalidInput;
