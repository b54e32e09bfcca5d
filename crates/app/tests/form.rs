//! The one pipeline from a form's fields to scored, typed answers, as the client's check and the therapist's
//! reflection use it.

use alliance_app::{AppError, FormReading, Section, read_form, read_questionnaire};
use alliance_core::catalog::Catalog;
use alliance_core::scoring::{Answer, AnswerError};

fn phq9_fields(each: &str, item9: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = (1..=8).map(|i| (format!("phq9.{i}"), each.to_owned())).collect();
    fields.push(("phq9.9".into(), item9.to_owned()));
    fields
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

#[test]
fn complete_answers_are_typed_and_scored_and_carry_scorings_risk_flags() {
    let catalog = Catalog::builtin().unwrap();
    let phq9 = catalog.get("phq9").unwrap();
    let sections = [Section { instrument: phq9, prefix: "phq9." }];
    let fields = phq9_fields("2", "1");
    let FormReading::Scored(scored) = read_form(&sections, &borrowed(&fields)).unwrap() else { panic!("complete") };
    assert_eq!(scored.len(), 1);
    assert_eq!(scored[0].answers.get("3"), Some(&Answer::Value(2.0)));
    // Eight items at 2 and item 9 at 1.
    assert_eq!(scored[0].scores.value("total"), Some(17.0));
    assert_eq!(scored[0].risks().iter().map(|r| r.item.as_str()).collect::<Vec<_>>(), ["9"]);
    let no_risk = phq9_fields("2", "0");
    assert!(!read_form(&sections, &borrowed(&no_risk)).unwrap().mentions_risk(&sections));
}

#[test]
fn an_incomplete_form_keeps_what_was_given_and_still_says_whether_it_mentions_risk() {
    let catalog = Catalog::builtin().unwrap();
    let phq9 = catalog.get("phq9").unwrap();
    let sections = [Section { instrument: phq9, prefix: "phq9." }];
    let mut fields = phq9_fields("1", "3");
    fields.retain(|(name, _)| name != "phq9.4");
    let reading = read_form(&sections, &borrowed(&fields)).unwrap();
    let FormReading::Invalid { given, section, error } = &reading else { panic!("item 4 is missing") };
    assert_eq!((*section, error), (0, &AnswerError::Required("4".into())));
    assert_eq!(given[0].len(), 8, "the other answers are kept to show again");
    assert!(reading.mentions_risk(&sections));
}

#[test]
fn a_field_of_no_question_is_refused_whichever_form_it_comes_with() {
    let catalog = Catalog::builtin().unwrap();
    let phq9 = catalog.get("phq9").unwrap();
    let sections = [Section { instrument: phq9, prefix: "phq9." }];
    for stray in ["gad7.1", "phq9.99"] {
        let mut fields = phq9_fields("1", "0");
        fields.push((stray.into(), "1".into()));
        assert!(matches!(read_form(&sections, &borrowed(&fields)), Err(AppError::UnknownField)), "{stray}");
    }
    let reflection = catalog.get("therapist-reflection").unwrap();
    assert!(matches!(read_questionnaire(reflection, &[("no-such-item", "1")]), Err(AppError::UnknownField)));
}
