//! The web crate's one integration-test binary: the app on a random port with a fresh SQLite file per test,
//! driven over HTTP like a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod app;
mod bad_input;
mod flow;
mod operations;
mod permissions;
