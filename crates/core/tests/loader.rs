//! Broken definitions and licensee files are refused with errors that say where the problem is.

use alliance_core::catalog::{Catalog, CatalogError};
use alliance_core::instrument::{InstrumentError, parse};

const MINIMAL: &str = r#"
id = "mini"
name = "Mini"
short_name = "Mini"
version = 1
purpose = "outcome"
rater = "client"
licence = "project-own"
validated = false
text_source = "embedded"
languages = ["en"]
citation = "test"
primary_scale = "total"

[[option_sets]]
id = "o"
options = [{ value = 0, label = { en = "No" } }, { value = 1, label = { en = "Yes" } }]

[[items]]
id = "a"
kind = "rating"
option_set = "o"
text = { en = "A?" }

[[items]]
id = "b"
kind = "rating"
option_set = "o"
text = { en = "B?" }

[[scales]]
id = "total"
name = "Total"
items = ["a", "b"]
method = "sum"
direction = "higher-is-worse"
missing = { max_missing = 1 }
"#;

fn broken(from: &str, to: &str) -> InstrumentError {
    assert!(MINIMAL.contains(from), "test setup: {from}");
    parse("instruments/mini.toml", &MINIMAL.replacen(from, to, 1)).expect_err("should be refused")
}

#[test]
fn the_minimal_definition_is_valid() {
    let ins = parse("instruments/mini.toml", MINIMAL).unwrap();
    assert_eq!(ins.primary().unwrap().bounds(&ins), Some((0.0, 2.0)));
}

#[test]
fn item_errors_name_file_item_and_field() {
    let e = broken("option_set = \"o\"\ntext = { en = \"B?\" }", "option_set = \"nope\"\ntext = { en = \"B?\" }");
    assert_eq!(
        e,
        InstrumentError::Item {
            file: "instruments/mini.toml".into(),
            item: "b".into(),
            field: "option_set",
            problem: "no option set `nope`".into()
        }
    );
    assert!(e.to_string().contains("instruments/mini.toml: item `b`, field `option_set`"));
    let e = broken("text = { en = \"A?\" }", "text = { de = \"A?\" }");
    assert!(matches!(e, InstrumentError::Item { ref item, field: "text", .. } if item == "a"), "{e}");
    let e = broken("id = \"b\"", "id = \"a\"");
    assert!(matches!(e, InstrumentError::Item { field: "id", .. }), "{e}");
    let e = broken("id = \"b\"", "id = \"B b\"");
    assert!(matches!(e, InstrumentError::Item { field: "id", .. }), "{e}");
}

#[test]
fn scale_errors_name_the_scale() {
    let e = broken("items = [\"a\", \"b\"]", "items = [\"a\", \"c\"]");
    assert!(matches!(e, InstrumentError::Scale { ref scale, field: "items", .. } if scale == "total"), "{e}");
    let e = broken("max_missing = 1", "max_missing = 2");
    assert!(matches!(e, InstrumentError::Scale { field: "missing", .. }), "{e}");
    let e = broken(
        "missing = { max_missing = 1 }",
        "missing = { max_missing = 1 }\ncutoff = { value = 9, source = \"x\" }",
    );
    assert!(matches!(e, InstrumentError::Scale { field: "cutoff", .. }), "{e}");
    let e = broken(
        "missing = { max_missing = 1 }",
        "missing = { max_missing = 1 }\nbands = [{ from = 0, to = 1, label = \"a\" }, { from = 1, to = 2, label = \"b\" }]",
    );
    assert!(matches!(e, InstrumentError::Scale { field: "bands", .. }), "{e}");
}

#[test]
fn syntax_and_unknown_fields_report_the_line() {
    let e = broken("version = 1", "version = \"one\"");
    assert!(matches!(e, InstrumentError::Syntax { line: Some(5), .. }), "{e}");
    let e = broken("version = 1", "version = 1\ncolour = \"red\"");
    assert!(matches!(e, InstrumentError::Syntax { .. }), "{e}");
    assert!(parse("x.toml", "").is_err());
    assert!(parse("x.toml", "\u{0}\u{1}garbage[[[").is_err());
    let e = broken("primary_scale = \"total\"", "primary_scale = \"sum\"");
    assert!(matches!(e, InstrumentError::Field { field: "primary_scale", .. }), "{e}");
}

#[test]
fn licensed_wording_may_not_be_shipped_in_a_definition() {
    let licensed = MINIMAL.replace("text_source = \"embedded\"", "text_source = \"licensee\"");
    let e = parse("instruments/mini.toml", &licensed).unwrap_err();
    assert!(matches!(e, InstrumentError::Item { field: "text", .. }), "{e}");
}

#[test]
fn a_bad_loinc_check_digit_is_refused() {
    let e = broken(
        "option_set = \"o\"\ntext = { en = \"A?\" }",
        "option_set = \"o\"\nloinc = \"44250-8\"\ntext = { en = \"A?\" }",
    );
    assert!(matches!(e, InstrumentError::Item { field: "loinc", .. }), "{e}");
}

#[test]
fn duplicate_instrument_ids_are_refused() {
    let e = Catalog::from_sources([("a.toml", MINIMAL), ("b.toml", MINIMAL)]).unwrap_err();
    assert_eq!(e, CatalogError::Duplicate { file: "b.toml".into(), id: "mini".into() });
}

/// A made-up licensee file: the real WAI-SR wording is never in this repository.
pub fn made_up_wai_sr() -> String {
    let mut text = String::from("# made-up wording for tests\ninstructions\tMade-up instructions\n");
    for i in 1..=12 {
        text.push_str(&format!("item.{i}\tMade-up statement number {i}\n"));
    }
    text.push_str("option.frequency5.1\tRarely (made up)\n");
    text
}

#[test]
fn licensed_wording_loads_from_a_licensee_file() {
    let mut c = crate::catalog();
    assert!(!c.can_administer("wai-sr"));
    c.add_licensed_text("wai-sr.en.txt", &made_up_wai_sr()).unwrap();
    assert!(c.can_administer("wai-sr"));
    let wai = c.get("wai-sr").unwrap();
    assert_eq!(wai.item("7").unwrap().text["en"], "Made-up statement number 7");
    assert_eq!(wai.option_set("frequency5").unwrap().options[0].label["en"], "Rarely (made up)");
}

#[test]
fn broken_licensee_files_are_refused_with_the_line() {
    let mut c = crate::catalog();
    let missing = made_up_wai_sr().replace("item.7\tMade-up statement number 7\n", "");
    assert!(matches!(c.add_licensed_text("wai-sr.en.txt", &missing), Err(CatalogError::LicensedText(_))));
    let unknown = format!("{}item.13\tExtra\n", made_up_wai_sr());
    let e = c.add_licensed_text("wai-sr.en.txt", &unknown).unwrap_err();
    assert!(e.to_string().contains("line 16"), "{e}");
    let no_tab = format!("{}item.1 no tab\n", made_up_wai_sr());
    assert!(c.add_licensed_text("wai-sr.en.txt", &no_tab).is_err());
    let twice = format!("{}item.1\tagain\n", made_up_wai_sr());
    assert!(c.add_licensed_text("wai-sr.en.txt", &twice).is_err());
    let control = made_up_wai_sr().replace("number 3", "number \u{1b}[31m3");
    assert!(c.add_licensed_text("wai-sr.en.txt", &control).is_err());
    let huge = format!("{}# {}\n", made_up_wai_sr(), "x".repeat(300_000));
    assert!(c.add_licensed_text("wai-sr.en.txt", &huge).is_err());
    for name in ["wai-sr.txt", "wai-sr.xx.txt", "phq9.en.txt", "../etc/passwd", "nope.en.txt"] {
        assert!(c.add_licensed_text(name, &made_up_wai_sr()).is_err(), "{name}");
    }
    assert!(!c.can_administer("wai-sr"), "nothing half-loaded");
}

/// MINIMAL in Spanish too: every text, and `entry` (the translation entries) appended.
fn translated(validated_instrument: bool, entry: &str) -> String {
    in_spanish(MINIMAL, validated_instrument, entry)
}

fn in_spanish(base: &str, validated_instrument: bool, entry: &str) -> String {
    base.replace("validated = false", &format!("validated = {validated_instrument}"))
        .replace("languages = [\"en\"]", "languages = [\"en\", \"es\"]")
        .replace("label = { en = \"No\" }", "label = { en = \"No\", es = \"No\" }")
        .replace("label = { en = \"Yes\" }", "label = { en = \"Yes\", es = \"Sí\" }")
        .replace("text = { en = \"A?\" }", "text = { en = \"A?\", es = \"¿A?\" }")
        .replace("text = { en = \"B?\" }", "text = { en = \"B?\", es = \"¿B?\" }")
        + entry
}

#[test]
fn a_translation_names_its_source_and_a_validated_measure_takes_only_validated_ones() {
    use alliance_core::instrument::Shown;
    let ours = "\n[translations.es]\nvalidated = false\nsource = \"Our own, 2026\"\n";
    let ins = parse("instruments/mini.toml", &translated(false, ours)).unwrap();
    assert_eq!(ins.shown_in("en"), Shown::Original("en"));
    assert_eq!(ins.shown_in("es"), Shown::Translated { lang: "es", validated: false });
    assert_eq!(ins.shown_in("ar"), Shown::Fallback("en"), "no Arabic: the original, and the page says so");

    let refused = |text: String, says: &str| {
        let e = parse("instruments/mini.toml", &text).expect_err("should be refused").to_string();
        assert!(e.contains("translations") && e.contains(says), "{e}");
    };
    // A validated measure with a translation nobody validated: an ad-hoc translation is another questionnaire.
    refused(translated(true, ours), "only in published, validated translations");
    // A language listed without saying whose translation it is, or with an empty source.
    refused(translated(false, ""), "no translation entry");
    refused(translated(false, "\n[translations.es]\nvalidated = false\nsource = \" \"\n"), "names no source");
    // A translation entry for a language the file does not list.
    refused(
        translated(false, &format!("{ours}\n[translations.ar]\nvalidated = false\nsource = \"x\"\n")),
        "not listed",
    );
    let published = "\n[translations.es]\nvalidated = true\nsource = \"Published Spanish version (test)\"\n";
    let ins = parse("instruments/mini.toml", &translated(true, published)).unwrap();
    assert_eq!(ins.shown_in("es"), Shown::Translated { lang: "es", validated: true });
}

#[test]
fn a_translation_may_carry_its_own_cut_off_with_its_source() {
    let original = MINIMAL.replace(
        "missing = { max_missing = 1 }",
        "missing = { max_missing = 1 }\ncutoff = { value = 2, source = \"original study\" }",
    );
    let with_cutoff = |scale: &str, source: &str| {
        let entry = format!(
            "\n[translations.es]\nvalidated = false\nsource = \"s\"\n\
             [translations.es.cutoffs.{scale}]\nvalue = 1\nsource = \"{source}\"\n"
        );
        in_spanish(&original, false, &entry)
    };
    let ins = parse("instruments/mini.toml", &with_cutoff("total", "Spanish norms (test)")).unwrap();
    let scale = ins.primary().unwrap();
    assert_eq!(ins.cutoff_in(scale, "es").map(|c| c.value), Some(1.0), "the translation's own cut-off");
    assert_eq!(ins.cutoff_in(scale, "en").map(|c| c.value), Some(2.0), "the original's");
    assert_eq!(ins.cutoff_in(scale, "ar").map(|c| c.value), Some(2.0), "no Arabic norms: the original's");
    for (scale, source, says) in [("nope", "x", "names no scale"), ("total", "", "names no source")] {
        let e = parse("instruments/mini.toml", &with_cutoff(scale, source)).expect_err("refused").to_string();
        assert!(e.contains(says), "{e}");
    }
}

#[test]
fn a_scale_is_named_in_the_readers_language_or_by_its_own_name() {
    let c = crate::catalog();
    let check = c.get("relationship-check").expect("the relationship check is built in");
    let goals = check.scale("goals").expect("the check has a goals scale");
    assert!(!goals.names.is_empty(), "the check's scales carry translated names");
    assert!(!goals.names.contains_key("en"), "English is the scale's own name");
    // English readers get the scale's own name, never the first translation listed.
    assert_eq!(check.scale_name_in(goals, "en"), goals.name);
    for (lang, name) in &goals.names {
        assert_eq!(check.scale_name_in(goals, lang), name, "{lang}");
        assert_ne!(name, &goals.name, "{lang} is a translation");
    }
    assert_eq!(check.scale_name_in(goals, "fr"), goals.name, "a language without a name: the scale's own");
}
