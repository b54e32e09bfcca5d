//! The application layer's one integration-test binary: the use cases and the scheduler on a fresh database per
//! test (a SQLite file, or a PostgreSQL database when `ALLIANCE_TEST_DATABASE_URL` is set), with time moved by
//! hand instead of waited for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod episode;
mod form;
mod pending;
mod scheduler;
mod support;
mod transcript;
