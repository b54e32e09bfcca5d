//! The history CSV (issue 19, item 5): a good file becomes clients, episodes, sessions and scored responses; a
//! bad one is refused with every bad row named by line and column; hostile input gets a clear error.

use alliance_core::history::{COLUMNS, HistoryErrors, parse};
use time::macros::date;

use crate::catalog;

const HEADER: &str = "pseudonym,therapist,started_on,session,held_on,attended,instrument,item,value";
const TODAY: time::Date = date!(2026 - 12 - 07);

fn phq9_rows(pseudonym: &str, session: u32, held_on: &str, values: [u8; 9]) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{pseudonym},ana@example.org,2026-01-05,{session},{held_on},yes,phq9,{},{v}\n", i + 1))
        .collect()
}

fn errors(text: &str) -> HistoryErrors {
    parse(text.as_bytes(), &catalog(), TODAY).unwrap_err()
}

#[test]
fn a_good_file_becomes_clients_with_scored_responses() {
    let mut text = format!("{HEADER}\n");
    text += &phq9_rows("Fox", 1, "2026-01-05", [2, 2, 1, 3, 0, 1, 2, 1, 0]);
    text += "Fox,ana@example.org,2026-01-05,2,2026-01-12,no,,,\n";
    text += &phq9_rows("Fox", 3, "2026-01-19", [1, 1, 1, 1, 0, 0, 1, 0, 0]);
    text += &phq9_rows("Wren", 1, "2026-02-02", [3, 3, 3, 3, 3, 3, 3, 3, 3]).replace("2026-01-05", "2026-02-01");
    let history = parse(text.as_bytes(), &catalog(), TODAY).unwrap();
    assert_eq!(COLUMNS.join(","), HEADER);
    assert_eq!(history.rows, 9 + 1 + 9 + 9);
    assert_eq!(history.clients.len(), 2);
    let fox = history.clients.iter().find(|c| c.pseudonym.as_str() == "Fox").unwrap();
    let sessions = &fox.episodes[0].sessions;
    assert_eq!(
        sessions.iter().map(|s| (s.number, s.attended, s.responses.len())).collect::<Vec<_>>(),
        [(1, true, 1), (2, false, 0), (3, true, 1)]
    );
    // PHQ-9 total = the sum of items 1-9 (docs/SCIENCE.md#phq-9): 12 and 5 for Fox, 27 for Wren.
    let total = |r: &alliance_core::history::HistoryResponse| {
        r.scores.scales.iter().find(|s| s.scale == "total").and_then(|s| s.value).unwrap()
    };
    assert_eq!(total(&sessions[0].responses[0]), 12.0);
    assert_eq!(total(&sessions[2].responses[0]), 5.0);
    let wren = history.clients.iter().find(|c| c.pseudonym.as_str() == "Wren").unwrap();
    assert_eq!(total(&wren.episodes[0].sessions[0].responses[0]), 27.0);
    assert!(
        !wren.episodes[0].sessions[0].responses[0].scores.flags.risks.is_empty(),
        "item 9 answered 3 raises the risk flag, as a check would"
    );
}

#[test]
fn every_bad_row_is_named_by_line_and_column() {
    let text = format!(
        "{HEADER}\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-05,yes,phq9,1,2\n\
         Fox,not-an-email,2026-01-05,1,2026-01-05,yes,phq9,2,2\n\
         Fox,ana@example.org,05/01/2026,1,2026-01-05,yes,phq9,3,2\n\
         Fox,ana@example.org,2026-01-05,zero,2026-01-05,yes,phq9,4,2\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-04,yes,phq9,5,2\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-05,maybe,phq9,6,2\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-05,yes,nosuch,7,2\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-05,yes,phq9,99,2\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-05,yes,phq9,1,3\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-05,yes,therapist-reflection,goals-1,3\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-05,yes,phq9,8,lots\n\
         Fox,ana@example.org,2026-01-05,1,2026-01-05,yes,phq9\n\
         Fox,ana@example.org,2026-01-05,1,2099-01-05,yes,,,\n"
    );
    let found = errors(&text);
    let named: Vec<(usize, Option<&str>)> = found.errors.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(
        named,
        [
            (3, Some("therapist")),
            (4, Some("started_on")),
            (5, Some("session")),
            (6, Some("held_on")),
            (7, Some("attended")),
            (8, Some("instrument")),
            (9, Some("item")),
            (10, Some("item")),
            (11, Some("instrument")),
            (12, Some("value")),
            (13, None),
            (14, Some("held_on")),
        ]
    );
    let text = found.errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    for part in [
        "line 9, column `item`: `99` is not an item of phq9",
        "answered already on line 2",
        "not answered by clients",
        "in the future",
    ] {
        assert!(text.contains(part), "{part}:\n{text}");
    }
}

#[test]
fn sessions_run_without_gaps_and_responses_must_score() {
    let mut text = format!("{HEADER}\n");
    text += &phq9_rows("Fox", 1, "2026-01-05", [1; 9]);
    text += &phq9_rows("Fox", 3, "2026-01-19", [1; 9]);
    let found = errors(&text);
    assert_eq!(found.errors.len(), 1);
    assert!(found.errors[0].to_string().contains("session 3 follows session 1"), "{}", found.errors[0]);
    assert_eq!(found.errors[0].line, 11);
    // The rows of one session agree on its date.
    let mut text = format!("{HEADER}\n");
    text += &phq9_rows("Fox", 1, "2026-01-05", [1; 9]);
    text += "Fox,ana@example.org,2026-01-05,1,2026-01-06,yes,,,\n";
    let found = errors(&text);
    assert_eq!(found.errors.len(), 1);
    assert!(found.errors[0].to_string().contains("another date or attendance on line 2"), "{}", found.errors[0]);
    // A response the instrument cannot score (an answer out of its options) is refused at the item's line.
    let mut text = format!("{HEADER}\n");
    text += &phq9_rows("Fox", 1, "2026-01-05", [1, 1, 1, 7, 1, 1, 1, 1, 1]);
    let found = errors(&text);
    assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
    assert_eq!((found.errors[0].line, found.errors[0].column), (5, Some("value")), "{}", found.errors[0]);
}

#[test]
fn hostile_input_is_refused_clearly() {
    assert!(errors("").errors[0].message.contains("empty"));
    assert!(errors("client,session\n").errors[0].message.contains("header"));
    let binary = [HEADER.as_bytes(), b"\n\xff\xfe\x00\x01\n"].concat();
    let found = parse(&binary[..], &catalog(), TODAY).unwrap_err();
    assert_eq!((found.errors[0].line, found.errors[0].message.as_str()), (2, "not UTF-8 text"));
    let long = format!("{HEADER}\n{}\n", "x".repeat(10_000));
    assert!(errors(&long).errors[0].message.contains("longer than"));
    let quoted = format!("{HEADER}\n\"Fox, Jr\",ana@example.org,2026-01-05,1,2026-01-05,yes,,,\n");
    assert!(errors(&quoted).errors[0].message.contains("10 fields"));
    let control = format!("{HEADER}\nF\u{7}ox,ana@example.org,2026-01-05,1,2026-01-05,yes,,,\n");
    assert_eq!(errors(&control).errors[0].column, Some("pseudonym"));
    // Thousands of bad rows: the first 200 are listed and the rest counted.
    let many = format!("{HEADER}\n{}", "Fox,x,2026-01-05,1,2026-01-05,yes,,,\n".repeat(1000));
    let found = errors(&many);
    assert_eq!((found.errors.len(), found.more), (200, 800));
}
