//! The crate's single integration-test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bad_input;
mod degenerate;
mod fixture_models;
mod intercept;
mod prediction;
mod simulate;
mod simulation;
