//! The whole loop: a therapist adds a client and a session, the client answers on the link, the therapist
//! sees the answers, charts and signals, and records a reflection.

use alliance_core::domain::Role;
use alliance_store::{ClientId, Rater, SessionId};

use crate::app::{TestApp, client_with_link, complete_answers, hidden};

#[tokio::test]
async fn the_core_loop_from_new_client_to_dashboard() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (me, client, session, token) = client_with_link(&app, "ana@example.org", "Amber Heron").await;

    // The client opens the link with no account: the page names nobody.
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let form = form.text().await.unwrap();
    assert!(!form.contains("Amber Heron") && !form.contains("ana@example.org"));
    assert!(form.contains("has not yet been validated"), "the project's own check is labelled");
    assert!(form.contains("Little interest or pleasure in doing things"), "PHQ-9 asked with the check");
    let mut fields = complete_answers("2", "1");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let done = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(done.status(), 200);
    let done = done.text().await.unwrap();
    assert!(done.contains("Thank you"));
    assert!(done.contains("emergency"), "item 9 above zero shows safety information");

    // Stored exactly as answered: PHQ-9 = 8 items x 2 + item 9 = 17, relationship alliance = 6 x 4 = 24.
    let stored = app.store.responses_of(ClientId(client)).await.unwrap();
    let phq = stored.iter().find(|r| r.instrument.id == "phq9").unwrap();
    assert_eq!(phq.scores.iter().find(|s| s.scale == "total").unwrap().value, Some(17.0));
    assert_eq!(phq.flags.risks.len(), 1);
    let check = stored.iter().find(|r| r.instrument.id == "relationship-check").unwrap();
    assert_eq!(check.scores.iter().find(|s| s.scale == "alliance").unwrap().value, Some(24.0));
    assert_eq!(check.scores.iter().find(|s| s.scale == "conditions").unwrap().value, Some(15.0));
    assert!(check.flags.has("rupture-reported") && check.flags.has("withdrawal"));
    let gad = stored.iter().find(|r| r.instrument.id == "gad7").unwrap();
    assert_eq!(gad.scores[0].value, Some(7.0));

    // Used once: a second submission is refused and the page says so.
    let again = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(again.status(), 409);
    let again = again.text().await.unwrap();
    assert!(again.contains("Already answered"));
    // These answers mention thoughts of self-harm: the crisis information again, and no claim that they were
    // not sent (a resend after a lost reply is refused the same way although the first send was stored).
    assert!(again.contains("emergency") && again.contains("If you sent these answers a moment ago, they have arrived"));
    assert!(!again.contains("could not be sent"));
    let reopened = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(reopened.contains("Already answered"));
    assert_eq!(app.store.responses_of(ClientId(client)).await.unwrap().len(), 3);
    let (status, _, _) = me.post(&format!("/sessions/{session}/links"), &[]).await;
    assert_eq!(status, 400, "an answered session takes no second link");

    // The therapist's caseload: risk first, with the rupture that was not talked through.
    let (_, caseload) = me.get("/").await;
    assert!(caseload.contains("Amber Heron"));
    // Both outcome measures side by side (issue 12, item 4): PHQ-9 17 and GAD-7 7.
    assert!(caseload.contains("PHQ-9 17") && caseload.contains("GAD-7 7"), "both outcome measures on the caseload");
    assert!(caseload.contains("Risk ·"), "{caseload}");
    assert!(caseload.contains("Rupture ·"), "{caseload}");
    let (status, page) = me.get(&format!("/clients/{client}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("PHQ-9 17 (moderately severe)"));
    assert!(page.contains("Working alliance by session"));
    assert!(page.contains(r#"role="img""#) && page.contains("<title"));
    let (_, session_page) = me.get(&format!("/sessions/{session}")).await;
    assert!(session_page.contains("Answered by the client."));
    assert!(session_page.contains("I pulled back or went quiet"), "item-level answers are shown");
    // Issue 13: each questionnaire's score with its severity, and item 9 marked when endorsed.
    assert!(session_page.contains("<dd>17 · moderately severe</dd>"), "PHQ-9 total and severity");
    assert!(session_page.contains("<dd>7 · mild</dd>"), "GAD-7 total and severity");
    assert_eq!(session_page.matches(r#"class="risk-item""#).count(), 1, "item 9, and only item 9, highlighted");
    assert!(session_page.contains("Risk item endorsed"));
    assert!(!session_page.contains("Working alliance: client and therapist"), "no reflection yet: no comparison");

    // The therapist's reflection, with feelings towards the client.
    let (_, reflection) = me.get(&format!("/sessions/{session}/reflection")).await;
    assert!(reflection.contains("Which feelings towards the client"));
    let mut answers: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    answers.extend([
        ("rupture", "yes"),
        ("rupture-kind", "withdrawal"),
        ("rupture-repaired", "partly"),
        ("feelings", "protective"),
        ("feelings", "helpless"),
        ("feelings-intensity", "3"),
        ("supervision", "yes"),
        ("note", "Client went quiet when I mentioned the exercise."),
    ]);
    let (status, url, _) = me.post(&format!("/sessions/{session}/reflection"), &answers).await;
    assert_eq!((status, url.as_str()), (200, format!("/sessions/{session}").as_str()));
    let stored = app.store.responses_of(ClientId(client)).await.unwrap();
    let mine = stored.iter().find(|r| r.rater == Rater::Therapist).unwrap();
    assert_eq!(mine.scores.iter().find(|s| s.scale == "alliance").unwrap().value, Some(30.0));
    assert!(mine.flags.has("supervision"));
    // The two alliance ratings of the session side by side, scale by scale: client 24, therapist 30.
    let (_, session_page) = me.get(&format!("/sessions/{session}")).await;
    let side = session_page.split("Working alliance: client and therapist").nth(1).expect("the comparison table");
    assert!(side.contains("<td>24</td><td>30</td>"), "{}", &side[..side.len().min(600)]);
    // Therapist 30 against client 24: the discrepancy shows on the caseload.
    let (_, caseload) = me.get("/").await;
    assert!(caseload.contains("Views differ"), "{caseload}");

    // Acknowledging records who and when; the discrepancy leaves the caseload line, and so does risk once a person
    // has acknowledged it (later answers never close it: docs/TRIAGE.md#lifecycle).
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(page.contains("The default rule applies"), "the interface says where the expected course comes from");
    assert!(page.contains("What to do"));
    let key_of = |kind: &str| {
        page.split(r#"name="signal" value=""#)
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_owned())
            .find(|key| key.contains(kind))
            .unwrap_or_else(|| panic!("no {kind} signal to acknowledge"))
    };
    let (discrepancy, risk) = (key_of(":discrepancy:"), key_of(":risk:"));
    let (status, _, page) =
        me.post(&format!("/clients/{client}/acknowledgements"), &[("signal", discrepancy.as_str())]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Acknowledged by ana on"), "who acknowledged it is shown");
    let (status, _, _) = me
        .post(
            &format!("/clients/{client}/acknowledgements"),
            &[("signal", risk.as_str()), ("action", "contacted-client"), ("acted_at", "2020-01-01T09:30")],
        )
        .await;
    assert_eq!(status, 200, "risk is acknowledged with the action taken");
    let (_, caseload) = me.get("/").await;
    assert!(!caseload.contains("Views differ"), "acknowledged signals stop pushing the client up");
    assert!(!caseload.contains("Risk ·"), "acknowledged risk leaves the caseload line: {caseload}");
    let (status, _, _) = me.post(&format!("/clients/{client}/acknowledgements"), &[("signal", "made-up:9")]).await;
    assert_eq!(status, 400);
    assert_eq!(app.store.acknowledgements(&[ClientId(client)]).await.unwrap().len(), 2);

    // Every access to the record was audited, with no clinical content in the log.
    let audit = app.store.audit_events(200).await.unwrap();
    for action in ["sign-in", "create", "read", "client-submitted", "write", "list", "acknowledge"] {
        assert!(audit.iter().any(|e| e.action == action), "{action} audited");
    }
}

#[tokio::test]
async fn links_expire_and_a_new_link_retires_the_old_one() {
    let app = TestApp::spawn().await;
    app.user("bo@example.org", Role::Therapist).await;
    let (me, _, session, token) = client_with_link(&app, "bo@example.org", "Birch Otter").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&form, "csrf");

    let (_, _, page) = me.post(&format!("/sessions/{session}/links"), &[]).await;
    let newer = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let old = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap();
    assert_eq!(old.status(), 410, "the first link no longer works");

    app.advance(73 * 3600);
    let expired = phone.get(format!("{}/c/{newer}", app.url)).send().await.unwrap();
    assert_eq!(expired.status(), 410);
    assert!(expired.text().await.unwrap().contains("This link has expired"));
    let mut fields = complete_answers("1", "0");
    fields.push(("csrf".into(), csrf));
    let late = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(late.status(), 410);
    assert!(!late.text().await.unwrap().contains("emergency"));
    // Answers that mention thoughts of self-harm get the crisis information even when the link has expired.
    let mut risky = complete_answers("1", "2");
    risky.push(("csrf".into(), hidden(&form, "csrf")));
    let late = phone.post(format!("{}/c/{token}", app.url)).form(&risky).send().await.unwrap();
    assert_eq!(late.status(), 410);
    assert!(late.text().await.unwrap().contains("emergency"));
}

#[tokio::test]
async fn refreshing_the_page_after_making_a_link_shows_the_same_link_and_makes_no_new_one() {
    let app = TestApp::spawn().await;
    app.user("bo@example.org", Role::Therapist).await;
    let (me, _, session, token) = client_with_link(&app, "bo@example.org", "Birch Otter").await;
    // The page the post redirected to is a plain GET: loading it again shows the same link.
    let (_, again) = me.get(&format!("/sessions/{session}")).await;
    assert!(again.contains(&format!("/c/{token}")), "the refreshed page shows the link made");
    assert_eq!(app.store.links_for_session(SessionId(session)).await.unwrap().len(), 1, "no second link");
    let phone = TestApp::browser();
    assert_eq!(phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().status(), 200, "still open");

    // Once the link is replaced, answered or its two hours have passed, the page no longer shows it.
    app.advance(2 * 3600 + 60);
    let (_, later) = me.get(&format!("/sessions/{session}")).await;
    assert!(!later.contains(&format!("/c/{token}")), "a kept link is shown for two hours only");
}

#[tokio::test]
async fn the_same_link_submitted_at_once_is_accepted_once() {
    let app = TestApp::spawn().await;
    app.user("cy@example.org", Role::Therapist).await;
    let (_, client, _, token) = client_with_link(&app, "cy@example.org", "Cedar Finch").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let send = || phone.post(format!("{}/c/{token}", app.url)).form(&fields).send();
    let results = tokio::join!(send(), send(), send(), send());
    let statuses = [results.0, results.1, results.2, results.3].map(|r| r.unwrap().status().as_u16());
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    assert_eq!(app.store.responses_of(ClientId(client)).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_new_episode_of_care_starts_with_a_clean_slate() {
    let app = TestApp::spawn().await;
    app.user("ny@example.org", Role::Therapist).await;
    let (me, client, _, token) = client_with_link(&app, "ny@example.org", "Linen Vole").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "1");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);
    let (_, caseload) = me.get("/").await;
    assert!(caseload.contains("Risk ·"));

    let (status, _, _) =
        me.post(&format!("/clients/{client}/episodes"), &[("started_on", "2027-01-04"), ("measure", "phq9")]).await;
    assert_eq!(status, 200);
    let (_, caseload) = me.get("/").await;
    assert!(!caseload.contains("Risk ·") && caseload.contains("No outcome yet"), "{caseload}");
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(
        page.contains("Since 4 Jan 2027; 0 sessions.") && !page.contains("PHQ-9 17"),
        "the old episode stays behind"
    );
    let episodes = app.store.episodes(ClientId(client)).await.unwrap();
    assert_eq!(episodes[0].ended_on.map(|d| d.to_string()), Some("2027-01-04".into()));
}

/// Ending an episode of care (discharge): only the client's therapist, not in the future, once; afterwards the
/// page offers a new episode instead of recording sessions, and the ending is audited.
#[tokio::test]
async fn a_therapist_ends_an_episode_of_care() {
    let app = TestApp::spawn().await;
    let owner = app.user("end@example.org", alliance_core::domain::Role::Therapist).await;
    let sup = app.user("endsup@example.org", alliance_core::domain::Role::Supervisor).await;
    app.supervise(sup, owner).await;
    let (me, client, _, _) = crate::app::client_with_link(&app, "end@example.org", "Rowan Oak").await;
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = crate::app::number_after(&page, "action=\"/episodes/");
    let end = format!("/episodes/{episode}/end");
    assert!(page.contains(&format!("action=\"{end}\"")));

    let supervisor = app.sign_in("endsup@example.org").await;
    assert_eq!(supervisor.post(&end, &[("ended_on", "2026-11-28")]).await.0, 403, "supervisors read only");
    assert_eq!(me.post(&end, &[("ended_on", "2999-01-01")]).await.0, 400, "not in the future");
    assert_eq!(me.post(&end, &[("ended_on", "2026-10-01")]).await.0, 400, "not before it began");
    assert_eq!(me.post(&end, &[("ended_on", "yesterday")]).await.0, 400);
    let (status, url, page) = me.post(&end, &[("ended_on", "2026-11-28")]).await;
    assert_eq!((status, url), (200, format!("/clients/{client}")));
    assert!(!page.contains(&format!("action=\"{end}\"")) && page.contains("Open an episode of care"));
    assert_eq!(me.post(&end, &[("ended_on", "2026-11-28")]).await.0, 400, "once");
    let audit = app.store.audit_events(1000).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "end" && e.object_kind == "episode").count(), 1);
}

#[tokio::test]
async fn a_form_refused_for_a_missing_answer_still_shows_the_crisis_text_when_item9_is_above_zero() {
    // docs/SCIENCE.md#risk: the crisis information is shown wherever answers mention thoughts of death or self-harm,
    // also when the form goes back to the client to fix a missing answer.
    let app = TestApp::spawn().await;
    app.user("ivy@example.org", Role::Therapist).await;
    let (_, _, _, token) = client_with_link(&app, "ivy@example.org", "Ivy Reed").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let send = |item9: &'static str| {
        let mut fields = complete_answers("2", item9);
        fields.retain(|(name, _)| name != "phq9.3");
        fields.push(("csrf".into(), hidden(&form, "csrf")));
        fields
    };
    let refused = phone.post(format!("{}/c/{token}", app.url)).form(&send("1")).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("Some answers are missing"), "the form comes back to be fixed");
    assert!(refused.contains("emergency"), "item 9 above zero shows the crisis information on the refused form");
    let calm = phone.post(format!("{}/c/{token}", app.url)).form(&send("0")).send().await.unwrap();
    assert_eq!(calm.status(), 422);
    assert!(!calm.text().await.unwrap().contains("emergency"));
}

#[tokio::test]
async fn answers_that_cannot_be_stored_for_an_outage_still_show_the_crisis_text() {
    // docs/SCIENCE.md#risk: when the database cannot take the answers (503), item 9 above zero still shows the
    // crisis information. SQLite only: another connection holds the write lock until the app gives up.
    let app = TestApp::spawn().await;
    if app.postgres_url().is_some() {
        eprintln!("runs on SQLite only");
        return;
    }
    app.user("lee@example.org", Role::Therapist).await;
    let (_, _, _, token) = client_with_link(&app, "lee@example.org", "Lee Moor").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "2");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let lock = app.hold_write_lock().await;
    let refused = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    drop(lock);
    assert_eq!(refused.status(), 503);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("emergency"), "{refused}");
    assert!(refused.contains("could not be sent"));
}
