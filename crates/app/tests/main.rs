//! The application layer's one integration-test binary: the use cases on a fresh database per test (a SQLite
//! file, or a PostgreSQL database when `ALLIANCE_TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod episode;
mod form;
mod support;
