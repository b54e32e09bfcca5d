//! ETR fit benchmark: `cargo bench --bench etr -- --clients 100000 [--therapist-level]
//! [--skip-lme4] [--via-csv] [--seed N]`. Simulates a practice, fits it, and, where `Rscript` with lme4
//! is installed, fits the same data with lme4 and compares the estimates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

#[path = "../tests/simulate.rs"]
mod simulate;

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use alliance_lmm::{
    Criterion, FitOptions, LmmResult, ModelSpec, Observation, PracticeBuilder, RandomEffects, fit, read_practice_csv,
};
use simulate::{Truth, simulate};

struct Args {
    clients: usize,
    therapist_level: bool,
    skip_lme4: bool,
    /// Also time the path from a CSV file (read + fit) when lme4 is skipped.
    via_csv: bool,
    seed: u64,
}

fn parse_args() -> Args {
    let mut args =
        Args { clients: 100_000, therapist_level: false, skip_lme4: false, via_csv: false, seed: 20_240_601 };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--clients" => args.clients = it.next().and_then(|v| v.parse().ok()).expect("--clients N"),
            "--seed" => args.seed = it.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--therapist-level" => args.therapist_level = true,
            "--skip-lme4" => args.skip_lme4 = true,
            "--via-csv" => args.via_csv = true,
            _ => {} // cargo passes `--bench`
        }
    }
    args
}

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: skip the long run.
    if !std::env::args().any(|a| a == "--bench") {
        println!("etr benchmark: run with `cargo bench --bench etr -- --clients N`");
        return;
    }
    let args = parse_args();
    let mut truth = Truth::etr(args.clients, (args.clients / 40).max(2));
    truth.sd_therapist = 0.8;
    let spec = ModelSpec {
        random: RandomEffects::InterceptAndSlope,
        therapist_level: args.therapist_level,
        criterion: Criterion::Reml,
    };
    println!("model: {}", spec.formula());

    let start = Instant::now();
    let mut builder = PracticeBuilder::default();
    let (mut client, mut therapist) = (String::new(), String::new());
    let mut line = 1;
    simulate(&truth, args.seed, |r| {
        use std::fmt::Write as _;
        client.clear();
        therapist.clear();
        write!(client, "c{}", r.client).unwrap();
        write!(therapist, "t{}", r.therapist).unwrap();
        line += 1;
        let row = Observation {
            client: &client,
            therapist: &therapist,
            session: r.session,
            intake: r.intake,
            score: r.score,
        };
        builder.push(line, &row).unwrap();
    });
    let practice = builder.finish().unwrap();
    println!(
        "simulated {} clients, {} therapists, {} observations in {:.2} s",
        practice.n_clients(),
        practice.therapists().len(),
        practice.n_obs(),
        start.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    let model = fit(&practice, &spec, &FitOptions::default()).unwrap();
    let ours_seconds = start.elapsed().as_secs_f64();
    let r = &model.result;
    println!(
        "alliance-lmm fit: {ours_seconds:.3} s ({} deviance evaluations, converged {}, threads {})",
        r.iterations,
        r.converged,
        FitOptions::default().threads
    );
    print_estimates("alliance-lmm", &summary(r));
    drop(practice);

    if args.skip_lme4 && args.via_csv {
        time_csv_path(&truth, &args, &spec);
    }
    if !args.skip_lme4 && lme4_available() {
        compare_with_lme4(&truth, &args, &spec, r, ours_seconds);
    } else if !args.skip_lme4 {
        println!("lme4: Rscript with lme4 not found, comparison skipped");
    }
    match peak_memory_mib() {
        Some(mib) => println!("peak memory (VmHWM): {mib:.0} MiB"),
        None => println!("peak memory: /proc/self/status not readable"),
    }
}

/// (name, value) pairs compared with lme4: fixed effects, SEs, SDs, correlation, sigma, criterion.
fn summary(r: &LmmResult) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (term, v) in ["b0", "b1", "b2", "b3"].iter().zip(r.fixed.to_array()) {
        out.push((format!("fixed_{term}"), v));
    }
    for (term, v) in ["b0", "b1", "b2", "b3"].iter().zip(r.se.to_array()) {
        out.push((format!("se_{term}"), v));
    }
    for e in &r.varcorr {
        let name = format!(
            "{}_{}{}",
            e.grp,
            e.var1.as_deref().unwrap_or("sd"),
            e.var2.as_deref().map(|v| format!("_{v}")).unwrap_or_default()
        );
        out.push((name, e.sdcor));
    }
    out.push(("criterion".into(), r.deviance_or_reml));
    out
}

fn print_estimates(label: &str, values: &[(String, f64)]) {
    let text: Vec<String> = values.iter().map(|(k, v)| format!("{k}={v:.6}")).collect();
    println!("{label}: {}", text.join(" "));
}

fn lme4_available() -> bool {
    Command::new("Rscript")
        .args(["-e", "quit(status = !requireNamespace('lme4', quietly = TRUE))"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn write_csv(truth: &Truth, seed: u64) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("alliance-lmm-bench-{}.csv", std::process::id()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(file, "client,therapist,session,intake,score").unwrap();
    simulate(truth, seed, |r| {
        writeln!(file, "c{},t{},{},{},{}", r.client, r.therapist, r.session, r.intake, r.score).unwrap();
    });
    file.flush().unwrap();
    path
}

fn time_csv_path(truth: &Truth, args: &Args, spec: &ModelSpec) {
    let path = write_csv(truth, args.seed);
    let start = Instant::now();
    let practice = read_practice_csv(std::fs::File::open(&path).unwrap()).unwrap();
    let read_seconds = start.elapsed().as_secs_f64();
    let model = fit(&practice, spec, &FitOptions::default()).unwrap();
    let total = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    println!(
        "from CSV: read {read_seconds:.2} s + fit {:.2} s = {total:.2} s (converged {})",
        total - read_seconds,
        model.result.converged
    );
}

const R_SCRIPT: &str = r#"
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(lme4))
d <- read.csv(args[1])
d$log_session <- log(d$session); d$intake_c <- d$intake - 15
f <- if (args[2] == "1") score ~ log_session * intake_c + (1 | therapist) + (log_session | client) else
     score ~ log_session * intake_c + (log_session | client)
t <- system.time(m <- lmer(f, d, REML = TRUE, control = lmerControl(optimizer = "nloptwrap",
     optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14))))[["elapsed"]]
vc <- as.data.frame(VarCorr(m))
cat("fit_seconds", t, "\n")
cat("fixed", format(fixef(m), digits = 15), "\n")
cat("se", format(sqrt(diag(as.matrix(vcov(m)))), digits = 15), "\n")
cat("sdcor", format(vc$sdcor, digits = 15), "\n")
cat("criterion", format(REMLcrit(m), digits = 15), "\n")
"#;

fn compare_with_lme4(truth: &Truth, args: &Args, spec: &ModelSpec, ours: &LmmResult, ours_seconds: f64) {
    let csv_path = write_csv(truth, args.seed);
    let r_path = std::env::temp_dir().join(format!("alliance-lmm-bench-{}.R", std::process::id()));
    std::fs::write(&r_path, R_SCRIPT).unwrap();

    let start = Instant::now();
    let reread = read_practice_csv(std::fs::File::open(&csv_path).unwrap()).unwrap();
    let csv_seconds = start.elapsed().as_secs_f64();
    let refit = fit(&reread, spec, &FitOptions::default()).unwrap();
    drop(reread);
    println!("alliance-lmm CSV read: {csv_seconds:.2} s");

    let start = Instant::now();
    let output = Command::new("Rscript")
        .arg(&r_path)
        .arg(&csv_path)
        .arg(if spec.therapist_level { "1" } else { "0" })
        .output()
        .unwrap();
    let r_wall = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&csv_path);
    let _ = std::fs::remove_file(&r_path);
    if !output.status.success() {
        println!("lme4 failed: {}", String::from_utf8_lossy(&output.stderr));
        return;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |key: &str| -> Vec<f64> {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .map(|l| l.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect())
            .unwrap_or_default()
    };
    let lme4_fit = field("fit_seconds").first().copied().unwrap_or(f64::NAN);
    let mut lme4_values: Vec<f64> = field("fixed");
    lme4_values.extend(field("se"));
    lme4_values.extend(field("sdcor"));
    lme4_values.extend(field("criterion"));
    let ours_values = summary(ours);
    let names: Vec<(String, f64)> = ours_values.iter().zip(&lme4_values).map(|((k, _), v)| (k.clone(), *v)).collect();
    print_estimates("lme4        ", &names);
    let mut worst = (String::new(), 0.0);
    for ((name, a), b) in ours_values.iter().zip(&lme4_values) {
        let diff = if name.contains("_log_session_") || name.ends_with("_(Intercept)_log_session") {
            (a - b).abs() // correlation: absolute difference
        } else {
            (a - b).abs() / b.abs()
        };
        if diff > worst.1 {
            worst = (name.clone(), diff);
        }
    }
    let same_after_csv = refit.result.fixed == ours.fixed;
    println!(
        "lme4 lmer() time: {lme4_fit:.2} s (Rscript wall incl. read.csv: {r_wall:.2} s); \
         alliance-lmm fit {ours_seconds:.3} s => {:.0}x faster (fit only)",
        lme4_fit / ours_seconds
    );
    println!(
        "largest difference vs lme4: {:.2e} ({}; relative, correlations absolute); \
         CSV round trip identical fixed effects: {same_after_csv}",
        worst.1, worst.0
    );
}
