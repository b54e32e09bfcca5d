//! Integration tests of the transcripts crate: one binary, each file a module. Every transcript here was
//! written for these tests; nothing comes from AnnoMI or EPITOME (the evaluation reads them from outside the
//! repository when they are there).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

mod coders;
mod evaluation;
mod fitting;
mod parse;
mod sessions;
