//! Issue 14, finding 10: one text policy, hostile input refused with the field named.

use alliance_core::domain::{DisplayName, ParseError, Pseudonym};
use alliance_core::text_policy::{multi_line, single_line};

#[test]
fn names_refuse_nul_controls_bidi_overrides_and_invisible_characters() {
    for hostile in [
        "Ann\u{0}a",
        "Ann\u{7}a",
        "Ann\na",
        "\u{202E}anna",
        "an\u{2066}na\u{2069}",
        "An\u{200B}na",
        "An\u{200D}na",
        "Anna\u{FEFF}",
        "An\u{00AD}na",
    ] {
        assert_eq!(Pseudonym::parse(hostile), Err(ParseError::BadCharacters { field: "pseudonym" }), "{hostile:?}");
        assert_eq!(DisplayName::parse(hostile), Err(ParseError::BadCharacters { field: "name" }), "{hostile:?}");
    }
    assert_eq!(Pseudonym::parse("  Zoë Ørsted-אבי  ").unwrap().as_str(), "Zoë Ørsted-אבי");
    assert_eq!(single_line("goal", "x".repeat(65).as_str(), 64), Err(ParseError::TooLong { field: "goal", max: 64 }));
    let message = ParseError::BadCharacters { field: "pseudonym" }.to_string();
    assert_eq!(message, "pseudonym contains characters that are not allowed");
}

#[test]
fn multi_line_text_keeps_lines_tabs_and_joiners_but_refuses_nul_controls_and_overrides() {
    assert_eq!(multi_line("private note", "line one\r\n\tline two\n", 100).unwrap(), "line one\n\tline two");
    assert_eq!(multi_line("private note", "family: 👩\u{200D}👧", 100).unwrap(), "family: 👩\u{200D}👧");
    for hostile in ["a\u{0}b", "a\u{1b}[31mb", "a\rb", "a\u{202E}b", "a\u{2067}b"] {
        assert_eq!(
            multi_line("private note", hostile, 100),
            Err(ParseError::BadCharacters { field: "private note" }),
            "{hostile:?}"
        );
    }
    assert_eq!(
        multi_line("private note", &"x".repeat(101), 100),
        Err(ParseError::TooLong { field: "private note", max: 100 })
    );
}

#[test]
fn supervision_comments_follow_the_policy() {
    use alliance_core::supervision::CommentBody as Comment;
    assert!(Comment::parse("fine\nand well").is_ok());
    assert!(Comment::parse("hidden \u{202E}reversed").is_err());
    assert!(Comment::parse("nul \u{0} here").is_err());
}
