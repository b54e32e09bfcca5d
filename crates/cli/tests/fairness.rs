//! `alliance analyze fairness`: the fairness table of issue 20 (docs/SCIENCE.md#fairness-of-signals). Every figure
//! the command prints, as JSON and as the table, is the study's own for that seed and size, and the table prints
//! each of them as it is in the JSON. The figures' meaning is tested in the core (`tests/fairness.rs`).

use serde_json::Value;

use crate::alliance;

const ARGS: [&str; 6] = ["analyze", "fairness", "--clients", "240", "--seed", "3"];

fn percent(share: &Value) -> String {
    format!("{:.1}", 100.0 * share.as_f64().unwrap())
}

#[test]
fn the_json_is_the_studys_report_for_that_seed_and_size() {
    let run = alliance(&[&ARGS[..], &["--json"]].concat()).ok();
    let printed: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    let catalog = alliance_core::catalog::Catalog::builtin().unwrap();
    let options = alliance_core::fairness::study::StudyOptions::new(3, 240);
    let report = alliance_core::fairness::study::run(&catalog, &options).unwrap();
    // Compared as text: serde_json reads floats back to within a unit in the last place, not exactly.
    assert_eq!(run.stdout, format!("{}\n", serde_json::to_string_pretty(&report).unwrap()));
    // And what it says is what was asked: four groups of 240 clients, 13 detector rows and the latent one.
    assert_eq!(printed["clients"], 240);
    assert_eq!(printed["seed"], 3);
    assert_eq!(printed["groups"].as_array().unwrap().len(), 4);
    assert_eq!(printed["rows"].as_array().unwrap().len(), 14);
    for row in printed["rows"].as_array().unwrap() {
        for cell in row["by_group"].as_array().unwrap() {
            let (count, of) = (cell["count"].as_u64().unwrap(), cell["of"].as_u64().unwrap());
            let expected = if of == 0 { 0.0 } else { count as f64 / of as f64 };
            assert!((cell["rate"].as_f64().unwrap() - expected).abs() < 1e-12, "{cell}");
        }
    }
}

#[test]
fn the_table_prints_every_figure_of_the_json() {
    let json: Value = serde_json::from_str(&alliance(&[&ARGS[..], &["--json"]].concat()).ok().stdout).unwrap();
    let table = alliance(&ARGS).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    // The heading: clients, practices, practice size, seed and the planted share, then the courses and priors.
    let expected_head = format!(
        "Fairness of signals: {} generated clients, each judged once in every group's style ({} practices of up to \
         2000 clients, seed {}); {} % of clients planted not on track.",
        json["clients"],
        json["practices"],
        json["seed"],
        percent(&json["planted_not_on_track_share"])
    );
    assert!(lines[0].starts_with(&expected_head), "{}\n{expected_head}", lines[0]);
    let prior = json["rupture_prior_range"].as_array().unwrap();
    let expected_second = format!(
        "The practice's own expected course in {} of {} practices; the practice alliance prior (session-to-session \
         SD) from {:.2} to {:.2} points.",
        json["practices_with_own_course"],
        json["practices"],
        prior[0].as_f64().unwrap(),
        prior[1].as_f64().unwrap()
    );
    assert_eq!(lines[2], expected_second);
    // The header row: each group with its number of clients.
    let groups: Vec<String> = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .zip(json["clients_by_group"].as_array().unwrap())
        .map(|(g, n)| format!("{} (n = {n})", g.as_str().unwrap()))
        .collect();
    assert_eq!(lines[4], format!("| measure | detector | {} | gap, points |", groups.join(" | ")));
    let rows: Vec<&str> = lines.iter().skip(6).copied().filter(|l| l.starts_with("| ")).collect();
    let json_rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), json_rows.len(), "{table}");
    for (line, row) in rows.iter().zip(json_rows) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let by_group = row["by_group"].as_array().unwrap();
        assert_eq!(cells.len(), 2 + by_group.len() + 1, "{line}");
        for (cell, figure) in cells[2..2 + by_group.len()].iter().zip(by_group) {
            assert_eq!(
                *cell,
                format!("{} ({})", percent(&figure["rate"]), percent(&figure["standard_error"])),
                "{line}"
            );
        }
        let gap = format!(
            "{:.1} ({:.1})",
            row["gap_points"].as_f64().unwrap(),
            row["gap_standard_error_points"].as_f64().unwrap()
        );
        assert_eq!(cells[cells.len() - 1], gap, "{line}");
    }
    // The labels name the measure and the detector of each row, own baseline beside the fixed cut-off.
    assert!(rows[0].starts_with("| rupture sensitivity | own baseline: rupture detector |"), "{}", rows[0]);
    assert!(rows[1].starts_with("| rupture sensitivity | fixed cut-off: alliance < 24 |"), "{}", rows[1]);
    assert!(rows[13].starts_with("| latent alliance below cut-off | the need (latent truth) |"), "{}", rows[13]);
}

/// Malformed, oversized and hostile values are refused with one line naming the option, never echoing the value,
/// and nothing printed on standard output.
#[test]
fn bad_sizes_and_seeds_are_refused_with_one_line() {
    let long = "9".repeat(10_000);
    let cases: [(&str, &str); 12] = [
        ("--clients", "0"),
        ("--clients", "--json"),
        ("--clients", "200001"),
        ("--clients", "-5"),
        ("--clients", "many"),
        ("--clients", "1e3"),
        ("--clients", ""),
        ("--clients", "12\nerror: injected"),
        ("--clients", &long),
        ("--seed", "x"),
        ("--seed", "-1"),
        ("--seed", "18446744073709551616"),
    ];
    for (option, value) in cases {
        let run = alliance(&["analyze", "fairness", option, value]).refused().says(&[option, "whole number"]);
        assert!(!run.stderr.contains("injected") && run.stderr.len() < 200, "{}", run.stderr);
    }
    // The bounds themselves are taken (1 client; the largest seed).
    let run = alliance(&["analyze", "fairness", "--clients", "1", "--seed", "18446744073709551615", "--json"]).ok();
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((json["clients"].as_u64(), json["seed"].as_u64()), (Some(1), Some(u64::MAX)));
}
