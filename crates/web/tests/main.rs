//! The web crate's one integration-test binary: the app on a random port with a fresh database per test (a SQLite
//! file, or a PostgreSQL database when `ALLIANCE_TEST_DATABASE_URL` is set),
//! driven over HTTP like a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod adjusted_outcomes;
mod admin_tasks;
mod api;
mod app;
mod audit;
mod bad_input;
mod boundaries;
mod cookies;
mod crisis;
mod culture;
mod delivery;
mod fhir;
mod flow;
mod languages;
mod languages_staff;
mod limits;
mod mail;
mod matrix;
mod meetings;
mod operations;
mod outage;
mod partnership;
mod password_reset;
mod permissions;
mod practice;
mod proxy;
mod recovery;
mod research;
mod rights;
mod risk;
mod servers;
mod sign_ins;
mod supervision;
mod support;
mod time_zones;
mod transcripts;
mod triage;
