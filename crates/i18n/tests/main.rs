//! The message files: complete in every language, clean, all used; and the locale rules Alliance applies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use alliance_i18n::{Lang, Tr, from_accept_language, message_files, untranslated_words};
use fluent_bundle::FluentResource;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Each message id of a language with the variables its value and variants use.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut all = BTreeMap::new();
    for (file, source) in message_files(lang) {
        let resource = match FluentResource::try_new((*source).to_owned()) {
            Ok(r) => r,
            Err((_, errors)) => panic!("{}/{file} does not parse: {errors:?}", lang.tag()),
        };
        for entry in resource.entries() {
            if let Entry::Message(message) = entry {
                let mut variables = BTreeSet::new();
                if let Some(value) = &message.value {
                    collect_variables(value, &mut variables);
                }
                assert!(message.value.is_some(), "{}/{file}: {} has no value", lang.tag(), message.id.name);
                let previous = all.insert(message.id.name.to_owned(), variables);
                assert!(previous.is_none(), "{}/{file}: {} is defined twice", lang.tag(), message.id.name);
            }
        }
    }
    all
}

fn collect_variables(pattern: &Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            collect_expression(expression, into);
        }
    }
}

fn collect_expression(expression: &Expression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        Expression::Select { selector, variants } => {
            collect_inline(selector, into);
            for variant in variants {
                collect_variables(&variant.value, into);
            }
        }
        Expression::Inline(inline) => collect_inline(inline, into),
    }
}

fn collect_inline(inline: &InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => collect_expression(expression, into),
        _ => {}
    }
}

#[test]
fn every_language_has_every_message_with_the_same_arguments() {
    let english = messages(Lang::En);
    assert!(english.len() > 50, "only {} English messages", english.len());
    for lang in [Lang::Es, Lang::Ar] {
        let other = messages(lang);
        let missing: Vec<_> = english.keys().filter(|id| !other.contains_key(*id)).collect();
        let extra: Vec<_> = other.keys().filter(|id| !english.contains_key(*id)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
        assert!(extra.is_empty(), "{} has messages English does not: {extra:?}", lang.tag());
        for (id, variables) in &english {
            let theirs = &other[id];
            // A translation may leave out a variable English needs only for a plural (Arabic writes "two" as a
            // word), but never use one English does not pass.
            assert!(theirs.is_subset(variables), "{}: {id} uses {theirs:?}, English passes {variables:?}", lang.tag());
        }
    }
}

#[test]
fn the_folders_hold_exactly_the_compiled_files() {
    for lang in [Lang::En, Lang::Es, Lang::Ar] {
        let dir = crates_dir().join("i18n/locales").join(lang.tag());
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default())
            .collect();
        on_disk.sort();
        let mut compiled: Vec<String> = alliance_i18n::FILES.iter().map(|f| (*f).to_owned()).collect();
        compiled.sort();
        assert_eq!(on_disk, compiled, "{}", lang.tag());
    }
}

/// Every source file that can name a message: templates and Rust sources of every crate.
fn sources() -> String {
    let mut text = String::new();
    let mut stack = vec![crates_dir()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && name != "locales" && name != "tests" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") || name.ends_with(".html") {
                text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    text
}

#[test]
fn every_message_is_used() {
    let sources = sources();
    let unused: Vec<String> =
        messages(Lang::En).into_keys().filter(|id| !sources.contains(&format!("\"{id}\""))).collect();
    assert!(unused.is_empty(), "messages no template or source names: {unused:?}");
}

#[test]
fn plural_forms_follow_each_language() {
    let en = Tr::new(Lang::En);
    assert_eq!(en.t1("check-minutes", "minutes", 1), "about 1 minute");
    assert_eq!(en.t1("check-minutes", "minutes", 3), "about 3 minutes");
    let es = Tr::new(Lang::Es);
    assert_eq!(es.t1("check-minutes", "minutes", 1), "aproximadamente 1 minuto");
    assert_eq!(es.t1("check-minutes", "minutes", 3), "aproximadamente 3 minutos");
    // Arabic has six plural categories; 1, 2, 3-10 and 11+ take different forms (CLDR).
    let ar = Tr::new(Lang::Ar);
    let one = ar.t1("check-minutes", "minutes", 1);
    let two = ar.t1("check-minutes", "minutes", 2);
    let few = ar.t1("check-minutes", "minutes", 3);
    let many = ar.t1("check-minutes", "minutes", 11);
    let forms: BTreeSet<&String> = [&one, &two, &few, &many].into_iter().collect();
    assert_eq!(forms.len(), 4, "{one} / {two} / {few} / {many}");
    assert!(few.contains('3') && few.contains("دقائق"), "{few}");
    assert!(many.contains("11") && many.contains("دقيقة"), "{many}");
}

#[test]
fn numbers_and_dates_are_written_per_language() {
    assert_eq!(Tr::new(Lang::En).number(4.25, 1), "4.2");
    assert_eq!(Tr::new(Lang::Es).number(4.5, 1), "4,5");
    assert_eq!(Tr::new(Lang::Ar).number(4.5, 1), "4.5");
    assert_eq!(Tr::new(Lang::En).number(-0.04, 1), "0.0");
    assert_eq!(Tr::new(Lang::En).date(2026, 12, 4), "4 Dec 2026");
    assert_eq!(Tr::new(Lang::Es).date(2026, 12, 4), "4 dic 2026");
    assert!(Tr::new(Lang::Ar).date(2026, 12, 4).contains("ديسمبر"));
    assert_eq!(Tr::new(Lang::En).date_time(2026, 3, 9, 7, 5, "CET"), "9 Mar 2026, 07:05 CET");
    // A fractional argument reads with the language's separator inside a sentence.
    let es = Tr::new(Lang::Es).t1("check-minutes", "minutes", 2.5);
    assert!(es.contains("2,5"), "{es}");
}

#[test]
fn arabic_isolates_arguments_and_left_to_right_languages_do_not() {
    let ar = Tr::new(Lang::Ar).t1("check-minutes", "minutes", 3);
    assert!(ar.contains('\u{2068}') && ar.contains('\u{2069}'), "{ar:?}");
    assert!(!Tr::new(Lang::En).t1("check-minutes", "minutes", 3).contains('\u{2068}'));
    assert_eq!(Tr::new(Lang::Ar).dir(), "rtl");
    assert_eq!(Tr::new(Lang::Es).dir(), "ltr");
}

#[test]
fn the_pseudo_locale_changes_every_letter_of_a_message_and_no_argument() {
    let pseudo = Tr::new(Lang::Pseudo);
    let text = pseudo.t1("check-minutes", "minutes", 3);
    assert!(untranslated_words(&text).is_empty(), "{text}");
    assert!(text.contains('3'));
    assert!(text.chars().count() > Tr::new(Lang::En).t1("check-minutes", "minutes", 3).chars().count());
    assert_eq!(untranslated_words("Ŕéáď 12 ok x, and PHQ-9"), vec!["ok", "and", "PHQ"]);
    assert_eq!(pseudo.data_text("Hi"), "Ĥîî");
    // An argument stays as given: a client's words are not the interface's.
    let name = pseudo.t1("error-not-possible", "why", "Plain");
    assert!(name.contains("Plain"), "{name}");
}

#[test]
fn a_missing_message_falls_back_to_english_then_to_its_id() {
    assert_eq!(Tr::new(Lang::Es).t("no-such-message"), "no-such-message");
    assert!(Tr::new(Lang::Es).has("app-name"));
    assert!(!Tr::new(Lang::Es).has("no-such-message"));
}

#[test]
fn accept_language_picks_the_best_language_spoken_here() {
    assert_eq!(from_accept_language("es-MX,es;q=0.9,en;q=0.8"), Some(Lang::Es));
    assert_eq!(from_accept_language("fr-FR, ar;q=0.5, en;q=0.4"), Some(Lang::Ar));
    assert_eq!(from_accept_language("en;q=0.2, es;q=0.7"), Some(Lang::Es));
    assert_eq!(from_accept_language("de, fr"), None);
    assert_eq!(from_accept_language(""), None);
    assert_eq!(from_accept_language("es;q=0, en;q=abc"), None);
    assert_eq!(
        from_accept_language("en-XA"),
        Some(Lang::En),
        "the pseudo-locale is never negotiated: en-XA is English"
    );
    // Hostile input: long, binary-ish, many entries.
    let long = "x,".repeat(100_000) + "es";
    assert_eq!(from_accept_language(&long), None, "entries past the first 32 are not read");
    assert_eq!(from_accept_language(";;;,,,q=1;es"), None);
}

#[test]
fn tags_parse_only_for_languages_alliance_has() {
    for lang in Lang::ALL {
        assert_eq!(Lang::parse(lang.tag()), Some(lang));
    }
    assert_eq!(Lang::parse("fr"), None);
    assert_eq!(Lang::parse(""), None);
    assert_eq!(Lang::parse("es<script>"), None);
}

#[test]
fn every_message_the_code_names_exists() {
    let known = messages(Lang::En);
    let sources = sources();
    let mut missing = BTreeSet::new();
    let mut named = 0;
    for call in [".t(\"", ".t1(\"", ".t2(\"", ".t3(\"", "tr.format(\"", "Text::new(\""] {
        for (at, _) in sources.match_indices(call) {
            // Only calls on a `Tr`, a `Text` or a template's `tr`: the id is what follows, up to the closing quote.
            let rest = &sources[at + call.len()..];
            let id: String =
                rest.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
            let closed = rest[id.len()..].starts_with('"');
            // Every message id holds a dash; other quoted words after such a call are not ids.
            if id.is_empty() || !closed || !id.contains('-') {
                continue;
            }
            named += 1;
            if !known.contains_key(&id) {
                missing.insert(id);
            }
        }
    }
    assert!(named > 500, "only {named} message names found: the scan is broken");
    assert!(missing.is_empty(), "named in the code but in no message file: {missing:?}");
}
