//! `alliance analyze ...`: researcher commands on CSV files.

use std::io::{BufReader, IsTerminal, Write};
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

pub fn run(command: AnalyzeCommand) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        AnalyzeCommand::Etr { input, model } => {
            let progress = std::io::stderr().is_terminal();
            if progress {
                eprint!("reading {} ...", input.display());
            }
            let practice = read_practice_csv(open(&input)?).with_context(|| format!("{}", input.display()))?;
            if progress {
                eprint!("\rfitting {} clients, {} rows ...", practice.n_clients(), practice.n_obs());
            }
            let fitted = fit(&practice, &spec(model), &FitOptions::default())?;
            if progress {
                eprintln!("\rdone: {} evaluations{}", fitted.result.iterations, " ".repeat(30));
            }
            serde_json::to_writer_pretty(&mut out, &fitted.result)?;
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
