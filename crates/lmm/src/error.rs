//! Error types. Every input problem names the line (or row) and the column.

use std::fmt;

/// A column of the input table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Client,
    Therapist,
    Session,
    Intake,
    Score,
}

impl Column {
    /// All columns in the canonical order `client,therapist,session,intake,score`.
    pub const ALL: [Column; 5] = [Column::Client, Column::Therapist, Column::Session, Column::Intake, Column::Score];

    /// The header name of the column.
    pub fn name(self) -> &'static str {
        match self {
            Column::Client => "client",
            Column::Therapist => "therapist",
            Column::Session => "session",
            Column::Intake => "intake",
            Column::Score => "score",
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Invalid input data. `line` is the 1-based line of the CSV file (the header is line 1);
/// for observations passed directly it is the 1-based row index.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("could not read input: {0}")]
    Io(String),
    #[error("input is empty: expected the header `client,therapist,session,intake,score`")]
    Empty,
    #[error("no data rows after the header")]
    NoRows,
    #[error("line {line}: not valid UTF-8")]
    NotUtf8 { line: usize },
    #[error("line {line}: longer than {limit} bytes")]
    LineTooLong { line: usize, limit: usize },
    #[error("line {line}, column `{column}`: field longer than {limit} bytes")]
    FieldTooLong { line: usize, column: String, limit: usize },
    #[error("line {line}, column {column}: unterminated or misplaced quote")]
    BadQuote { line: usize, column: usize },
    #[error("header: unknown column `{name}` (expected client, therapist, session, intake, score)")]
    UnknownHeader { name: String },
    #[error("header: column `{name}` appears twice")]
    DuplicateHeader { name: String },
    #[error("header: required column `{column}` is missing")]
    MissingHeader { column: Column },
    #[error("line {line}: column `{column}` is missing ({found} fields, expected {expected})")]
    MissingColumn { line: usize, column: String, found: usize, expected: usize },
    #[error("line {line}: {found} fields, expected {expected} (extra column)")]
    ExtraColumn { line: usize, found: usize, expected: usize },
    #[error("line {line}, column `{column}`: empty value")]
    EmptyValue { line: usize, column: Column },
    #[error("line {line}, column `{column}`: `{value}` is not a number")]
    NotANumber { line: usize, column: Column, value: String },
    #[error("line {line}, column `{column}`: `{value}` is not finite")]
    NotFinite { line: usize, column: Column, value: String },
    #[error("line {line}, column `session`: `{value}` is not a whole number")]
    NotAnInteger { line: usize, value: String },
    #[error("line {line}, column `session`: session {session} is below 1")]
    SessionBelowOne { line: usize, session: i64 },
    #[error("line {line}, column `session`: client `{client}` has session {session} twice")]
    DuplicateSession { line: usize, client: String, session: u32 },
    #[error(
        "line {line}, column `session`: client `{client}` sessions not in increasing order \
         ({session} after {previous})"
    )]
    UnsortedSession { line: usize, client: String, session: u32, previous: u32 },
    #[error("line {line}, column `intake`: client `{client}` intake changes from {first} to {value}")]
    IntakeChanged { line: usize, client: String, first: f64, value: f64 },
    #[error("line {line}, column `therapist`: client `{client}` changes therapist from `{first}` to `{value}`")]
    TherapistChanged { line: usize, client: String, first: String, value: String },
}

/// The model cannot be fitted to these data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("need at least 2 clients to estimate between-client variance, got {clients}")]
    TooFewClients { clients: usize },
    #[error(
        "every client has a single session ({n_obs} observations, {clients} clients): \
         within- and between-client variance cannot be separated"
    )]
    NoRepeatedSessions { n_obs: usize, clients: usize },
    #[error("all scores are identical ({value}): there is no variance to model")]
    ConstantScores { value: f64 },
    #[error("fixed-effect term `{term}` is collinear with the terms before it ({reason})")]
    RankDeficient { term: &'static str, reason: &'static str },
    #[error("the residual variance collapsed to zero: the data are fitted exactly")]
    ZeroResidualVariance,
    #[error("numerical failure: {0}")]
    Numerical(&'static str),
    #[error("invalid option: {0}")]
    InvalidOption(&'static str),
}

/// Invalid arguments to a prediction.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PredictError {
    #[error("level must be strictly between 0 and 1, got {0}")]
    Level(f64),
    #[error("intake must be finite, got {0}")]
    Intake(f64),
    #[error("sessions must be at least 1")]
    Session,
    #[error("observed score at position {index} is not finite")]
    Score { index: usize },
    #[error("observed sessions must be strictly increasing (position {index})")]
    UnsortedSessions { index: usize },
    #[error("unknown therapist `{0}`")]
    UnknownTherapist(String),
}
