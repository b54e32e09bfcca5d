//! The crate's one integration-test binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod change_oracles;
mod csv_input;
mod fixture_eval;
mod properties;
mod rupture_rules;
mod signals;
mod sudden_oracle;
