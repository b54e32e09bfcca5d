//! Malformed CSV input gives an error naming the line and the column.

use alliance_lmm::{Column, InputError, MAX_FIELD_BYTES, MAX_LINE_BYTES, read_practice_csv};

const HEADER: &str = "client,therapist,session,intake,score\n";

fn read(body: &str) -> Result<alliance_lmm::Practice, InputError> {
    read_practice_csv(format!("{HEADER}{body}").as_bytes())
}

fn err(body: &str) -> InputError {
    read(body).expect_err("input should be rejected")
}

#[test]
fn empty_inputs() {
    assert_eq!(read_practice_csv("".as_bytes()).unwrap_err(), InputError::Empty);
    assert_eq!(read_practice_csv("\n \n".as_bytes()).unwrap_err(), InputError::Empty);
    assert_eq!(read_practice_csv(HEADER.as_bytes()).unwrap_err(), InputError::NoRows);
}

#[test]
fn header_problems() {
    let missing = read_practice_csv("client,therapist,session,score\n1,1,1,3\n".as_bytes());
    assert_eq!(missing.unwrap_err(), InputError::MissingHeader { column: Column::Intake });
    let unknown = read_practice_csv("client,therapist,session,intake,score,age\n".as_bytes());
    assert_eq!(unknown.unwrap_err(), InputError::UnknownHeader { name: "age".into() });
    let twice = read_practice_csv("client,client,session,intake,score\n".as_bytes());
    assert_eq!(twice.unwrap_err(), InputError::DuplicateHeader { name: "client".into() });
}

#[test]
fn quoted_and_reordered_headers_are_accepted() {
    let quoted =
        "\u{feff}\"client\",\"therapist\",\"session\",\"intake\",\"score\"\r\n1,7,1,18,19.5\r\n1,7,2,18,17\r\n";
    let reordered = "Score, session ,client,intake,therapist\n19.5,1,1,18,7\n17,2,1,18,7\n\n";
    let a = read_practice_csv(quoted.as_bytes()).unwrap();
    let b = read_practice_csv(reordered.as_bytes()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.n_obs(), 2);
    assert_eq!(a.clients()[0].intake, 18.0);
    assert_eq!(a.therapists(), ["7"]);
}

#[test]
fn missing_and_extra_columns() {
    assert_eq!(
        err("1,1,1,15,10\n1,1,2,15\n"),
        InputError::MissingColumn { line: 3, column: "score".into(), found: 4, expected: 5 }
    );
    assert_eq!(err("1,1,1,15,10,99\n"), InputError::ExtraColumn { line: 2, found: 6, expected: 5 });
    assert_eq!(err("1,,1,15,10\n"), InputError::EmptyValue { line: 2, column: Column::Therapist });
}

#[test]
fn non_numeric_and_non_finite_values() {
    assert_eq!(err("1,1,1,15,abc\n"), InputError::NotANumber { line: 2, column: Column::Score, value: "abc".into() });
    assert_eq!(err("1,1,x,15,3\n"), InputError::NotANumber { line: 2, column: Column::Session, value: "x".into() });
    for bad in ["NaN", "inf", "-Infinity"] {
        assert_eq!(
            err(&format!("1,1,1,15,2\n1,1,2,{bad},3\n")),
            InputError::NotFinite { line: 3, column: Column::Intake, value: bad.into() }
        );
    }
    assert_eq!(err("1,1,2.5,15,3\n"), InputError::NotAnInteger { line: 2, value: "2.5".into() });
}

#[test]
fn session_rules() {
    assert_eq!(err("1,1,0,15,3\n"), InputError::SessionBelowOne { line: 2, session: 0 });
    assert_eq!(err("1,1,-2,15,3\n"), InputError::SessionBelowOne { line: 2, session: -2 });
    assert_eq!(
        err("1,1,1,15,3\n2,1,1,12,3\n1,1,1,15,4\n"),
        InputError::DuplicateSession { line: 4, client: "1".into(), session: 1 }
    );
    assert_eq!(
        err("1,1,1,15,3\n1,1,3,15,4\n1,1,2,15,4\n"),
        InputError::UnsortedSession { line: 4, client: "1".into(), session: 2, previous: 3 }
    );
}

#[test]
fn client_attributes_must_not_change() {
    assert_eq!(
        err("1,1,1,15,3\n1,1,2,16,4\n"),
        InputError::IntakeChanged { line: 3, client: "1".into(), first: 15.0, value: 16.0 }
    );
    assert_eq!(
        err("1,1,1,15,3\n1,2,2,15,4\n"),
        InputError::TherapistChanged { line: 3, client: "1".into(), first: "1".into(), value: "2".into() }
    );
}

#[test]
fn oversized_fields_and_lines() {
    let long_id = "x".repeat(MAX_FIELD_BYTES + 1);
    assert_eq!(
        err(&format!("{long_id},1,1,15,3\n")),
        InputError::FieldTooLong { line: 2, column: "client".into(), limit: MAX_FIELD_BYTES }
    );
    let long_line = format!("1,1,1,15,3{}\n", " ".repeat(MAX_LINE_BYTES));
    assert_eq!(err(&long_line), InputError::LineTooLong { line: 2, limit: MAX_LINE_BYTES });
}

#[test]
fn quoting_and_encoding_errors() {
    assert_eq!(err("\"1,1,1,15,3\n"), InputError::BadQuote { line: 2, column: 1 });
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"1,1,1,15,\xff\n");
    assert_eq!(read_practice_csv(&bytes[..]).unwrap_err(), InputError::NotUtf8 { line: 2 });
}

#[test]
fn messages_name_line_and_column() {
    let message = err("1,1,1,15,3\n1,1,2,15,oops\n").to_string();
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("`score`"), "{message}");
    let message = err("1,1,1,15,3\n1,1,1,15,4\n").to_string();
    assert!(message.contains("line 3") && message.contains("`session`"), "{message}");
}

#[test]
fn rows_of_a_client_may_be_interleaved() {
    let p = read("a,1,1,15,3\nb,1,1,10,4\na,1,2,15,5\nb,1,2,10,6\n").unwrap();
    assert_eq!(p.n_clients(), 2);
    assert_eq!(p.clients()[0].sessions, 2);
    assert_eq!(p.clients()[1].last_session, 2);
}
