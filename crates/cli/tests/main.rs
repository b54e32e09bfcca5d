//! Integration tests of the `alliance` binary: they run the built command as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit;
mod backup;
mod bad_input;
mod calibration;
mod config;
mod demo;
mod deploy;
mod drill;
mod dropout;
mod etr;
mod fairness;
mod fhir;
mod held;
mod help;
mod import;
mod keys;
mod outage;
mod plaintext;
mod readme;
mod research;
mod ruptures;
mod transcript_model;
mod transcripts;
mod upgrade;
mod users;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What one run of the binary did.
pub struct Run {
    pub args: Vec<String>,
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit 0, and nothing non-finite printed.
    pub fn ok(self) -> Run {
        assert!(self.success, "{:?} failed:\n{}", self.args, self.stderr);
        self.assert_no_panic();
        assert_finite_text(&self.stdout);
        self
    }

    /// A refusal: non-zero exit, nothing on stdout, one line `error: ...` on stderr, no panic.
    pub fn refused(self) -> Run {
        assert!(!self.success, "{:?} succeeded, printing:\n{}", self.args, self.stdout);
        self.assert_no_panic();
        assert!(self.stdout.is_empty(), "{:?} printed on stdout:\n{}", self.args, self.stdout);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{:?}: stderr is not one line:\n{}", self.args, self.stderr);
        assert!(lines[0].starts_with("error: "), "{:?}: {}", self.args, self.stderr);
        self
    }

    /// Standard output names all of `parts` (case-insensitive).
    pub fn prints(self, parts: &[&str]) -> Run {
        let lower = self.stdout.to_lowercase();
        for part in parts {
            assert!(lower.contains(&part.to_lowercase()), "{:?}: output lacks {part:?}: {}", self.args, self.stdout);
        }
        self
    }

    /// The error line names all of `parts` (case-insensitive).
    pub fn says(self, parts: &[&str]) -> Run {
        let lower = self.stderr.to_lowercase();
        for part in parts {
            assert!(
                lower.contains(&part.to_lowercase()),
                "{:?}: error does not mention {part:?}: {}",
                self.args,
                self.stderr
            );
        }
        self
    }

    fn assert_no_panic(&self) {
        assert!(!self.stderr.contains("panicked"), "{:?} panicked:\n{}", self.args, self.stderr);
        assert!(!self.stderr.contains("RUST_BACKTRACE"), "{:?} panicked:\n{}", self.args, self.stderr);
    }
}

/// Runs `alliance` with `args`, no standard input and a neutral environment.
pub fn alliance(args: &[&str]) -> Run {
    alliance_with_env(args, &[])
}

/// Runs `alliance` with `args` and these environment variables added to a neutral environment.
pub fn alliance_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_alliance"));
    command.args(args).stdin(Stdio::null());
    for name in ["ALLIANCE_LOG", "ALLIANCE_DATA", "ALLIANCE_KEYS", "ALLIANCE_KEY_FILE", "RUST_BACKTRACE"] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let output: Output = command.output().expect("the alliance binary runs");
    Run {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        success: output.status.success(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A file in `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures").join(name)
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// A temporary file holding `contents`; removed when dropped.
pub fn temp_csv(contents: &str) -> tempfile::TempPath {
    let file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(file.path(), contents).unwrap();
    file.into_temp_path()
}

/// No token of `text` reads as a non-finite number (NaN, inf, infinity, in any case).
pub fn assert_finite_text(text: &str) {
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+')) {
        let word = token.trim_start_matches(['-', '+']).to_ascii_lowercase();
        assert!(!matches!(word.as_str(), "nan" | "inf" | "infinity"), "non-finite value {token:?} in output:\n{text}");
    }
}

/// What a test's administrator chooses at the first sign-in.
pub const OWN_PASSWORD: &str = "quartz meadow lantern harbour";

/// The first sign-in with a password someone else chose (a generated one) lands on the account page, which asks
/// for the user's own password before anything else: this chooses `OWN_PASSWORD` there. `page` is the landing page.
pub async fn replace_given_password(http: &reqwest::Client, base: &str, page: &str, given: &str) {
    assert!(page.contains("choose your own password"), "the account page asks for a new password first");
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let fields = [("csrf", csrf), ("password", given), ("new_password", OWN_PASSWORD), ("repeat", OWN_PASSWORD)];
    let r = http.post(format!("{base}/account/password")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.text().await.unwrap().contains("choose your own password"));
}

/// A demo practice of `clients` clients in `dir/demo`, made by `alliance demo` (stopped once it is ready).
pub fn demo_practice(dir: &Path, clients: u16) -> PathBuf {
    use std::io::{BufRead, BufReader};
    let data = dir.join("demo");
    let mut demo = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["demo", "--data", path_str(&data), "--bind", "127.0.0.1:0", "--clients", &clients.to_string()])
        .env_remove("ALLIANCE_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let ready = BufReader::new(stdout).lines().map(Result::unwrap).any(|l| l.contains("Questions per check"));
    demo.kill().unwrap();
    demo.wait().unwrap();
    assert!(ready, "the demo started");
    data
}
