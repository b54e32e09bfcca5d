//! `alliance analyze ...`: researcher commands on CSV files.

use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;

use std::sync::Arc;

use alliance_core::practice::SignalSettings;
use alliance_core::research::{ResearchData, read_fixture_csv};
use alliance_i18n::{Lang, Tr};
use alliance_lmm::{Criterion, FitOptions, ModelSpec, RandomEffects, fit, read_practice_csv};
use alliance_signals::rupture::Mode;
use alliance_store::{Database, OpenMode, Opening};
use anyhow::Context;
use clap::{Subcommand, ValueEnum};

use crate::args::DataArgs;

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
    /// Fairness of signals on generated practices: clients in groups that answer in different styles at the
    /// same planted need (one rates the alliance 4 points lower, one uses the ends of the scale and answers more
    /// noisily, one reports 3 more PHQ-9 points), and per group the rupture and not-on-track sensitivity and false
    /// alarms and the low-alliance alert rate, for detectors that use each client's own baseline and for fixed
    /// cut-offs; prints a Markdown table with Monte-Carlo standard errors, or JSON.
    Fairness {
        /// Generated clients, each judged once in every group's style (1 to 200000).
        #[arg(long, default_value = "20000", allow_hyphen_values = true)]
        clients: String,
        /// Seed of the generated practices (a whole number, 0 or more).
        #[arg(long, default_value = "2026", allow_hyphen_values = true)]
        seed: String,
        /// Print every figure as JSON instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// The practice research report: the alliance's relation to next-session outcome within and between
    /// clients, therapist effects, the measures' reliability, ruptures and outcome, outcomes overall. On a
    /// research CSV (--input) or on the practice's database (clients who consented to research use); prints
    /// every figure as JSON, and with --html writes a self-contained report.
    Research(Box<ResearchArgs>),
}

#[derive(clap::Args)]
pub struct ResearchArgs {
    /// CSV with columns client,therapist,session,a1..a6,phq9,alliance, instead of the practice's database.
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
    /// The practice's database: `sqlite:PATH` or `postgres://...` (default: the data folder's).
    #[arg(long = "database", env = "ALLIANCE_DATABASE_URL", value_name = "URL", hide_env_values = true)]
    database: Option<String>,
    /// Print every figure as JSON (also the default without --html).
    #[arg(long)]
    json: bool,
    /// Write the report as one self-contained HTML file (inline SVG, no script).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// The report's language: en, es or ar.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    lang: Lang,
}

fn parse_lang(tag: &str) -> Result<Lang, String> {
    Lang::parse(tag).ok_or_else(|| format!("`{tag}` is not a language of Alliance (en, es, ar)"))
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

pub async fn run(command: AnalyzeCommand) -> anyhow::Result<()> {
    if let AnalyzeCommand::Research(args) = command {
        return research(*args).await;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        AnalyzeCommand::Research(_) => {}
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
        AnalyzeCommand::Fairness { clients, seed, json } => {
            let clients = whole_number("--clients", &clients, 1..=FAIRNESS_MAX_CLIENTS)?;
            let seed = whole_number("--seed", &seed, 0..=u64::MAX)?;
            let catalog = alliance_core::catalog::Catalog::builtin().context("the built-in instruments")?;
            let options = alliance_core::fairness::study::StudyOptions::new(seed, clients as usize);
            let report = alliance_core::fairness::study::run(&catalog, &options)?;
            if json {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", report.markdown())?;
            }
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

/// Reads the research rows from the CSV or the practice's database.
async fn research_data(args: &ResearchArgs, progress: bool) -> anyhow::Result<ResearchData> {
    if let Some(input) = &args.input {
        let size = std::fs::metadata(input).with_context(|| format!("cannot open {}", input.display()))?.len();
        if size > alliance_core::research::MAX_CSV_BYTES {
            anyhow::bail!("{}: larger than {} bytes", input.display(), alliance_core::research::MAX_CSV_BYTES);
        }
        let (sessions, items) = if progress {
            read_fixture_csv(BufReader::new(Progress::new(open(input)?, size, "reading")))
        } else {
            read_fixture_csv(open(input)?)
        }
        .with_context(|| format!("{}", input.display()))?;
        return Ok(ResearchData {
            sessions,
            item_tables: vec![items],
            outcome_measure: alliance_core::catalog::PHQ9.to_owned(),
            outcome_criteria: alliance_signals::change::ChangeCriteria::phq9(),
            rupture_prior: None,
            backgrounds: Vec::new(),
            alliance_cutoff: None,
        });
    }
    if progress {
        eprint!("reading the practice's data (clients who consented to research use) ...");
    }
    let spec = args.data.database(args.database.as_deref())?;
    // A report must never create an empty practice and describe it.
    spec.ensure_exists()?;
    let keys = args.data.load_keys(false)?.keys;
    let db = Database::open(&spec, &keys, &Opening::new(OpenMode::Latest).connections(2)).await?;
    let catalog = Arc::new(alliance_core::catalog::Catalog::builtin().context("the built-in instruments")?);
    let now = time::OffsetDateTime::now_utc();
    let app = alliance_app::App::start(db.store(), catalog, SignalSettings::default(), now).await?;
    Ok(app.research_data(now).await?)
}

async fn research(args: ResearchArgs) -> anyhow::Result<()> {
    let progress = std::io::stderr().is_terminal();
    let data = research_data(&args, progress).await?;
    let started = std::time::Instant::now();
    let stages = alliance_core::research::Stage::ALL.len();
    let mut done = 0;
    let report = alliance_core::research::report(&data, |stage| {
        done += 1;
        if progress {
            let filled = done * 25 / stages;
            eprint!(
                "\r{:<26} [{}{}] {done}/{stages}",
                format!("{stage:?}"),
                "#".repeat(filled),
                " ".repeat(25 - filled)
            );
        }
    });
    if progress {
        eprintln!("\rreport made in {:.1} s{}", started.elapsed().as_secs_f64(), " ".repeat(40));
    }
    if let Some(path) = &args.html {
        let catalog = alliance_core::catalog::Catalog::builtin().context("the built-in instruments")?;
        let html = alliance_web::research_report::document(&report, &Tr::new(args.lang), &catalog)?;
        std::fs::write(path, html).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json || args.html.is_none() {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
    }
    Ok(())
}

/// Most generated clients `analyze fairness` takes: the study keeps every client's counts in every group's style in
/// memory (about 1.5 kB a client with the four groups), ten times the default is plenty for the table.
const FAIRNESS_MAX_CLIENTS: u64 = 200_000;

/// A whole number within `range`, parsed here rather than by clap so that a bad value is refused with one line that
/// names the option and never repeats the value (which could hold anything, line breaks included).
fn whole_number(option: &str, text: &str, range: std::ops::RangeInclusive<u64>) -> anyhow::Result<u64> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| anyhow::anyhow!("{option} takes a whole number from {} to {}", range.start(), range.end()))
}
