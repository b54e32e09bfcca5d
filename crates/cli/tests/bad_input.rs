//! Bad input through the binary: every refusal exits non-zero with one `error: ...` line on stderr
//! naming the line and column where there is one, prints nothing on stdout and does not panic.
//! Each bad file is a small valid file with one thing changed; the valid files themselves are
//! accepted, so each refusal is for the stated reason.

use crate::etr::etr_json;
use crate::ruptures::parse_output;
use crate::{Run, alliance, path_str, temp_csv};

const ETR_HEADER: &str = "client,therapist,session,intake,score";
const RUPTURES_HEADER: &str = "client,session,alliance";
const ETR_MODELS: [&str; 4] = ["growth", "growth-ml", "intercept", "therapist"];

/// Six clients of two therapists, four sessions each, improving with some noise.
/// Row `i` (0-based) is on line `i + 2`.
fn etr_rows() -> Vec<String> {
    let mut rows = Vec::new();
    for client in 1..=6_u32 {
        let intake = 10 + 2 * client;
        for session in 1..=4_u32 {
            let noise = f64::from((client * 7 + session * 3) % 5) * 0.6 - 1.2;
            let score = f64::from(intake) - (1.0 + 0.3 * f64::from(client)) * f64::from(session).ln() + noise;
            rows.push(format!("c{client},t{},{session},{intake},{score:.2}", client % 2 + 1));
        }
    }
    rows
}

/// Six clients, six sessions each: 30 consecutive differences, enough for the practice prior.
fn ruptures_rows() -> Vec<String> {
    let mut rows = Vec::new();
    for client in 1..=6_u32 {
        for session in 1..=6_u32 {
            let score = 45 + (client * 5 + session * 3) % 7;
            rows.push(format!("c{client},{session},{score}"));
        }
    }
    rows
}

fn file(header: &str, rows: &[String]) -> String {
    let mut text = format!("{header}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// Replaces field `index` of a comma-separated row.
fn set_field(row: &str, index: usize, value: &str) -> String {
    let mut fields: Vec<&str> = row.split(',').collect();
    fields[index] = value;
    fields.join(",")
}

fn drop_field(row: &str, index: usize) -> String {
    let mut fields: Vec<&str> = row.split(',').collect();
    fields.remove(index);
    fields.join(",")
}

fn etr(contents: &str, model: &str) -> Run {
    let path = temp_csv(contents);
    alliance(&["analyze", "etr", "--input", path_str(&path), "--model", model])
}

fn ruptures(contents: &str, mode: &str) -> Run {
    let path = temp_csv(contents);
    alliance(&["analyze", "ruptures", "--input", path_str(&path), "--mode", mode])
}

/// Every model refuses `contents` with an error mentioning `parts`.
fn etr_refuses(contents: &str, parts: &[&str]) {
    for model in ETR_MODELS {
        etr(contents, model).refused().says(parts);
    }
}

fn ruptures_refuse(contents: &str, parts: &[&str]) {
    for mode in ["strict", "lenient"] {
        ruptures(contents, mode).refused().says(parts);
    }
}

#[test]
fn the_small_valid_files_are_accepted() {
    let path = temp_csv(&file(ETR_HEADER, &etr_rows()));
    for model in ETR_MODELS {
        let json = etr_json(path_str(&path), model);
        assert_eq!(json["n_obs"], 24, "{model}");
    }
    for mode in ["strict", "lenient"] {
        parse_output(&ruptures(&file(RUPTURES_HEADER, &ruptures_rows()), mode).ok().stdout);
    }
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-practice.csv");
    let missing = path_str(&missing);
    for model in ETR_MODELS {
        alliance(&["analyze", "etr", "--input", missing, "--model", model]).refused().says(&["no-such-practice.csv"]);
    }
    for mode in ["strict", "lenient"] {
        alliance(&["analyze", "ruptures", "--input", missing, "--mode", mode])
            .refused()
            .says(&["no-such-practice.csv"]);
    }
}

#[test]
fn a_directory_is_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let dir = path_str(dir.path());
    alliance(&["analyze", "etr", "--input", dir]).refused();
    alliance(&["analyze", "ruptures", "--input", dir]).refused();
}

#[test]
fn empty_and_header_only_files() {
    etr_refuses("", &["empty"]);
    etr_refuses("\n\n", &["empty"]);
    etr_refuses(&format!("{ETR_HEADER}\n"), &["no data rows"]);
    ruptures_refuse("", &["empty"]);
    ruptures_refuse(&format!("{RUPTURES_HEADER}\n"), &["no data rows"]);
}

#[test]
fn etr_wrong_missing_and_extra_columns() {
    let rows = etr_rows();
    // A header column with the wrong name.
    etr_refuses(&file("client,therapist,session,intake,outcome", &rows), &["outcome"]);
    // A column missing from header and rows.
    let without_intake: Vec<String> = rows.iter().map(|r| drop_field(r, 3)).collect();
    etr_refuses(&file("client,therapist,session,score", &without_intake), &["intake", "missing"]);
    // An extra column in header and rows.
    let with_notes: Vec<String> = rows.iter().map(|r| format!("{r},ok")).collect();
    etr_refuses(&file(&format!("{ETR_HEADER},notes"), &with_notes), &["notes"]);
    // A column named twice.
    etr_refuses(&file("client,therapist,session,intake,score,score", &with_notes), &["score", "twice"]);
    // One row one field short (line 4), one row one field long (line 5).
    let mut short = rows.clone();
    short[2] = drop_field(&short[2], 4);
    etr_refuses(&file(ETR_HEADER, &short), &["line 4", "score"]);
    let mut long = rows.clone();
    long[3] = format!("{},7", long[3]);
    etr_refuses(&file(ETR_HEADER, &long), &["line 5", "extra"]);
}

#[test]
fn etr_bad_values_name_line_and_column() {
    let rows = etr_rows();
    let cases: [(usize, usize, &str, &[&str]); 9] = [
        (1, 4, "abc", &["line 3", "score", "abc"]),
        (2, 3, "high", &["line 4", "intake", "high"]),
        (3, 2, "two", &["line 5", "session", "two"]),
        (4, 2, "2.5", &["line 6", "session", "2.5"]),
        (5, 2, "0", &["line 7", "session"]),
        (6, 4, "NaN", &["line 8", "score"]),
        (7, 4, "inf", &["line 9", "score"]),
        (8, 3, "-infinity", &["line 10", "intake"]),
        (9, 4, "", &["line 11", "score", "empty"]),
    ];
    for (row, column, value, parts) in cases {
        let mut bad = rows.clone();
        bad[row] = set_field(&bad[row], column, value);
        etr_refuses(&file(ETR_HEADER, &bad), parts);
    }
    let mut changed_intake = rows.clone();
    changed_intake[1] = set_field(&changed_intake[1], 3, "99");
    etr_refuses(&file(ETR_HEADER, &changed_intake), &["line 3", "intake"]);
    let mut bad_quote = rows;
    bad_quote[0] = bad_quote[0].replacen('c', "\"c", 1);
    etr_refuses(&file(ETR_HEADER, &bad_quote), &["line 2", "quote"]);
}

#[test]
fn etr_duplicate_and_unsorted_sessions() {
    let rows = etr_rows();
    let mut duplicate = rows.clone();
    duplicate.insert(2, rows[1].clone());
    etr_refuses(&file(ETR_HEADER, &duplicate), &["line 4", "session", "twice"]);
    let mut unsorted = rows;
    unsorted.swap(1, 2);
    etr_refuses(&file(ETR_HEADER, &unsorted), &["line 4", "session"]);
}

#[test]
fn etr_data_that_cannot_be_fitted() {
    let rows = etr_rows();
    let one_client: Vec<String> = rows.iter().filter(|r| r.starts_with("c1,")).cloned().collect();
    etr_refuses(&file(ETR_HEADER, &one_client), &["2 clients"]);
    let one_session: Vec<String> = rows.iter().filter(|r| r.split(',').nth(2) == Some("1")).cloned().collect();
    etr_refuses(&file(ETR_HEADER, &one_session), &["single session"]);
    let constant: Vec<String> = rows.iter().map(|r| set_field(r, 4, "12")).collect();
    etr_refuses(&file(ETR_HEADER, &constant), &["identical"]);
}

#[test]
fn not_utf8() {
    let path = temp_csv("");
    let mut bytes = file(ETR_HEADER, &etr_rows()).into_bytes();
    bytes.extend_from_slice(b"c9,t1,1,12,\xff\xfe\n");
    std::fs::write(&path, &bytes).unwrap();
    alliance(&["analyze", "etr", "--input", path_str(&path)]).refused().says(&["line 26"]);
    let mut bytes = file(RUPTURES_HEADER, &ruptures_rows()).into_bytes();
    bytes.extend_from_slice(b"c9,1,\xff\xfe\n");
    std::fs::write(&path, &bytes).unwrap();
    alliance(&["analyze", "ruptures", "--input", path_str(&path)]).refused().says(&["line 38"]);
}

#[test]
fn ruptures_wrong_missing_and_extra_columns() {
    let rows = ruptures_rows();
    ruptures_refuse(&file("client,session,score", &rows), &["line 1", "alliance"]);
    let two: Vec<String> = rows.iter().map(|r| drop_field(r, 2)).collect();
    ruptures_refuse(&file("client,session", &two), &["line 1", "alliance", "missing"]);
    let four: Vec<String> = rows.iter().map(|r| format!("{r},ok")).collect();
    ruptures_refuse(&file("client,session,alliance,notes", &four), &["line 1", "notes"]);
    let mut short = rows.clone();
    short[2] = drop_field(&short[2], 2);
    ruptures_refuse(&file(RUPTURES_HEADER, &short), &["line 4", "alliance"]);
    let mut long = rows;
    long[3] = format!("{},7", long[3]);
    ruptures_refuse(&file(RUPTURES_HEADER, &long), &["line 5", "extra"]);
}

#[test]
fn ruptures_bad_values_name_line_and_column() {
    let rows = ruptures_rows();
    let cases: [(usize, usize, &str, &[&str]); 7] = [
        (1, 2, "high", &["line 3", "alliance", "high"]),
        (2, 2, "NaN", &["line 4", "alliance"]),
        (3, 2, "-inf", &["line 5", "alliance"]),
        (4, 1, "two", &["line 6", "session", "two"]),
        (5, 1, "2.5", &["line 7", "session"]),
        (6, 0, "=cmd()", &["line 8", "client"]),
        (7, 2, "", &["line 9", "alliance"]),
    ];
    for (row, column, value, parts) in cases {
        let mut bad = rows.clone();
        bad[row] = set_field(&bad[row], column, value);
        ruptures_refuse(&file(RUPTURES_HEADER, &bad), parts);
    }
}

#[test]
fn ruptures_duplicate_unsorted_and_scattered_rows() {
    let rows = ruptures_rows();
    let mut duplicate = rows.clone();
    duplicate.insert(2, rows[1].clone());
    ruptures_refuse(&file(RUPTURES_HEADER, &duplicate), &["line 4", "session", "twice"]);
    let mut unsorted = rows.clone();
    unsorted.swap(1, 2);
    ruptures_refuse(&file(RUPTURES_HEADER, &unsorted), &["line 4", "session"]);
    let mut scattered = rows.clone();
    scattered.push(rows[0].replace(",1,", ",7,"));
    ruptures_refuse(&file(RUPTURES_HEADER, &scattered), &["line 38", "client"]);
}

#[test]
fn ruptures_with_too_little_data() {
    let rows = ruptures_rows();
    // One client with six sessions: 5 consecutive differences, too few for the practice prior.
    let one_client: Vec<String> = rows.iter().filter(|r| r.starts_with("c1,")).cloned().collect();
    ruptures_refuse(&file(RUPTURES_HEADER, &one_client), &["too little data"]);
    let one_session: Vec<String> = rows.iter().filter(|r| r.split(',').nth(1) == Some("1")).cloned().collect();
    ruptures_refuse(&file(RUPTURES_HEADER, &one_session), &["too little data"]);
    // No session-to-session variability at all.
    let constant: Vec<String> = rows.iter().map(|r| set_field(r, 2, "50")).collect();
    ruptures_refuse(&file(RUPTURES_HEADER, &constant), &["variability"]);
}
