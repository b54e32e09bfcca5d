//! Culture in the relationship (issue 20, item 2) through the pages: the culture item in the check where the
//! practice switched it on, and the client's background in their own words on their own page, given with their
//! consent, changed and removed by them; bad input refused with nothing stored.

use alliance_core::culture::YesNoUnsure;
use alliance_core::domain::Role;
use alliance_store::{ClientId, Rater};
use reqwest::redirect::Policy;

use crate::app::{TestApp, client_with_link, hidden};
use crate::partnership::{open_check, personal_link, send_check};

/// A form's fields, by name.
type Fields = Vec<(&'static str, String)>;

const ITEM: &str = "My therapist understands and respects my background and values.";

async fn culture_practice() -> TestApp {
    TestApp::spawn_with(|c| c.culture.enabled = true).await
}

/// A client with a personal page: (client id, the page's token, a browser that does not follow redirects, the
/// page's form token, the therapist's sign-in).
async fn client_page(
    app: &TestApp,
    email: &str,
    pseudonym: &str,
) -> (i64, String, reqwest::Client, String, crate::app::Session) {
    let (me, client, _, _) = client_with_link(app, email, pseudonym).await;
    let (status, _, _) = me.post(&format!("/clients/{client}/own-page"), &[("action", "issue")]).await;
    assert_eq!(status, 200);
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let token = personal_link(&page).split("/my/").nth(1).unwrap().to_owned();
    let visitor = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let own = visitor.get(format!("{}/my/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    (client, token.clone(), visitor, hidden(&own, "csrf"), me)
}

async fn post(app: &TestApp, browser: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = browser.post(format!("{}{path}", app.url)).form(fields).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_culture_item_is_asked_only_where_the_practice_switched_it_on() {
    let app = culture_practice().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (me, client, session, token) = client_with_link(&app, "ana@example.org", "Amber Heron").await;
    let (phone, form) = open_check(&app, &token).await;
    assert!(form.contains(ITEM) && form.contains("name=\"relationship-check.culture\""));
    let (status, _) = send_check(&app, &phone, &token, &form, &[("relationship-check.culture", "2")]).await;
    assert_eq!(status, 200);
    let stored = app.store.responses_of(ClientId(client)).await.unwrap();
    let check = stored.iter().find(|r| r.rater == Rater::Client && r.instrument.id == "relationship-check").unwrap();
    let culture = check.scores.iter().find(|s| s.scale == "culture").unwrap();
    assert_eq!(culture.value, Some(2.0), "stored beside the alliance, on its own scale");
    let alliance = check.scores.iter().find(|s| s.scale == "alliance").unwrap();
    assert_eq!(alliance.value, Some(24.0), "six items of 4: the culture item is not in the total");

    // The therapist's twin, two points above the client's 2: flagged as its own discrepancy.
    let (_, form) = me.get(&format!("/sessions/{session}/reflection")).await;
    assert!(form.contains("Cultural factors in this session") && form.contains("name=\"culture\""));
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "4")).collect();
    reflection.extend([
        ("rupture", "no"),
        ("supervision", "no"),
        ("culture", "4"),
        ("culture-note", "We spoke about her faith."),
    ]);
    let (status, _, body) = me.post(&format!("/sessions/{session}/reflection"), &reflection).await;
    let errors: Vec<&str> = body.split("class=\"error\"").skip(1).map(|e| &e[..e.len().min(160)]).collect();
    assert_eq!(status, 200, "the reflection is saved: {errors:?}");
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(
        page.contains("understood and respected 4.0 and the client rated it 2.0 (1-5): 2.0 points lower"),
        "the discrepancy on the client's page"
    );

    let off = TestApp::spawn().await;
    off.user("ben@example.org", Role::Therapist).await;
    let (_, _, _, token) = client_with_link(&off, "ben@example.org", "Birch Lane").await;
    let (_, form) = open_check(&off, &token).await;
    assert!(!form.contains(ITEM) && !form.contains("relationship-check.culture"));
}

#[tokio::test]
async fn a_client_describes_changes_and_removes_their_background() {
    let app = culture_practice().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (client, token, visitor, csrf, me) = client_page(&app, "ana@example.org", "Amber Heron").await;
    let page = visitor.get(format!("{}/my/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    for label in ["Language", "Cultural or ethnic identity", "Faith or beliefs", "Gender", "Age group"] {
        assert!(page.contains(&format!("<legend>{label}</legend>")), "{label}");
    }
    let path = format!("/my/{token}/background");
    let save = |text: &'static str, matters: &'static str| {
        [("csrf", csrf.clone()), ("category", "language".into()), ("text", text.into())]
            .into_iter()
            .chain([("matters", matters.into()), ("shared", "no".into()), ("consent", "yes".into())])
            .collect::<Vec<(&str, String)>>()
    };
    let fields = save("Tagalog at home", "yes");
    let as_refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = post(&app, &visitor, &path, &as_refs).await;
    assert_eq!(status, 303);
    let stored = app.store.backgrounds_of(&[ClientId(client)]).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].text.as_str(), stored[0].matters, stored[0].shared),
        ("Tagalog at home", YesNoUnsure::Yes, YesNoUnsure::No)
    );
    let page = visitor.get(format!("{}/my/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"Tagalog at home\"") && page.contains("Remove my answer about Language"));
    let (_, theirs) = me.get(&format!("/clients/{client}")).await;
    assert!(
        theirs.contains("Language: Tagalog at home (matters in their therapy: Yes; feel you share it: No)"),
        "the therapist reads it on the client's page"
    );

    // In the client's own download of their record.
    let download = visitor.get(format!("{}/my/{token}/answers", app.url)).send().await.unwrap().text().await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&download).unwrap();
    assert_eq!(json["background"][0]["text"], "Tagalog at home");
    assert_eq!(
        (json["background"][0]["matters"].as_str(), json["background"][0]["shared"].as_str()),
        (Some("yes"), Some("no"))
    );

    // Changed: one answer, the new words.
    let fields = save("Tagalog", "unsure");
    let as_refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(post(&app, &visitor, &path, &as_refs).await.0, 303);
    let stored = app.store.backgrounds_of(&[ClientId(client)]).await.unwrap();
    assert_eq!((stored.len(), stored[0].text.as_str(), stored[0].matters), (1, "Tagalog", YesNoUnsure::Unsure));

    // Removed by the client.
    let remove = [("csrf", csrf.as_str()), ("category", "language")];
    assert_eq!(post(&app, &visitor, &format!("{path}/remove"), &remove).await.0, 303);
    assert!(app.store.backgrounds_of(&[ClientId(client)]).await.unwrap().is_empty());
    let events = app.store.audit_events(10_000).await.unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action && e.object_id == Some(client)).count();
    assert_eq!((count("client-described-background"), count("client-removed-background")), (2, 1));
}

#[tokio::test]
async fn the_background_form_refuses_bad_input_and_keeps_nothing() {
    let app = culture_practice().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (client, token, visitor, csrf, _) = client_page(&app, "ana@example.org", "Amber Heron").await;
    let (other, other_token, _, other_csrf, _) = client_page(&app, "ana@example.org", "Cedar Moss").await;
    let path = format!("/my/{token}/background");
    let long = "x".repeat(201);
    let good = |changes: &[(&'static str, &str)]| -> Fields {
        let mut f: Fields = vec![
            ("csrf", csrf.clone()),
            ("category", "faith".into()),
            ("text", "Quaker".into()),
            ("matters", "yes".into()),
            ("shared", "unsure".into()),
            ("consent", "yes".into()),
        ];
        for (k, v) in changes {
            match f.iter_mut().find(|(name, _)| name == k) {
                Some(field) if v.is_empty() && *k != "text" => field.1 = "\u{0}drop".into(),
                Some(field) => field.1 = (*v).to_owned(),
                None => f.push((k, (*v).to_owned())),
            }
        }
        f.retain(|(_, v)| v != "\u{0}drop");
        f
    };
    let cases: Vec<(&str, Fields, u16, &str)> = vec![
        ("no consent", good(&[("consent", "")]), 400, "tick the box"),
        ("consent not yes", good(&[("consent", "on")]), 400, "tick the box"),
        ("unknown category", good(&[("category", "religion")]), 400, "not asked here"),
        ("no category", good(&[("category", "")]), 400, "not asked here"),
        ("bad choice", good(&[("matters", "maybe")]), 400, "Choose yes, no or not sure"),
        ("empty words", good(&[("text", "  ")]), 400, ""),
        ("text twice", good(&[("text", "Quaker")]).into_iter().chain([("text", "Other".into())]).collect(), 400, ""),
        ("oversized", good(&[("text", &long)]), 400, "200"),
        ("a line break", good(&[("text", "Quaker\nFriends")]), 400, ""),
        ("a bidi override", good(&[("text", "Quaker\u{202E}sdneirF")]), 400, ""),
        ("no form token", good(&[("csrf", "")]), 403, ""),
        ("another client's form token", good(&[("csrf", &other_csrf)]), 403, ""),
    ];
    for (what, fields, want, words) in &cases {
        let as_refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = post(&app, &visitor, &path, &as_refs).await;
        assert_eq!(status, *want, "{what}: {body:.300}");
        assert!(body.contains(words), "{what}: the page says why");
    }
    // Another client's link with this client's form token, and a link that does not exist.
    let mine = good(&[]);
    let as_refs: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(post(&app, &visitor, &format!("/my/{other_token}/background"), &as_refs).await.0, 403);
    assert_eq!(post(&app, &visitor, &format!("/my/{}/background", "A".repeat(43)), &as_refs).await.0, 404);
    assert_eq!(post(&app, &visitor, &format!("/my/{other_token}/background/remove"), &as_refs).await.0, 403);
    assert!(app.store.backgrounds_of(&[ClientId(client), ClientId(other)]).await.unwrap().is_empty(), "nothing kept");

    // Hostile words that are words are kept as written and shown as text, never as markup.
    let hostile = good(&[("text", "<script>alert(1)</script>\" onfocus=\"x")]);
    let as_refs: Vec<(&str, &str)> = hostile.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(post(&app, &visitor, &path, &as_refs).await.0, 303);
    let page = visitor.get(format!("{}/my/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("<script>alert(1)") && !page.contains("\" onfocus=\"x"), "escaped");
    let shown = page.split("f-background-faith").nth(2).unwrap_or("");
    assert!(
        shown.contains("alert(1)") && shown.contains("&lt;script") || shown.contains("&#60;script"),
        "{shown:.300}"
    );
    let stored = app.store.backgrounds_of(&[ClientId(client), ClientId(other)]).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].client, ClientId(client));

    // A practice that does not ask about background has no such form.
    let off = TestApp::spawn().await;
    off.user("ben@example.org", Role::Therapist).await;
    let (_, token, visitor, csrf, _) = client_page(&off, "ben@example.org", "Birch Lane").await;
    let page = visitor.get(format!("{}/my/{token}", off.url)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("/background"));
    let fields = [("csrf", csrf.as_str()), ("category", "faith"), ("text", "Quaker"), ("consent", "yes")];
    assert_eq!(post(&off, &visitor, &format!("/my/{token}/background"), &fields).await.0, 404);
}

/// The report's section on the researcher's page: the groups large enough, their figures as computed here from
/// the generating table, and a small group's words nowhere, only counted.
#[test]
fn the_research_report_shows_large_groups_and_only_counts_small_ones() {
    use alliance_core::research::{self, BackgroundFact, CourseBackground, ResearchData, SessionRow};
    // Six courses say "Farsi" (alliance 20 + i at both sessions, PHQ-9 from 15 to 15 - i), two say "Welsh".
    let mut sessions = Vec::new();
    let mut backgrounds = Vec::new();
    for i in 0..8u32 {
        let course = format!("k{i}");
        let k = f64::from(i);
        for (session, outcome) in [(1, 15.0), (2, 15.0 - k)] {
            sessions.push(SessionRow {
                client: course.clone(),
                therapist: "t".into(),
                session,
                alliance: Some(20.0 + k),
                outcome: Some(outcome),
            });
        }
        let words = if i < 6 { "Farsi" } else { "Welsh" };
        backgrounds.push(CourseBackground {
            course,
            facts: vec![BackgroundFact {
                category: "language".into(),
                group: alliance_core::culture::group_of(words),
                matters: YesNoUnsure::Yes,
                shared: YesNoUnsure::Yes,
            }],
            culture: Some(4.0),
        });
    }
    let data = ResearchData {
        sessions,
        item_tables: Vec::new(),
        outcome_measure: "phq9".into(),
        outcome_criteria: alliance_signals::change::ChangeCriteria::phq9(),
        rupture_prior: None,
        backgrounds,
        // Every Farsi course (alliance 20 to 25) is under it at both sessions, neither Welsh one (26, 27).
        alliance_cutoff: Some(26.0),
    };
    let report = research::report(&data, |_| {});
    let tr = alliance_i18n::Tr::new(alliance_i18n::Lang::En);
    let catalog = alliance_core::catalog::Catalog::builtin().unwrap();
    let html = alliance_web::research_report::fragment(&report, &tr, &catalog).unwrap();
    let section = html.split("id=\"report-culture\"").nth(1).expect("the section is there");
    // By hand: Farsi's mean alliance is 20 + mean(0..6) = 22.5, its mean improvement mean(0..6) = 2.5.
    assert!(section.contains("<th scope=\"row\">farsi</th><td>6</td><td>22.50</td><td>2.50</td><td>4.00</td>"));
    assert!(!section.to_lowercase().contains("welsh"), "a group of two is not named");
    assert!(section.contains("1 groups, 2 courses together"));
    // Match: all eight feel their therapist shares it; 20 + mean(0..8) = 23.5, improvement 3.5.
    assert!(section.contains("<td>8</td><td>23.50</td><td>3.50</td><td>4.00</td>"));

    // The fairness audit by the same groups: Farsi 6 of 6 courses under the cut-off, at 12 of 12 sessions.
    let fairness = html.split("id=\"report-fairness\"").nth(1).expect("the audit is there");
    assert!(fairness.contains("Alliance under the cut-off"), "{fairness}");
    assert!(fairness.contains("<th scope=\"row\">farsi</th><td>6</td>"), "{fairness}");
    assert!(fairness.contains("100.0 % of courses; 100.0 per 100 sessions"), "{fairness}");
    assert!(fairness.contains("Groups under 5 courses, pooled"), "the two Welsh courses are pooled");
    assert!(!fairness.to_lowercase().contains("welsh"), "and not named");
}
