//! Clinical support (issue 18) end to end: the barrier check asked at the next link and read as a decision path,
//! repair attempts recorded against a rupture (and refused when malformed), the reflection's prediction beside
//! the client's check, recognition in the therapist's patterns, and the research page's repair table.

use alliance_core::domain::Role;
use alliance_store::{ClientId, EndReason, EpisodeId, Rater};

use crate::app::{Session, TestApp, client_with_link, complete_answers, hidden, number_after};

/// Answers the link `token` with the complete check plus `extra` fields; returns the status.
async fn answer(app: &TestApp, token: &str, extra: &[(&str, &str)]) -> u16 {
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    fields.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status().as_u16()
}

/// Answers the link `token` with every alliance and conditions item at `value`, a withdrawal or no strain, the
/// PHQ-9 and GAD-7 low, plus `extra`; returns the status.
async fn answer_with(app: &TestApp, token: &str, value: &str, strain: bool, extra: &[(&str, &str)]) -> u16 {
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields: Vec<(String, String)> =
        complete_answers("1", "0").into_iter().filter(|(k, _)| !k.starts_with("relationship-check.")).collect();
    for id in ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2", "understood", "respected", "genuine"] {
        fields.push((format!("relationship-check.{id}"), value.into()));
    }
    fields.push(("relationship-check.rupture".into(), if strain { "yes" } else { "no" }.into()));
    if strain {
        fields.push(("relationship-check.rupture-kind".into(), "withdrawal".into()));
        fields.push(("relationship-check.rupture-discussed".into(), "no".into()));
    }
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    fields.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status().as_u16()
}

/// Records a session in the episode and makes its link with the due measures; returns (session, token).
async fn next_session(me: &Session, episode: i64, on: &str) -> (i64, String) {
    let (status, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", on), ("attended", "yes")]).await;
    assert_eq!(status, 200);
    let session: i64 = url.trim_start_matches("/sessions/").parse().unwrap();
    let (status, _, page) = me.post(&format!("/sessions/{session}/links"), &[]).await;
    assert_eq!(status, 200);
    let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    (session, token)
}

fn section(page: &str) -> &str {
    let start = page.find(r#"id="support""#).expect("the clinical support section");
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn a_barrier_check_asked_for_the_next_link_is_read_as_a_decision_path() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (me, client, _, token) = client_with_link(&app, "ana@example.org", "Birch Wren").await;
    assert_eq!(answer(&app, &token, &[]).await, 200);
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    assert!(section(&page).contains("Ask the barrier check at the next link"));

    let (status, url, page) = me.post(&format!("/episodes/{episode}/barrier-check"), &[("reason", "therapist")]).await;
    assert_eq!((status, url.as_str()), (200, format!("/clients/{client}").as_str()));
    assert!(section(&page).contains("will be asked with the next link"), "{}", section(&page));
    // Asking twice keeps one request.
    me.post(&format!("/episodes/{episode}/barrier-check"), &[("reason", "therapist")]).await;
    assert_eq!(app.store.barrier_requests(&[EpisodeId(episode)]).await.unwrap().len(), 1);
    let events = app.store.audit_events(10_000).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.object_kind == "barrier-check" && e.action == "request").count(), 2);

    // The next session's link asks it, labelled as the project's own, not validated.
    let (session, token) = next_session(&me, episode, "2026-11-29").await;
    let (_, session_page) = me.get(&format!("/sessions/{session}")).await;
    assert!(session_page.contains("Asks: Check, PHQ-9, GAD-7, Barrier check."), "due while requested");
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("My therapist and I are working on what matters most to me right now."));
    assert!(form.contains("has not yet been validated"));
    // The relationship 2 and 3 (mean 2.5: flagged), readiness 5 and 5 (clear), support 4 and 3 (3.5: flagged), a
    // hard event that affected the client a little (1: clear).
    let barrier = [
        ("barrier-check.alliance-1", "2"),
        ("barrier-check.alliance-2", "3"),
        ("barrier-check.motivation-1", "5"),
        ("barrier-check.motivation-2", "5"),
        ("barrier-check.support-1", "4"),
        ("barrier-check.support-2", "3"),
        ("barrier-check.life-event", "yes"),
        ("barrier-check.life-event-kind", "work-money"),
        ("barrier-check.life-event-impact", "1"),
    ];
    assert_eq!(answer(&app, &token, &barrier).await, 200);
    let stored = app.store.responses_of(ClientId(client)).await.unwrap();
    let r = stored.iter().find(|r| r.instrument.id == "barrier-check").unwrap();
    let scale = |id: &str| r.scores.iter().find(|s| s.scale == id).map(|s| (s.value, s.concern)).unwrap();
    assert_eq!(scale("alliance"), (Some(2.5), Some(true)));
    assert_eq!(scale("motivation"), (Some(5.0), Some(false)));
    assert_eq!(scale("support"), (Some(3.5), Some(true)));
    assert_eq!(scale("life-events"), (Some(1.0), Some(false)));

    // The client page: the four domains in order, the relationship first ("start here"), actions only for the
    // flagged ones, then reconsidering; the request is answered, so the page offers a new one.
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let s = section(&page);
    let at = |text: &str| s.find(text).unwrap_or_else(|| panic!("{text} missing from {s}"));
    assert!(at("The relationship") < at("Readiness for change"));
    assert!(at("Readiness for change") < at("Social support") && at("Social support") < at("Recent life events"));
    assert!(at("Recent life events") < at("reconsider the formulation"));
    assert!(s.contains(r#"<li class="flagged first">"#), "the first flagged step is marked");
    assert!(at("start here") < at("Readiness for change"));
    assert!(s.contains("stands in the way (2.5 of 5)") && s.contains("no barrier here (5 of 5)"));
    assert!(s.contains("Ask the client directly") && s.contains("Map who is around the client"));
    assert!(!s.contains("Explore ambivalence") && !s.contains("Ask what happened"), "clear domains have no actions");
    assert!(s.contains("Ask the barrier check at the next link"), "answered: the request is closed");

    // Withdrawing a request takes it off the next link.
    me.post(&format!("/episodes/{episode}/barrier-check"), &[]).await;
    let (status, _, page) = me.post(&format!("/episodes/{episode}/barrier-check/withdraw"), &[]).await;
    assert_eq!(status, 200);
    assert!(!section(&page).contains("will be asked with the next link"));
    let (status, _, _) = me.post(&format!("/episodes/{episode}/barrier-check"), &[("reason", "<script>")]).await;
    assert_eq!(status, 400, "an unknown reason is refused");
    let (status, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-30"), ("attended", "yes")]).await;
    assert_eq!(status, 200);
    let (_, third_page) = me.get(&url).await;
    assert!(third_page.contains(r#"value="barrier-check"><span>Barrier check"#), "offered, not due: {third_page}");
    assert!(third_page.contains(r#"value="mspss"><span>MSPSS"#), "the MSPSS is offered beside it");
}

#[tokio::test]
async fn repair_attempts_are_recorded_against_a_rupture_and_malformed_ones_store_nothing() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("bo@example.org", Role::Therapist).await;
    let (me, client, _, token) = client_with_link(&app, "ana@example.org", "Cedar Lark").await;
    // The check reports a withdrawal rupture that was not talked through.
    assert_eq!(answer(&app, &token, &[]).await, 200);
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let s = section(&page);
    assert!(s.contains("Rupture at session 1 (withdrawal)"), "{s}");
    assert!(s.contains("Change the task or its pace"), "withdrawal strategies offered");
    assert!(!s.contains("Explore the client&#39;s frustration"), "confrontation-only strategies are not");

    let path = format!("/episodes/{episode}/repairs");
    let good = [("rupture", "1"), ("tried", "1"), ("strategy", "name-withdrawal"), ("note", "Named the quiet moment")];
    let (status, _, page) = me.post(&path, &good).await;
    assert_eq!(status, 200);
    let s = section(&page);
    assert!(s.contains("Session 1: Notice the pulling back aloud"), "{s}");
    assert!(s.contains("Named the quiet moment"), "the therapist reads their own note");

    let long = "x".repeat(2001);
    let hostile: Vec<Vec<(&str, &str)>> = vec![
        vec![("rupture", "1"), ("tried", "1"), ("strategy", "drop-table")],
        vec![("rupture", "1"), ("tried", "1")],
        vec![("rupture", "1"), ("tried", "0"), ("strategy", "adjust-task")],
        vec![("rupture", "1"), ("tried", "abc"), ("strategy", "adjust-task")],
        vec![("rupture", "1"), ("tried", "99"), ("strategy", "adjust-task")],
        vec![("rupture", "-1"), ("tried", "1"), ("strategy", "adjust-task")],
        vec![("rupture", "1"), ("tried", "1"), ("strategy", "adjust-task"), ("note", long.as_str())],
        vec![("rupture", "1"), ("tried", "1"), ("strategy", "adjust-task"), ("note", "a\u{202e}b")],
    ];
    for fields in &hostile {
        let (status, _, body) = me.post(&path, fields).await;
        assert_eq!(status, 400, "{fields:?}");
        assert!(!body.contains("drop-table") && !body.contains("panicked"), "{fields:?}");
    }
    // A session of the episode where no rupture began is not a rupture to repair.
    let (status, _, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-29"), ("attended", "yes")]).await;
    assert_eq!(status, 200);
    let no_rupture = [("rupture", "2"), ("tried", "2"), ("strategy", "adjust-task")];
    assert_eq!(me.post(&path, &no_rupture).await.0, 400, "session 2 began no rupture");
    let other = app.sign_in("bo@example.org").await;
    assert_eq!(other.post(&path, &good).await.0, 404, "another therapist's client is not found");
    let attempts = app.store.repair_attempts(&[ClientId(client)]).await.unwrap();
    assert_eq!(attempts.len(), 1, "nothing else was stored");
    assert_eq!(attempts[0].note.as_deref(), Some("Named the quiet moment"));

    // How care ended, told when ending it; an unknown reason ends nothing.
    let (status, _, _) =
        me.post(&format!("/episodes/{episode}/end"), &[("ended_on", "2026-11-30"), ("reason", "vanished")]).await;
    assert_eq!(status, 400);
    assert!(app.store.episode(EpisodeId(episode)).await.unwrap().unwrap().ended_on.is_none());
    let (status, _, _) =
        me.post(&format!("/episodes/{episode}/end"), &[("ended_on", "2026-11-30"), ("reason", "dropped-out")]).await;
    assert_eq!(status, 200);
    assert_eq!(
        app.store.end_reasons(&[EpisodeId(episode)]).await.unwrap(),
        vec![(EpisodeId(episode), EndReason::DroppedOut)]
    );
    assert_eq!(me.post(&path, &good).await.0, 400, "an ended episode takes no new attempt");
}

#[tokio::test]
async fn the_reflections_prediction_is_read_beside_the_clients_check_and_in_the_patterns() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.freeze();
    let (me, client, session, token) = client_with_link(&app, "ana@example.org", "Dune Teal").await;
    // The reflection comes first and predicts a high rating and no strain.
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    reflection.extend([
        ("rupture", "no"),
        ("supervision", "no"),
        ("predicted-alliance", "5"),
        ("predicted-strain", "no"),
    ]);
    assert_eq!(me.post(&format!("/sessions/{session}/reflection"), &reflection).await.0, 200);
    app.advance(60);
    // The client rates every alliance item 4 (24 of 30: 4 per item) and reports a withdrawal.
    assert_eq!(answer(&app, &token, &[]).await, 200);
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    let stored = app.store.responses_of(ClientId(client)).await.unwrap();
    let mine = stored.iter().find(|r| r.rater == Rater::Therapist).unwrap();
    assert!(mine.flags.has("predicts-no-strain"), "{:?} {:?}", mine.flags, mine.scores);
    let p = page.split(r#"id="prediction""#).nth(1).unwrap_or_else(|| panic!("the prediction beside the check {page}"));
    assert!(p.contains("<td>4</td><td>5</td>"), "client 4 per item, predicted 5: {p}");
    assert!(p.contains("<td>Yes</td><td>No</td>"), "{p}");
    assert!(p.contains("The client reported a strain you did not expect."));
    assert!(!p.contains("Saved after the client"));
    let (_, patterns) = me.get("/patterns").await;
    assert!(patterns.contains("0 of 1 strains clients reported (0 %)"), "{patterns}");
    assert!(patterns.contains("+1") || patterns.contains("1.00"), "predicted minus client: 5 - 4 = 1");

    // Saved again after the check came: shown, but not counted as a prediction.
    app.advance(60);
    reflection.retain(|f| f.0 != "predicted-strain");
    reflection.push(("predicted-strain", "yes"));
    assert_eq!(me.post(&format!("/sessions/{session}/reflection"), &reflection).await.0, 200);
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("Saved after the client&#39;s check arrived"));
    assert!(page.contains("You expected the strain the client reported."));
    let (_, patterns) = me.get("/patterns").await;
    assert!(patterns.contains("No strain reported where you made a prediction"), "{patterns}");
    let stored = app.store.responses_of(ClientId(client)).await.unwrap();
    let mine = stored.iter().find(|r| r.rater == Rater::Therapist).unwrap();
    assert!(mine.flags.has("predicts-strain"));
}

#[tokio::test]
async fn the_research_page_counts_what_was_tried_and_hides_small_cells() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("rita@example.org", Role::Researcher).await;
    let (me, client, _, token) = client_with_link(&app, "ana@example.org", "Ember Hare").await;
    // Session 1: alliance 4 per item (24), no strain, with research consent; session 2: a withdrawal with the
    // alliance down to 2 per item (12); session 3: back at 5 per item (30).
    assert_eq!(answer_with(&app, &token, "4", false, &[("consent-research", "yes")]).await, 200);
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let (_, token) = next_session(&me, episode, "2026-11-29").await;
    assert_eq!(answer_with(&app, &token, "2", true, &[]).await, 200);
    let (_, token) = next_session(&me, episode, "2026-11-30").await;
    assert_eq!(answer_with(&app, &token, "5", false, &[]).await, 200);
    let attempt = [("rupture", "2"), ("tried", "2"), ("strategy", "metacommunicate"), ("note", "PRIVATE-NOTE-77")];
    assert_eq!(me.post(&format!("/episodes/{episode}/repairs"), &attempt).await.0, 200);
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(section(&page).contains("The alliance came back at session 3."), "{}", section(&page));

    let rita = app.sign_in("rita@example.org").await;
    let (_, page) = rita.get("/research").await;
    assert!(!page.contains("Talk about what is happening between you right now"), "made at the practice refit");
    app.state.app.refresh_practice(time::OffsetDateTime::now_utc()).await.unwrap();
    let (status, page) = rita.get("/research").await;
    assert_eq!(status, 200);
    let table = page.split(r#"id="repairs""#).nth(1).unwrap();
    assert!(table.contains("Talk about what is happening between you right now"), "{table}");
    assert!(table.contains("fewer than 5 clients"), "one client: suppressed");
    assert!(!table.contains("PRIVATE-NOTE-77") && !page.contains("Ember Hare"));
    assert!(table.contains("This practice&#39;s data, not a norm."));
    let events = app.store.audit_events(10_000).await.unwrap();
    assert!(
        events.iter().any(|e| e.object_kind == "research-report" && e.purpose == "research"),
        "the view is audited"
    );
}

/// A follow-up question is hidden by CSS until the answer that asks for it is chosen, also without JavaScript:
/// every question of a shipped instrument that another follows has its rule in the stylesheet.
#[test]
fn every_follow_up_question_has_its_rule_in_the_stylesheet() {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css")).unwrap();
    let catalog = alliance_core::catalog::Catalog::builtin().unwrap();
    let mut conditions = 0;
    for instrument in catalog.all() {
        for condition in instrument.items.iter().filter_map(|i| i.shown_if.as_ref()) {
            conditions += 1;
            let rule = format!(
                "fieldset.instrument:not(:has(input[name$=\"{}\"][value=\"yes\"]:checked)) .item.followup-{}",
                condition.item, condition.item
            );
            assert!(css.contains(&rule), "{}: no rule for follow-ups of {}", instrument.id, condition.item);
            assert_eq!(condition.any_of, ["yes"], "the rules show follow-ups after yes only");
        }
    }
    assert!(conditions >= 6, "the check, the reflection and the barrier check have follow-ups");
}

/// The dropout warning's refit on the practice's own ended episodes (issue 18): refused below the minimum, with
/// the counts shown; with enough, refitted and its figures shown. Ten of 45 episodes ended in dropout, each with
/// sessions 3 and 5 missed before the client's last attended session 6; the 35 completed ones attended all six.
/// Missed sessions separate the two exactly, so a refit that learns from them ranks every dropout above every
/// completer: a cross-validated area under the curve of 1.
#[tokio::test]
async fn the_dropout_weights_are_refitted_on_the_practices_ended_episodes() {
    use alliance_store::{AuditEvent, NewClient, NewEpisode, NewSession};
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    app.user("rita@example.org", Role::Researcher).await;
    let now = time::OffsetDateTime::now_utc();
    let ev = |kind: &'static str| AuditEvent::system(now, "create", kind, "test");
    let start = time::macros::date!(2026 - 06 - 01);
    let add = |index: usize, dropped: bool| {
        let store = app.store.clone();
        async move {
            let pseudonym = format!("Client {index}");
            let client =
                store.create_client(NewClient { therapist: ana, pseudonym, contact: None }, ev("client"), now).await;
            let client = client.unwrap();
            let episode = NewEpisode { client, therapist: ana, started_on: start, measures: vec!["phq9".into()] };
            let episode = store.open_episode(episode, ev("episode"), now).await.unwrap();
            for week in 0..6i64 {
                let attended = !(dropped && (week == 2 || week == 4));
                let held_on = start + time::Duration::weeks(week);
                store.record_session(NewSession { episode, held_on, attended }, ev("session"), now).await.unwrap();
            }
            store.end_episode(episode, start + time::Duration::weeks(6), ev("episode")).await.unwrap();
            let reason = if dropped { EndReason::DroppedOut } else { EndReason::Completed };
            store.set_end_reason(episode, reason, ev("episode")).await.unwrap();
        }
    };
    for index in 0..20 {
        add(index, index % 4 == 0).await;
    }
    app.state.app.refresh_practice(now).await.unwrap();
    let rita = app.sign_in("rita@example.org").await;
    let (_, page) = rita.get("/research").await;
    let section = page.split(r#"id="dropout""#).nth(1).unwrap();
    assert!(section.contains("this practice has 20 with 5."), "{section}");
    assert!(section.contains("project&#39;s default weights"));

    for index in 20..45 {
        add(index, index % 5 == 0).await;
    }
    app.state.app.refresh_practice(now).await.unwrap();
    let (_, page) = rita.get("/research").await;
    let section = page.split(r#"id="dropout""#).nth(1).unwrap();
    assert!(section.contains("Refitted on 45 ended episodes (10 dropouts)"), "{section}");
    assert!(section.contains("1.00 with the practice&#39;s own (5-fold cross-validation by client)"), "{section}");
    assert!(section.contains("so they are used") && section.contains("weights refitted on this practice"));
    let refit = app.state.practice().dropout;
    assert!(refit.missed_sessions > 0.0, "the refit learned from the missed sessions");
}
