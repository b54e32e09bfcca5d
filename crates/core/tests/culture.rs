//! Culture in the relationship (issue 20, item 2): the optional culture items, the practice's switch, and the
//! research report's part, checked against figures computed here by hand.

use alliance_core::catalog::{RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use alliance_core::culture::{CULTURE_OPTION, YesNoUnsure};
use alliance_core::research::{self, BackgroundFact, CourseBackground, ResearchData, SessionRow};
use alliance_core::scoring::{Answer, score};
use alliance_signals::change::ChangeCriteria;

use crate::{all, catalog};

const ALLIANCE_ITEMS: [&str; 6] = ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"];

#[test]
fn the_culture_item_is_optional_so_earlier_answers_stay_complete() {
    let catalog = catalog();
    let check = catalog.get(RELATIONSHIP_CHECK).unwrap();
    assert!(check.version >= 2, "the definition that added the item has a new version");
    let item = check.item("culture").unwrap();
    assert!(!item.required && item.practice_option.as_deref() == Some(CULTURE_OPTION));
    assert!(!check.validated, "Alliance's own wording, labelled not validated");
    // A version 1 answer: the alliance items and the rupture question, no culture item.
    let mut answers = all(&ALLIANCE_ITEMS, 4.0);
    answers.extend(all(&["understood", "respected", "genuine"], 4.0));
    answers.insert("rupture".into(), Answer::Choice("no".into()));
    let scored = score(check, &answers).unwrap();
    let value = |id: &str| scored.scales.iter().find(|s| s.scale == id).unwrap().value;
    assert_eq!(value("alliance"), Some(24.0));
    assert_eq!(value("culture"), None, "no culture score without the item");
    answers.insert("culture".into(), Answer::Value(2.0));
    let scored = score(check, &answers).unwrap();
    assert_eq!(scored.scales.iter().find(|s| s.scale == "culture").unwrap().value, Some(2.0));
    assert_eq!(scored.scales.iter().find(|s| s.scale == "alliance").unwrap().value, Some(24.0), "not in the total");
    // The therapist's twin and their own prompt.
    let reflection = catalog.get(THERAPIST_REFLECTION).unwrap();
    assert!(reflection.scale("culture").is_some() && reflection.item("culture-note").is_some());
}

#[test]
fn a_practice_that_does_not_switch_it_on_never_asks_it() {
    let mut catalog = catalog();
    catalog.without_option(CULTURE_OPTION);
    for id in [RELATIONSHIP_CHECK, THERAPIST_REFLECTION] {
        let ins = catalog.get(id).unwrap();
        assert!(ins.item("culture").is_none() && ins.scale("culture").is_none(), "{id}");
        assert!(ins.item("culture-note").is_none());
        assert!(ins.scale("alliance").is_some(), "the rest stays");
    }
    // A culture answer sent to such a practice is refused as an unknown item.
    let check = catalog.get(RELATIONSHIP_CHECK).unwrap();
    let mut answers = all(&ALLIANCE_ITEMS, 4.0);
    answers.extend(all(&["understood", "respected", "genuine", "culture"], 4.0));
    answers.insert("rupture".into(), Answer::Choice("no".into()));
    assert!(score(check, &answers).is_err());
}

/// One synthetic course: its alliance totals by session and PHQ-9 first and last.
struct Course {
    id: String,
    alliance: Vec<f64>,
    phq9: (f64, f64),
    language: &'static str,
    matters: YesNoUnsure,
    shared: YesNoUnsure,
    culture: f64,
}

fn courses() -> Vec<Course> {
    let mut out = Vec::new();
    // Six say "Spanish" in different cases and spacing, five "English", three "Tagalog" (too few to show).
    let languages = [("Spanish", 6), (" spanish ", 0), ("English", 5), ("Tagalog", 3)];
    let mut n = 0;
    for (language, count) in languages {
        for _ in 0..count {
            let k = n as f64;
            out.push(Course {
                id: format!("c{n:02}"),
                alliance: vec![18.0 + k, 20.0 + k / 2.0, 22.0 + (n % 3) as f64],
                phq9: (18.0 - (n % 4) as f64, 9.0 + (n % 5) as f64),
                language: if n % 2 == 1 && language == "Spanish" { " SPANISH  " } else { language },
                matters: if n < 11 { YesNoUnsure::Yes } else { YesNoUnsure::No },
                // Of the eleven who say it matters: six share it, three do not, two are unsure.
                shared: match n % 4 {
                    0 | 2 => YesNoUnsure::Yes,
                    1 => YesNoUnsure::No,
                    _ => YesNoUnsure::Unsure,
                },
                culture: 1.0 + (n % 5) as f64,
            });
            n += 1;
        }
    }
    out
}

fn data(courses: &[Course]) -> ResearchData {
    let mut sessions = Vec::new();
    let mut backgrounds = Vec::new();
    for c in courses {
        for (i, a) in c.alliance.iter().enumerate() {
            let outcome = match i {
                0 => Some(c.phq9.0),
                i if i + 1 == c.alliance.len() => Some(c.phq9.1),
                _ => None,
            };
            sessions.push(SessionRow {
                client: c.id.clone(),
                therapist: "t1".into(),
                session: i as u32 + 1,
                alliance: Some(*a),
                outcome,
            });
        }
        backgrounds.push(CourseBackground {
            course: c.id.clone(),
            facts: vec![BackgroundFact {
                category: "language".into(),
                group: alliance_core::culture::group_of(c.language),
                matters: c.matters,
                shared: c.shared,
            }],
            culture: Some(c.culture),
        });
    }
    ResearchData {
        sessions,
        item_tables: Vec::new(),
        outcome_measure: "phq9".into(),
        outcome_criteria: ChangeCriteria::phq9(),
        rupture_prior: None,
        backgrounds,
        alliance_cutoff: None,
    }
}

fn close(what: &str, got: Option<f64>, want: f64) {
    let got = got.unwrap_or_else(|| panic!("{what}: suppressed, expected {want}"));
    assert!((got - want).abs() < 1e-9, "{what}: got {got}, computed by hand {want}");
}

/// The oracle: plain loops over the generating table, not the report's code.
fn by_hand<'a>(courses: impl Iterator<Item = &'a Course>) -> (usize, f64, f64, f64) {
    let (mut n, mut alliance, mut improvement, mut culture) = (0, 0.0, 0.0, 0.0);
    for c in courses {
        n += 1;
        alliance += c.alliance.iter().sum::<f64>() / c.alliance.len() as f64;
        improvement += c.phq9.0 - c.phq9.1;
        culture += c.culture;
    }
    let k = n as f64;
    (n, alliance / k, improvement / k, culture / k)
}

#[test]
fn groups_and_match_reproduce_means_computed_by_hand_and_small_groups_are_left_out() {
    let courses = courses();
    let report = research::report(&data(&courses), |_| {});
    let culture = report.culture.ready().expect("the part is computed");
    assert_eq!(culture.clients_with_background, 14);
    let language = &culture.categories[0];
    assert_eq!(language.category, "language");
    let groups: Vec<&str> = language.groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(groups, ["spanish", "english"], "case and spacing set aside; largest first");
    assert_eq!((language.suppressed_groups, language.suppressed_clients), (1, 3), "Tagalog's three are counted only");
    assert!(!serde_json::to_string(&report).unwrap().to_lowercase().contains("tagalog"), "a small group's words");
    for (cell, words) in language.groups.iter().zip(["spanish", "english"]) {
        let (n, alliance, improvement, item) =
            by_hand(courses.iter().filter(|c| c.language.trim().to_lowercase() == words));
        assert_eq!(cell.clients, n);
        close("alliance", cell.mean_alliance, alliance);
        close("improvement", cell.mean_improvement, improvement);
        close("culture item", cell.mean_culture, item);
    }
    // Match: of the clients who said their language matters, whether they feel their therapist shares it.
    let matched = |want: &str| -> Vec<&Course> {
        courses
            .iter()
            .filter(|c| {
                let group = if c.matters != YesNoUnsure::Yes {
                    "nothing-marked"
                } else {
                    match c.shared {
                        YesNoUnsure::Yes => "shares",
                        YesNoUnsure::No => "does-not-share",
                        YesNoUnsure::Unsure => "unsure",
                    }
                };
                group == want
            })
            .collect()
    };
    for cell in &culture.by_match {
        let members = matched(&cell.group);
        assert!(members.len() >= 5, "{}: a cell under 5 is never shown", cell.group);
        let (n, alliance, improvement, _) = by_hand(members.into_iter());
        assert_eq!(cell.clients, n, "{}", cell.group);
        close("alliance by match", cell.mean_alliance, alliance);
        close("improvement by match", cell.mean_improvement, improvement);
    }
    assert_eq!(culture.by_match.iter().map(|c| c.group.as_str()).collect::<Vec<_>>(), ["shares"]);
    let (mut hidden_groups, mut hidden_clients) = (0, 0);
    for group in ["shares", "does-not-share", "unsure", "nothing-marked"] {
        let shown = culture.by_match.iter().any(|c| c.group == group);
        let n = matched(group).len();
        assert_eq!(shown, n >= 5, "{group}");
        if !shown && n > 0 {
            hidden_groups += 1;
            hidden_clients += n;
        }
    }
    assert_eq!((culture.suppressed_match_groups, culture.suppressed_match_clients), (hidden_groups, hidden_clients));
    assert_eq!((hidden_groups, hidden_clients), (3, 8), "three under 5: does-not-share 3, unsure 2, nothing-marked 3");
}

#[test]
fn without_any_background_the_part_says_why() {
    let mut data = data(&courses());
    data.backgrounds.clear();
    let report = research::report(&data, |_| {});
    assert!(report.culture.ready().is_none());
    assert!(serde_json::to_value(&report.culture).unwrap()["reason"].as_str().unwrap().contains("background"));
}

/// The fairness audit on the practice's own data (issue 20, item 3): low-alliance and deterioration rates per
/// language group, counted here with plain loops; a group too small to name is pooled and never named.
#[test]
fn the_signal_audit_counts_each_groups_rates_by_hand_and_never_names_a_small_group() {
    let mut courses = courses();
    for c in courses.iter_mut().filter(|c| c.language.trim().eq_ignore_ascii_case("spanish")) {
        // From 8 (below the cut-off) to 16 (above it) is 8 points worse: reliably so (6 points) and harmed.
        c.phq9 = (8.0, 16.0);
    }
    let mut data = data(&courses);
    data.alliance_cutoff = Some(23.0);
    // The English speakers' backgrounds are not recorded: they form the "not-recorded" group.
    let english: Vec<String> = courses.iter().filter(|c| c.language == "English").map(|c| c.id.clone()).collect();
    data.backgrounds.retain(|b| !english.contains(&b.course));
    let report = research::report(&data, |_| {});
    let fairness = report.signal_fairness.ready().expect("the audit is made");
    assert_eq!(fairness.signals_counted, [research::RUPTURE, research::LOW_ALLIANCE, research::DETERIORATION]);
    assert_eq!(fairness.categories.len(), 1);
    let audit = &fairness.categories[0].audit;
    assert_eq!(fairness.categories[0].category, "language");
    let groups: Vec<&str> = audit.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(groups, [research::NOT_RECORDED, research::SMALL_GROUPS, "spanish"]);
    let json = serde_json::to_string(&report.signal_fairness).unwrap().to_lowercase();
    assert!(!json.contains("tagalog"), "a group of three is pooled, not named");
    let pooled = &audit.rows[1];
    assert_eq!(pooled.clients, None, "three courses are too few to describe");

    // By hand, per shown group: clients with the signal, firings, sessions.
    let in_group = |c: &Course, group: &str| match group {
        "spanish" => c.language.trim().eq_ignore_ascii_case("spanish"),
        _ => c.language == "English",
    };
    for (row, group) in [(&audit.rows[0], "not-recorded"), (&audit.rows[2], "spanish")] {
        let members: Vec<&Course> = courses.iter().filter(|c| in_group(c, group)).collect();
        let sessions: usize = members.iter().map(|c| c.alliance.len()).sum();
        assert_eq!(row.clients, Some(members.len()), "{group}");
        assert_eq!(row.sessions, Some(sessions as u64), "{group}");
        let low: Vec<usize> = members.iter().map(|c| c.alliance.iter().filter(|&&a| a < 23.0).count()).collect();
        let worse: Vec<usize> = members.iter().map(|c| usize::from(c.phq9.1 - c.phq9.0 >= 6.0)).collect();
        for (signal, counts) in [(research::LOW_ALLIANCE, &low), (research::DETERIORATION, &worse)] {
            let Some(i) = audit.signals.iter().position(|s| s == signal) else {
                assert!(counts.iter().all(|&n| n == 0), "{signal} fired nowhere in {group}");
                continue;
            };
            let cell = &row.cells[i];
            let with = counts.iter().filter(|&&n| n > 0).count();
            let firings: usize = counts.iter().sum();
            if with > 0 && with < 5 {
                assert_eq!(cell.clients_with_signal, None, "{group} {signal}: a cell under five is suppressed");
                continue;
            }
            assert_eq!(cell.clients_with_signal, Some(with), "{group} {signal}");
            assert_eq!(cell.firings, Some(firings as u64), "{group} {signal}");
            close(&format!("{group} {signal} share"), cell.share_of_clients, with as f64 / members.len() as f64);
            close(&format!("{group} {signal} rate"), cell.per_100_sessions, 100.0 * firings as f64 / sessions as f64);
        }
    }
    // Every Spanish speaker deteriorated and no one else did: the largest gap is 100 points.
    let i = audit.signals.iter().position(|s| s == research::DETERIORATION).unwrap();
    close("deterioration gap", audit.largest_gap_points[i], 100.0);

    // Without any background there is nothing to group by, and the part says why.
    data.backgrounds.clear();
    let report = research::report(&data, |_| {});
    assert!(report.signal_fairness.ready().is_none());
}
