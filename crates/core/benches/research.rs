//! Research report benchmark: `cargo bench -p alliance-core --bench research -- --clients 100000 [--seed N]`.
//! Writes a synthetic practice in the research CSV format (25 clients per therapist, 4-16 sessions, six
//! alliance items from a latent alliance, PHQ-9 improving with it), then times reading it and making the whole
//! report, and prints the peak memory of the process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use alliance_core::research::{self, ResearchData, read_fixture_csv};
use alliance_signals::change::ChangeCriteria;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn write_practice(path: &std::path::Path, clients: u64, seed: u64) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::<f64>::new(0.0, 1.0).unwrap();
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "client,therapist,session,a1,a2,a3,a4,a5,a6,phq9,alliance").unwrap();
    let mut rows = 0;
    for client in 1..=clients {
        let therapist = (client - 1) / 25 + 1;
        let sessions = rng.random_range(4..=16);
        let level = 3.6 + 0.6 * normal.sample(&mut rng);
        let mut phq: f64 = (14.0 + 5.0 * normal.sample(&mut rng)).clamp(0.0, 27.0);
        for session in 1..=sessions {
            let now = level + 0.1 * f64::from(session) + 0.4 * normal.sample(&mut rng);
            let items: Vec<f64> =
                (0..6).map(|_| (now + 0.5 * normal.sample(&mut rng)).round().clamp(1.0, 5.0)).collect();
            let alliance: f64 = items.iter().sum();
            let score = phq.round().clamp(0.0, 27.0);
            let joined = items.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join(",");
            writeln!(out, "{client},{therapist},{session},{joined},{score},{alliance}").unwrap();
            rows += 1;
            phq = (phq * 0.9 + 1.2 - 0.3 * (now - 3.6) + 2.0 * normal.sample(&mut rng)).clamp(0.0, 27.0);
        }
    }
    out.flush().unwrap();
    rows
}

fn main() {
    let clients = arg("--clients", 100_000);
    let seed = arg("--seed", 19);
    let dir = tempfile_dir();
    let path = dir.join("practice.csv");
    let rows = write_practice(&path, clients, seed);
    let started = Instant::now();
    let (sessions, items) = read_fixture_csv(BufReader::new(std::fs::File::open(&path).unwrap())).unwrap();
    let read = started.elapsed();
    let data = ResearchData {
        sessions,
        item_tables: vec![items],
        outcome_measure: "phq9".to_owned(),
        outcome_criteria: ChangeCriteria::phq9(),
        rupture_prior: None,
        backgrounds: Vec::new(),
        alliance_cutoff: None,
    };
    let mut starts = Vec::new();
    let report = research::report(&data, |stage| starts.push((stage, Instant::now())));
    let end = Instant::now();
    let total = started.elapsed();
    println!("clients {clients}, rows {rows}");
    println!("read CSV: {:.2} s", read.as_secs_f64());
    for (i, (stage, at)) in starts.iter().enumerate() {
        let until = starts.get(i + 1).map_or(end, |next| next.1);
        println!("  {stage:?}: {:.2} s", (until - *at).as_secs_f64());
    }
    println!("report, reading included: {:.2} s", total.as_secs_f64());
    if let Some(mib) = peak_memory_mib() {
        println!("peak memory: {mib:.0} MiB");
    }
    let lagged = report.lagged.ready().expect("the lagged model fits");
    println!("lagged alliance_within {:.4}", lagged.fixed["alliance_within"]);
    assert!(lagged.fixed["alliance_within"] < 0.0, "the planted within-client effect is found");
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("alliance-research-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
