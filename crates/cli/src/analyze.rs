//! `alliance analyze ...`: researcher commands on CSV files.

use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;

use alliance_lmm::{Criterion, FitOptions, ModelSpec, RandomEffects, fit, read_practice_csv};
use alliance_signals::rupture::Mode;
use anyhow::Context;
use clap::{Subcommand, ValueEnum};

#[derive(Subcommand)]
pub enum AnalyzeCommand {
    /// Fit the expected-treatment-response growth model; prints lme4-style JSON.
    Etr {
        /// CSV with columns client,therapist,session,intake,score.
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = EtrModel::Growth)]
        model: EtrModel,
    },
    /// Detect alliance ruptures and repairs; prints CSV.
    Ruptures {
        /// CSV with columns client,session,alliance.
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = RuptureMode::Strict)]
        mode: RuptureMode,
    },
    /// Measure the expected course's red edge and the not-on-track rule on generated practices (fitted on half
    /// of each practice's clients, judged on the other half); prints JSON.
    Calibration {
        /// Seed of the generated practices.
        #[arg(long)]
        seed: u64,
        /// Number of practices of 200 clients.
        #[arg(long, default_value_t = 4)]
        practices: usize,
    },
    /// Measure the early warning of dropout (default weights) on generated practices with alliance-dependent
    /// dropout: AUC, sensitivity at a 10 % alert rate, lead time; prints JSON. Not validated on real clinical data.
    Dropout {
        /// Seed of the first generated practice (the defaults were tuned on seeds 101-108: use others).
        #[arg(long)]
        seed: u64,
        /// Number of practices of 250 clients.
        #[arg(long, default_value_t = 4)]
        practices: usize,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EtrModel {
    /// Random intercept and slope on log(session), REML.
    Growth,
    /// The same by maximum likelihood.
    GrowthMl,
    /// Random intercept only, REML.
    Intercept,
    /// Growth model plus a therapist random intercept, REML.
    Therapist,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RuptureMode {
    Strict,
    Lenient,
}

fn spec(model: EtrModel) -> ModelSpec {
    let (random, therapist_level, criterion) = match model {
        EtrModel::Growth => (RandomEffects::InterceptAndSlope, false, Criterion::Reml),
        EtrModel::GrowthMl => (RandomEffects::InterceptAndSlope, false, Criterion::Ml),
        EtrModel::Intercept => (RandomEffects::Intercept, false, Criterion::Reml),
        EtrModel::Therapist => (RandomEffects::InterceptAndSlope, true, Criterion::Reml),
    };
    ModelSpec { random, therapist_level, criterion }
}

fn open(path: &PathBuf) -> anyhow::Result<BufReader<std::fs::File>> {
    Ok(BufReader::new(std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?))
}

/// Wraps a reader and draws a progress bar of the bytes read on standard error, when it is a terminal.
struct Progress<R> {
    inner: R,
    read: u64,
    total: u64,
    shown: u64,
    label: &'static str,
}

impl<R: Read> Progress<R> {
    fn new(inner: R, total: u64, label: &'static str) -> Self {
        Progress { inner, read: 0, total: total.max(1), shown: u64::MAX, label }
    }

    fn draw(&mut self) {
        let percent = (self.read * 100 / self.total).min(100);
        if percent != self.shown {
            self.shown = percent;
            let filled = usize::try_from(percent / 4).unwrap_or(25);
            eprint!("\r{} [{}{}] {percent:>3} %", self.label, "#".repeat(filled), " ".repeat(25 - filled.min(25)));
        }
    }
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.draw();
        Ok(n)
    }
}

pub fn run(command: AnalyzeCommand) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        AnalyzeCommand::Etr { input, model } => {
            let progress = std::io::stderr().is_terminal();
            let practice = if progress {
                let total = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
                read_practice_csv(Progress::new(open(&input)?, total, "reading"))
            } else {
                read_practice_csv(open(&input)?)
            }
            .with_context(|| format!("{}", input.display()))?;
            if progress {
                eprint!("\rfitting {} clients, {} rows ...{}", practice.n_clients(), practice.n_obs(), " ".repeat(20));
            }
            let started = std::time::Instant::now();
            let fitted =
                fit(&practice, &spec(model), &FitOptions::default()).with_context(|| format!("{}", input.display()))?;
            if progress {
                eprintln!(
                    "\rfitted in {:.1} s, {} evaluations{}",
                    started.elapsed().as_secs_f64(),
                    fitted.result.iterations,
                    " ".repeat(30)
                );
            }
            serde_json::to_writer_pretty(&mut out, &fitted.result)?;
            writeln!(out)?;
        }
        AnalyzeCommand::Calibration { seed, practices } => {
            let catalog = alliance_core::catalog::Catalog::builtin().context("the built-in instruments")?;
            let options = alliance_core::calibration::CalibrationOptions::new(seed, practices.max(1));
            let report = alliance_core::calibration::calibrate(&catalog, &options)?;
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        AnalyzeCommand::Dropout { seed, practices } => {
            let catalog = alliance_core::catalog::Catalog::builtin().context("the built-in instruments")?;
            let report = alliance_core::dropout::evaluate_generated(&catalog, seed, practices.max(1));
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        AnalyzeCommand::Ruptures { input, mode } => {
            let mode = match mode {
                RuptureMode::Strict => Mode::Strict,
                RuptureMode::Lenient => Mode::Lenient,
            };
            let summary = alliance_signals::analyze::analyze_ruptures(open(&input)?, &mut out, mode)
                .with_context(|| format!("{}", input.display()))?;
            if std::io::stderr().is_terminal() {
                eprintln!(
                    "{} clients, {} ruptures ({} repaired, {} unrepaired, {} still open)",
                    summary.clients, summary.ruptures, summary.repaired, summary.unrepaired, summary.open
                );
            }
        }
    }
    out.flush()?;
    Ok(())
}
