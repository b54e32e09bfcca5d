//! CSV input and output, including malformed and hostile files.

use alliance_signals::analyze::{AnalyzeError, analyze_ruptures};
use alliance_signals::csv_io::{CsvError, CsvProblem, read_alliance_csv};
use alliance_signals::rupture::Mode;

fn error(input: &str) -> CsvError {
    read_alliance_csv(input.as_bytes()).expect_err("input should be rejected")
}

fn assert_error(input: &str, line: u64, column: Option<&str>, problem: CsvProblem) {
    let e = error(input);
    assert_eq!((e.line, e.column, e.problem), (line, column, problem), "{input:?}");
}

#[test]
fn reads_a_valid_file() {
    let input = "\u{feff}client, session ,alliance\r\nA1,1,50\r\nA1,2, 48.5 \r\n\r\nb-2,3,40\n";
    let series = read_alliance_csv(input.as_bytes()).unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[0].client, "A1");
    assert_eq!(series[0].values(), vec![50.0, 48.5]);
    assert_eq!(series[1].scores[0].session, 3);
}

#[test]
fn empty_and_header_only() {
    assert_error("", 1, None, CsvProblem::EmptyFile);
    assert_error("\n\n", 1, None, CsvProblem::EmptyFile);
    assert_error("client,session,alliance\n", 1, None, CsvProblem::NoRows);
}

#[test]
fn header_problems_name_the_column() {
    assert_error("client,session,score\n1,1,50\n", 1, Some("alliance"), CsvProblem::MissingColumn("alliance"));
    assert_error("client,session\n1,1\n", 1, Some("alliance"), CsvProblem::MissingColumn("alliance"));
    assert_error("client,session,alliance,note\n1,1,50,x\n", 1, None, CsvProblem::UnexpectedColumn("note".into()));
    assert_error(
        "session,client,alliance\n1,1,50\n",
        1,
        Some("client"),
        CsvProblem::WrongColumn { expected: "client", found: "session".into() },
    );
}

#[test]
fn row_problems_name_line_and_column() {
    let head = "client,session,alliance\n";
    assert_error(&format!("{head}1,1,50\n1,2\n"), 3, Some("alliance"), CsvProblem::MissingColumn("alliance"));
    assert_error(&format!("{head}1,1,50,7\n"), 2, None, CsvProblem::ExtraFields { found: 4, expected: 3 });
    assert_error(&format!("{head}1,1,abc\n"), 2, Some("alliance"), CsvProblem::NotANumber("abc".into()));
    assert_error(&format!("{head}1,1,\n"), 2, Some("alliance"), CsvProblem::NotANumber(String::new()));
    for bad in ["NaN", "nan", "inf", "-inf", "infinity", "1e999"] {
        assert_error(&format!("{head}1,1,{bad}\n"), 2, Some("alliance"), CsvProblem::NotFinite(bad.into()));
    }
    for bad in ["1.5", "-1", "", "+2", "x", "99999999999"] {
        assert_error(&format!("{head}1,{bad},50\n"), 2, Some("session"), CsvProblem::InvalidSession(bad.into()));
    }
}

#[test]
fn session_order_problems() {
    let head = "client,session,alliance\n";
    assert_error(&format!("{head}1,1,50\n1,1,51\n"), 3, Some("session"), CsvProblem::DuplicateSession(1));
    assert_error(
        &format!("{head}1,2,50\n1,1,51\n"),
        3,
        Some("session"),
        CsvProblem::UnsortedSession { session: 1, previous: 2 },
    );
    assert_error(
        &format!("{head}1,1,50\n2,1,50\n1,2,50\n"),
        4,
        Some("client"),
        CsvProblem::ClientNotContiguous("1".into()),
    );
}

#[test]
fn hostile_client_ids_are_rejected() {
    let head = "client,session,alliance\n";
    for bad in ["=HYPERLINK(\"x\")", "+1", "-1", "@a", "", "a b", "a;b", "é"] {
        let e = error(&format!("{head}\"{bad}\",1,50\n"));
        assert_eq!((e.line, e.column), (2, Some("client")), "{bad:?}");
    }
    let long = "a".repeat(65);
    assert_eq!(error(&format!("{head}{long},1,50\n")).column, Some("client"));
}

#[test]
fn error_messages_stay_short() {
    let huge = "9".repeat(100_000) + "x";
    let e = error(&format!("client,session,alliance\n1,1,{huge}\n"));
    assert!(e.to_string().len() < 200, "{}", e.to_string().len());
    assert!(e.to_string().starts_with("line 2, column `alliance`"));
}

#[test]
fn invalid_utf8_is_malformed_not_a_panic() {
    let mut input = b"client,session,alliance\n1,1,".to_vec();
    input.extend_from_slice(&[0xff, 0xfe, b'\n']);
    let e = read_alliance_csv(input.as_slice()).unwrap_err();
    assert!(matches!(e.problem, CsvProblem::Malformed(_)), "{e}");
    assert_eq!(e.line, 2);
}

#[test]
fn odd_quoting_is_rejected_or_read_safely() {
    for input in ["client,session,alliance\n\"1,1,50\n", "client,session,alliance\n1,\"1\"\"\",50\n"] {
        assert!(read_alliance_csv(input.as_bytes()).is_err(), "{input:?}");
    }
}

#[test]
fn analyze_writes_the_output_format() {
    let input = include_bytes!("fixtures/ruptures_practice.csv");
    let mut out = Vec::new();
    let summary = analyze_ruptures(&input[..], &mut out, Mode::Strict).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("client,rupture_session,magnitude,repaired,repair_session,rule"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), summary.ruptures);
    assert_eq!(summary.clients, 300);
    assert_eq!(summary.repaired + summary.unrepaired + summary.open, summary.ruptures);
    for row in &rows {
        assert_eq!(row.len(), 6);
        row[1].parse::<u32>().unwrap();
        let magnitude: f64 = row[2].parse().unwrap();
        assert!(magnitude > 0.0);
        assert!(["0", "1", ""].contains(&row[3]));
        assert_eq!(row[3] == "1", !row[4].is_empty());
        assert!(row[5].split('+').all(|r| ["dip", "sudden_loss", "below_cutoff", "reported"].contains(&r)));
    }
}

#[test]
fn analyze_needs_enough_data_for_a_prior() {
    let input = "client,session,alliance\n1,1,50\n1,2,49\n";
    let result = analyze_ruptures(input.as_bytes(), Vec::new(), Mode::Lenient);
    assert!(matches!(result, Err(AnalyzeError::TooLittleData)));
}
