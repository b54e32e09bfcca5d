//! Scoring of every shipped instrument against the published rules in docs/SCIENCE.md#instruments.

use alliance_core::scoring::{Answer, AnswerError, score};

use crate::{all, catalog, with};

const PHQ9: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
const GAD7: [&str; 7] = ["1", "2", "3", "4", "5", "6", "7"];

#[test]
fn phq9_totals_and_bands_follow_kroenke() {
    let c = catalog();
    let phq = c.get("phq9").unwrap();
    // Bands 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe; cut-off 10.
    let cases = [
        (0.0, 0.0, "minimal", false),
        (1.0, 9.0, "mild", false),
        (2.0, 18.0, "moderately severe", true),
        (3.0, 27.0, "severe", true),
    ];
    for (each, total, band, concern) in cases {
        let s = score(phq, &all(&PHQ9, each)).unwrap();
        let t = s.get("total").unwrap();
        assert_eq!(t.value, Some(total));
        assert_eq!(t.band.as_deref(), Some(band));
        assert_eq!(t.concern, Some(concern));
    }
    // 10 is the first score in the clinical range, 9 the last outside it.
    let mut ten = all(&PHQ9, 1.0);
    ten.insert("1".into(), Answer::Value(2.0));
    let t = score(phq, &ten).unwrap();
    assert_eq!(t.value("total"), Some(10.0));
    assert_eq!(t.get("total").unwrap().band.as_deref(), Some("moderate"));
    assert_eq!(t.get("total").unwrap().concern, Some(true));
    assert_eq!(phq.primary().unwrap().reliable_change.as_ref().unwrap().value, 6.0);
}

#[test]
fn phq9_item_9_is_the_risk_item() {
    let c = catalog();
    let phq = c.get("phq9").unwrap();
    assert!(score(phq, &all(&PHQ9, 0.0)).unwrap().flags.risks.is_empty());
    let risky = with(all(&PHQ9, 0.0), "9", Answer::Value(1.0));
    let s = score(phq, &risky).unwrap();
    assert_eq!(s.flags.risks.len(), 1);
    assert_eq!(s.flags.risks[0].item, "9");
    // Even when the total cannot be scored, the risk answer is seen.
    let mut partial = risky.clone();
    partial.remove("1");
    let s = score(phq, &partial).unwrap();
    assert_eq!(s.value("total"), None);
    assert_eq!(s.flags.risks.len(), 1);
}

#[test]
fn gad7_totals_bands_and_threshold() {
    let c = catalog();
    let gad = c.get("gad7").unwrap();
    for (each, total, band) in
        [(0.0, 0.0, "minimal"), (1.0, 7.0, "mild"), (2.0, 14.0, "moderate"), (3.0, 21.0, "severe")]
    {
        let s = score(gad, &all(&GAD7, each)).unwrap();
        assert_eq!(s.value("total"), Some(total));
        assert_eq!(s.get("total").unwrap().band.as_deref(), Some(band));
    }
    assert_eq!(gad.primary().unwrap().reliable_change.as_ref().unwrap().value, 4.0);
    assert_eq!(gad.item("1").unwrap().loinc.as_deref(), Some("69725-0"));
}

#[test]
fn outcome_measures_reject_out_of_range_answers() {
    let c = catalog();
    let phq = c.get("phq9").unwrap();
    for bad in [-1.0, 4.0, 1.5, f64::NAN, f64::INFINITY] {
        let answers = with(all(&PHQ9, 0.0), "3", Answer::Value(bad));
        assert!(matches!(score(phq, &answers), Err(AnswerError::Invalid { .. })), "{bad}");
    }
    let wrong_kind = with(all(&PHQ9, 0.0), "3", Answer::Choice("yes".into()));
    assert!(score(phq, &wrong_kind).is_err());
    let unknown = with(all(&PHQ9, 0.0), "10", Answer::Value(1.0));
    assert_eq!(score(phq, &unknown), Err(AnswerError::UnknownItem("10".into())));
}

#[test]
fn wai_sr_subscales_follow_hatcher_and_gillaspy() {
    let c = catalog();
    let wai = c.get("wai-sr").unwrap();
    // Task = 1, 2, 10, 12; Bond = 3, 5, 7, 9; Goal = 4, 6, 8, 11 (docs/SCIENCE.md#licensed-instruments).
    let mut answers = all(&["1", "2", "10", "12"], 5.0);
    answers.extend(all(&["3", "5", "7", "9"], 3.0));
    answers.extend(all(&["4", "6", "8", "11"], 1.0));
    let s = score(wai, &answers).unwrap();
    assert_eq!(s.value("task"), Some(20.0));
    assert_eq!(s.value("bond"), Some(12.0));
    assert_eq!(s.value("goal"), Some(4.0));
    assert_eq!(s.value("total"), Some(36.0));
    assert!(!c.can_administer("wai-sr"), "no licensed wording is shipped");
    assert!(wai.items.iter().all(|i| i.text.is_empty()));
}

#[test]
fn srs_total_and_concern_below_36() {
    let c = catalog();
    let srs = c.get("srs").unwrap();
    let ids = ["relationship", "goals-topics", "approach", "overall"];
    let s = score(srs, &all(&ids, 9.0)).unwrap();
    assert_eq!(s.value("total"), Some(36.0));
    assert_eq!(s.get("total").unwrap().concern, Some(false));
    let s = score(srs, &with(all(&ids, 9.0), "overall", Answer::Value(8.9))).unwrap();
    assert!((s.value("total").unwrap() - 35.9).abs() < 1e-9);
    assert_eq!(s.get("total").unwrap().concern, Some(true));
    assert!(score(srs, &with(all(&ids, 9.0), "overall", Answer::Value(8.95))).is_err(), "one decimal only");
    assert!(score(srs, &with(all(&ids, 9.0), "overall", Answer::Value(10.1))).is_err());
}

#[test]
fn relationship_check_scores_goals_tasks_bond_and_conditions() {
    let c = catalog();
    let check = c.get("relationship-check").unwrap();
    assert!(!check.validated, "the project's own wording is labelled as not validated");
    let mut answers = all(&["goals-1", "goals-2"], 5.0);
    answers.extend(all(&["tasks-1", "tasks-2"], 4.0));
    answers.extend(all(&["bond-1", "bond-2"], 2.0));
    answers.extend(all(&["understood", "respected", "genuine"], 3.0));
    answers.insert("rupture".into(), Answer::Choice("no".into()));
    let s = score(check, &answers).unwrap();
    assert_eq!(s.value("goals"), Some(10.0));
    assert_eq!(s.value("tasks"), Some(8.0));
    assert_eq!(s.value("bond"), Some(4.0));
    assert_eq!(s.value("alliance"), Some(22.0));
    assert_eq!(s.value("conditions"), Some(9.0));
    assert_eq!(s.get("alliance").unwrap().concern, Some(true));
    // One missing alliance item is pro-rated from the other five; two are not scored.
    answers.remove("bond-2");
    let s = score(check, &answers).unwrap();
    assert_eq!(s.value("alliance"), Some(20.0 / 5.0 * 6.0));
    assert!(s.get("alliance").unwrap().prorated);
    assert_eq!(s.value("bond"), None);
    answers.remove("bond-1");
    assert_eq!(score(check, &answers).unwrap().value("alliance"), None);
}

#[test]
fn rupture_follow_up_questions_only_apply_after_yes() {
    let c = catalog();
    let check = c.get("relationship-check").unwrap();
    let fields = [("rupture", "no"), ("rupture-kind", "withdrawal"), ("rupture-discussed", "yes"), ("goals-1", "4")];
    let answers = alliance_core::scoring::parse_fields(check, fields).unwrap();
    assert!(!answers.contains_key("rupture-kind"), "stale follow-up answers are dropped");
    assert!(!answers.contains_key("rupture-discussed"));
    let fields = [("rupture", "yes"), ("rupture-kind", "withdrawal"), ("rupture-kind", "confrontation")];
    let answers = alliance_core::scoring::parse_fields(check, fields).unwrap();
    assert_eq!(answers["rupture-kind"], Answer::Choices(vec!["withdrawal".into(), "confrontation".into()]));
    assert!(alliance_core::scoring::check(check, &answers, true).is_err(), "the rating items are required");
}

#[test]
fn therapist_reflection_shares_the_alliance_scales() {
    let c = catalog();
    let reflection = c.get("therapist-reflection").unwrap();
    let check = c.get("relationship-check").unwrap();
    for id in ["goals", "tasks", "bond", "alliance"] {
        assert_eq!(reflection.scale(id).unwrap().items, check.scale(id).unwrap().items, "{id}");
    }
    let mut answers = all(&["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"], 4.0);
    answers.insert("rupture".into(), Answer::Choice("yes".into()));
    answers.insert("rupture-kind".into(), Answer::Choices(vec!["confrontation".into()]));
    answers.insert("feelings".into(), Answer::Choices(vec!["irritated".into(), "anxious".into()]));
    answers.insert("feelings-intensity".into(), Answer::Value(3.0));
    answers.insert("supervision".into(), Answer::Choice("yes".into()));
    answers.insert("note".into(), Answer::Text("x".repeat(4000)));
    alliance_core::scoring::check(reflection, &answers, true).unwrap();
    assert_eq!(score(reflection, &answers).unwrap().value("alliance"), Some(24.0));
    answers.insert("note".into(), Answer::Text("x".repeat(4001)));
    assert!(score(reflection, &answers).is_err(), "notes are bounded");
    answers.insert("feelings".into(), Answer::Choices(vec!["warm".into(), "warm".into()]));
    answers.insert("note".into(), Answer::Text("ok".into()));
    assert!(score(reflection, &answers).is_err(), "a feeling cannot be ticked twice");
}

#[test]
fn form_fields_are_parsed_strictly() {
    let c = catalog();
    let phq = c.get("phq9").unwrap();
    use alliance_core::scoring::parse_fields;
    assert!(matches!(parse_fields(phq, [("1", "abc")]), Err(AnswerError::Invalid { .. })));
    assert!(matches!(parse_fields(phq, [("1", "1"), ("1", "2")]), Err(AnswerError::Invalid { .. })));
    assert!(matches!(parse_fields(phq, [("<script>", "1")]), Err(AnswerError::UnknownItem(_))));
    assert!(matches!(parse_fields(phq, [("1", "99999999999999999999")]), Err(AnswerError::Invalid { .. })));
    let many: Vec<(&str, &str)> = (0..1000).map(|_| ("1", "1")).collect();
    assert!(parse_fields(phq, many).is_err());
    let answers = parse_fields(phq, [("1", " 2 "), ("2", "")]).unwrap();
    assert_eq!(answers.len(), 1, "empty fields count as unanswered");
}

#[test]
fn rupture_indicators_are_read_off_the_answers() {
    let c = catalog();
    let check = c.get("relationship-check").unwrap();
    let mut answers = all(&["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"], 4.0);
    answers.insert("rupture".into(), Answer::Choice("yes".into()));
    answers.insert("rupture-kind".into(), Answer::Choices(vec!["confrontation".into()]));
    answers.insert("rupture-discussed".into(), Answer::Choice("no".into()));
    let flags = score(check, &answers).unwrap().flags;
    assert_eq!(flags.indicators, vec!["rupture-reported".to_owned(), "confrontation".to_owned()]);
    answers.insert("rupture".into(), Answer::Choice("no".into()));
    assert!(score(check, &answers).unwrap().flags.indicators.is_empty(), "follow-ups of a 'no' count for nothing");
}
