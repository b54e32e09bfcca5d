//! The client as a partner (issue 16), through the web as a therapist and a client meet it: goals agreed in
//! session and rated at each check, a task reported on at the next check, the client's own page behind a
//! personal link (with and without their relationship ratings), a goal the client proposes, and the refusals.

use alliance_core::domain::Role;
use alliance_store::{ClientId, EpisodeId};

use crate::app::{Session, TestApp, client_with_link, complete_answers, hidden, number_after};

/// The check's form for a token, and its anti-forgery token.
pub async fn open_check(app: &TestApp, token: &str) -> (reqwest::Client, String) {
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    (phone, form)
}

pub async fn send_check(
    app: &TestApp,
    phone: &reqwest::Client,
    token: &str,
    form: &str,
    extra: &[(&str, &str)],
) -> (u16, String) {
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(form, "csrf")));
    fields.extend(extra.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
    let r = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Records the next session of the client's episode and makes its link; returns the link's token.
pub async fn next_session_link(me: &Session, client: i64, held_on: &str) -> (i64, String) {
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let (status, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", held_on), ("attended", "yes")]).await;
    assert_eq!(status, 200);
    let session: i64 = url.trim_start_matches("/sessions/").parse().unwrap();
    let (_, _, page) = me.post(&format!("/sessions/{session}/links"), &[]).await;
    (session, page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned())
}

pub fn personal_link(client_page: &str) -> String {
    let marker = "id=\"own-page-link\">";
    let start = client_page.find(marker).unwrap() + marker.len();
    client_page[start..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn goals_tasks_and_the_clients_own_page() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (me, client, first_session, token) = client_with_link(&app, "ana@example.org", "Amber Heron").await;

    // Agreed in the first session: two goals and a task for until the next.
    for goal in ["To sleep through the night", "To go back to work"] {
        let (status, url, _) = me.post(&format!("/clients/{client}/goals"), &[("text", goal)]).await;
        assert_eq!((status, url.as_str()), (200, format!("/clients/{client}").as_str()));
    }
    let (status, _, _) =
        me.post(&format!("/sessions/{first_session}/tasks"), &[("text", "Walk twice before work")]).await;
    assert_eq!(status, 200);

    // The first check rates the goals; the task was agreed in this very session, so it is not asked yet.
    let (phone, form) = open_check(&app, &token).await;
    assert!(form.contains("Your goals") && form.contains("To sleep through the night"));
    assert!(!form.contains("Walk twice before work"), "a task is asked at the next session's check");
    let sleep = number_after(&form, "name=\"goal-");
    let work = number_after(&form[form.find("To go back to work").unwrap()..], "name=\"goal-");
    let (sleep_field, work_field) = (format!("goal-{sleep}"), format!("goal-{work}"));
    // A missing rating: the form again, marked, with the answers kept; nothing stored.
    let (status, again) = send_check(&app, &phone, &token, &form, &[(&sleep_field, "3")]).await;
    assert_eq!(status, 422);
    assert!(
        again.contains(&format!("id=\"q-{work_field}\"")) && again.contains("Please choose a number from 0 to 10.")
    );
    assert!(again.contains(&format!("name=\"{sleep_field}\" value=\"3\" checked")), "the given rating is kept");
    for bad in ["11", "-1", "2.5", "x"] {
        let (status, _) = send_check(&app, &phone, &token, &form, &[(&sleep_field, "3"), (&work_field, bad)]).await;
        assert_eq!(status, 422, "{bad}");
    }
    let (status, _) =
        send_check(&app, &phone, &token, &form, &[(&sleep_field, "3"), (&work_field, "4"), ("goal-999999", "5")]).await;
    assert_eq!(status, 400, "a goal this check does not ask about");
    assert!(app.store.responses_of(ClientId(client)).await.unwrap().is_empty(), "nothing stored so far");
    let (status, done) = send_check(&app, &phone, &token, &form, &[(&sleep_field, "3"), (&work_field, "4")]).await;
    assert_eq!(status, 200);
    assert!(done.contains("Thank you") && !done.contains("/my/"), "no personal page given yet");

    // The therapist gives the client a personal page; the next check reports on the task and links to the page.
    let (status, _, _) = me.post(&format!("/clients/{client}/own-page"), &[("action", "issue")]).await;
    assert_eq!(status, 200);
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let own = personal_link(&page);
    let (_, second) = next_session_link(&me, client, "2026-12-05").await;
    let (phone, form) = open_check(&app, &second).await;
    assert!(form.contains("Walk twice before work") && form.contains("What got in the way"));
    assert!(form.contains(&format!("<a href=\"{own}\">Your page")), "every check leads to the client's page");
    let task = number_after(&form, "name=\"task-");
    let (task_field, obstacle_field) = (format!("task-{task}"), format!("task-{task}-obstacle"));
    let long = "x".repeat(501);
    let (status, _) =
        send_check(&app, &phone, &second, &form, &[(&sleep_field, "6"), (&work_field, "4"), (&task_field, "maybe")])
            .await;
    assert_eq!(status, 422);
    let fields = [
        (&sleep_field[..], "6"),
        (&work_field[..], "4"),
        (&task_field[..], "partly"),
        (&obstacle_field[..], &long[..]),
    ];
    assert_eq!(send_check(&app, &phone, &second, &form, &fields).await.0, 422, "an over-long obstacle");
    let fields = [
        (&sleep_field[..], "6"),
        (&work_field[..], "4"),
        (&task_field[..], "partly"),
        (&obstacle_field[..], "Rain <b>all</b> week"),
    ];
    let (status, done) = send_check(&app, &phone, &second, &form, &fields).await;
    assert_eq!(status, 200);
    assert!(done.contains(&own), "the thank-you page leads to the client's own page");

    // The therapist sees ratings over time, the report and the completion rate.
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(page.contains("3 at session 1, now 6 at session 2"), "{page}");
    assert!(page.contains("done in part; in the way: \u{201c}Rain &#60;b&#62;all&#60;/b&#62; week\u{201d}"));
    assert!(!page.contains("<b>all"), "the client's words are escaped");
    assert!(page.contains("0 of 1 tasks reported on were done (50% counting a task done in part as half)."));
    assert!(page.contains("chart-goals"));
    let (_, patterns) = me.get("/patterns").await;
    let tasks = &patterns[patterns.find("Between-session tasks done").unwrap()..];
    assert!(tasks[..300].contains("50 %") && tasks.contains("Of 1 tasks agreed"), "the completion joins the patterns");

    // The client's page, without an account: goals, outcome in plain words, relationship ratings, tasks.
    let visitor = TestApp::browser();
    let mine = visitor.get(&own).send().await.unwrap();
    assert_eq!(mine.status(), 200);
    let mine = mine.text().await.unwrap();
    assert!(
        mine.contains("To sleep through the night") && mine.contains("Your latest rating: 6 of 10 (3 at the start)")
    );
    assert!(mine.contains("Your PHQ-9 went from 16 to 16: not a reliable change yet."), "{mine}");
    assert!(mine.contains("How the sessions went for you") && mine.contains("chart-own-alliance"));
    assert!(mine.contains("Walk twice before work: you did part of it"));
    for staff_only in ["Amber Heron", "Expected", "At risk", "reflection", "Rupture", "rupture"] {
        assert!(!mine.contains(staff_only), "the client's page shows no {staff_only}");
    }
    let printed = visitor.get(format!("{own}/print")).send().await.unwrap().text().await.unwrap();
    assert!(printed.contains("print-view") && !printed.contains("Suggest this goal"));

    // With their relationship ratings hidden, no trace of them.
    me.post(&format!("/clients/{client}/own-page"), &[("action", "hide-alliance")]).await;
    let hidden_page = visitor.get(&own).send().await.unwrap().text().await.unwrap();
    assert!(!hidden_page.contains("How the sessions went") && !hidden_page.contains("chart-own-alliance"));
    assert!(!hidden_page.contains("Your rating") && !hidden_page.contains("You</"), "no relationship rating anywhere");

    // The client proposes a third goal; a fourth is refused with the reason; the therapist agrees the third.
    let csrf = hidden(&hidden_page, "csrf");
    let r = visitor
        .post(format!("{own}/goals"))
        .form(&[("csrf", csrf.as_str()), ("text", "To see friends")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Waiting to be talked through with your therapist"));
    let r = visitor
        .post(format!("{own}/goals"))
        .form(&[("csrf", csrf.as_str()), ("text", "A fourth")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a fourth open goal is refused");
    assert!(r.text().await.unwrap().contains("You already have three goals"));
    let forged = visitor.post(format!("{own}/goals")).form(&[("csrf", "forged"), ("text", "x")]).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    let episode = EpisodeId(number_after(&me.get(&format!("/clients/{client}")).await.1, "action=\"/episodes/"));
    let goals = app.store.goals_of(&[episode]).await.unwrap();
    assert_eq!(goals.len(), 3, "the fourth and the forged one stored nothing");
    let proposed = goals.iter().find(|g| g.text == "To see friends").unwrap();
    let (status, _, _) = me
        .post(&format!("/clients/{client}/goals/change"), &[("goal", &proposed.id.to_string()), ("change", "agree")])
        .await;
    assert_eq!(status, 200);

    // Reissued, the earlier link stops working; turned off, so does the new one.
    me.post(&format!("/clients/{client}/own-page"), &[("action", "issue")]).await;
    assert_eq!(visitor.get(&own).send().await.unwrap().status(), 404);
    let newer = personal_link(&me.get(&format!("/clients/{client}")).await.1);
    assert_eq!(visitor.get(&newer).send().await.unwrap().status(), 200);
    me.post(&format!("/clients/{client}/own-page"), &[("action", "revoke")]).await;
    let gone = visitor.get(&newer).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert!(gone.text().await.unwrap().contains("ask your therapist for your current link"));
    // A check link is not a personal link.
    assert_eq!(visitor.get(format!("{}/my/{second}", app.url)).send().await.unwrap().status(), 404);

    // The client's export carries their goals with ratings and history, their tasks and the event notes.
    let (status, _, _) = me
        .post(&format!("/clients/{client}/notes"), &[("on", "2026-12-01"), ("kind", "break"), ("text", "Holiday")])
        .await;
    assert_eq!(status, 200);
    let r = me
        .browser
        .post(format!("{}/clients/{client}/export", me.url))
        .form(&[("csrf", me.csrf.as_str()), ("format", "json"), ("password", crate::app::PASSWORD)])
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let episode = &json["episodes"][0];
    let sleep_goal =
        episode["goals"].as_array().unwrap().iter().find(|g| g["text"] == "To sleep through the night").unwrap();
    assert_eq!(sleep_goal["ratings"], serde_json::json!([[1, 3], [2, 6]]));
    assert_eq!(sleep_goal["history"][0][1], "agreed");
    assert_eq!(episode["tasks"][0]["done"], "partly");
    assert_eq!(episode["tasks"][0]["obstacle"], "Rain <b>all</b> week");
    assert_eq!(
        json["event_notes"],
        serde_json::json!([{"on": "2026-12-01", "kind": "Break in therapy", "text": "Holiday"}])
    );

    // Every view of the page and every change of it is audited.
    let events = app.store.audit_events(10_000).await.unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action && e.object_id == Some(client)).count();
    assert!(count("client-viewed-own-page") >= 4 && count("client-printed-own-page") == 1);
    assert_eq!((count("issue-link"), count("revoke-link"), count("hide-alliance")), (2, 1, 1));
}

#[tokio::test]
async fn the_therapists_partnership_forms_refuse_bad_input_and_other_clients() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("ben@example.org", Role::Therapist).await;
    let (me, client, session, _) = client_with_link(&app, "ana@example.org", "Amber Heron").await;
    let (ben, bens_client, _, _) = client_with_link(&app, "ben@example.org", "Birch Wren").await;

    let goals = format!("/clients/{client}/goals");
    for (text, says) in [
        ("", "The goal: goal is required."),
        (&"x".repeat(201)[..], "longer than 200 characters"),
        ("sleep\u{202e}peels", "characters that are not allowed"),
    ] {
        let (status, _, body) = me.post(&goals, &[("text", text)]).await;
        assert_eq!(status, 400, "{text:.20}");
        assert!(body.contains(says), "{body}");
    }
    for n in 1..=3 {
        assert_eq!(me.post(&goals, &[("text", &format!("Goal {n}"))]).await.0, 200);
    }
    let (status, _, body) = me.post(&goals, &[("text", "Goal 4")]).await;
    assert_eq!(status, 400);
    assert!(body.contains("at most three open goals"));

    // Another therapist's client, and another client's goal through one's own client: not found.
    let (status, _, _) = ben.post(&goals, &[("text", "Theirs")]).await;
    assert_eq!(status, 404);
    let episode = EpisodeId(number_after(&me.get(&format!("/clients/{client}")).await.1, "action=\"/episodes/"));
    let mine = app.store.goals_of(&[episode]).await.unwrap();
    let (status, _, _) = ben
        .post(&format!("/clients/{bens_client}/goals/change"), &[("goal", &mine[0].id.to_string()), ("change", "drop")])
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = me
        .post(&format!("/clients/{client}/goals/change"), &[("goal", &mine[0].id.to_string()), ("change", "explode")])
        .await;
    assert_eq!(status, 400);
    let (status, _, _) = me
        .post(
            &format!("/clients/{client}/goals/change"),
            &[("goal", &mine[0].id.to_string()), ("change", "revise"), ("text", "")],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(app.store.goal_history(&[episode]).await.unwrap().len(), 3, "nothing changed");

    let (status, _, _) = me.post(&format!("/sessions/{session}/tasks"), &[("text", &"t".repeat(301))]).await;
    assert_eq!(status, 400);
    let notes = format!("/clients/{client}/notes");
    for fields in [
        [("on", "2026-11-20"), ("kind", "horoscope"), ("text", "x")],
        [("on", "not a date"), ("kind", "other"), ("text", "x")],
        [("on", "2026-11-20"), ("kind", "other"), ("text", "")],
    ] {
        assert_eq!(me.post(&notes, &fields).await.0, 400, "{fields:?}");
    }
    let (status, _, page) =
        me.post(&notes, &[("on", "2026-11-20"), ("kind", "medication"), ("text", "<script>x</script> 50 mg")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Medication change: &#60;script&#62;x&#60;/script&#62; 50 mg"));
    assert!(!page.contains("<script>x"));
    let (status, _, _) = me.post(&format!("/clients/{client}/own-page"), &[("action", "publish-everything")]).await;
    assert_eq!(status, 400);
    assert_eq!(app.store.event_notes(&[ClientId(client)]).await.unwrap().len(), 1);
}

#[tokio::test]
async fn consent_is_asked_once_and_the_client_can_stop_being_asked() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    app.supervise(sue, ana).await;
    let (me, client, _, token) = client_with_link(&app, "ana@example.org", "Amber Heron").await;

    // The first check: the text in full, naming the supervisor; the research question is opt-in.
    let (phone, form) = open_check(&app, &token).await;
    assert!(
        form.contains("About your answers: please read this first") && form.contains("<details class=\"about\" open")
    );
    assert!(
        form.contains("and their clinical supervisor") && form.contains("As long as the practice keeps your record")
    );
    assert!(form.contains("name=\"consent-research\" value=\"no\" checked"), "no is the default");
    let (status, _) = send_check(&app, &phone, &token, &form, &[("consent-research", "perhaps")]).await;
    assert_eq!(status, 422);
    assert!(app.store.consents_of(&[ClientId(client)]).await.unwrap().is_empty(), "nothing stored");
    let (status, _) = send_check(&app, &phone, &token, &form, &[]).await;
    assert_eq!(status, 200);
    let consents = app.store.consents_of(&[ClientId(client)]).await.unwrap();
    assert_eq!(consents.iter().map(|c| (c.version, c.research)).collect::<Vec<_>>(), vec![(1, false)]);
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(page.contains("(text version 1); research use of their answers: no."));

    // The next check keeps the text one tap away, closed.
    let (_, second) = next_session_link(&me, client, "2026-12-05").await;
    let (phone, form) = open_check(&app, &second).await;
    assert!(form.contains("<details class=\"about\" id=\"about\">") && !form.contains("please read this first"));

    // "Stop asking me" from the link: no new link; the therapist sees why; the client can undo it.
    let forged = phone.post(format!("{}/c/{second}/stop", app.url)).form(&[("csrf", "forged")]).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    let unknown =
        phone.post(format!("{}/c/{}/stop", app.url, "A".repeat(43))).form(&[("csrf", "x")]).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let csrf = hidden(&form, "csrf");
    let stopped =
        phone.post(format!("{}/c/{second}/stop", app.url)).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(stopped.status(), 200);
    let stopped = stopped.text().await.unwrap();
    assert!(stopped.contains("You will not be asked again") && stopped.contains("Start being asked again"));
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(page.contains("id=\"stopped-asking\"") && page.contains("not to be asked for checks"));
    assert!(page.contains("Asked not to be asked"), "a signal on the client's page");
    let (_, caseload) = me.get("/").await;
    assert!(caseload.contains("Not asked"), "and on the caseload line");
    let session = number_after(&page, "href=\"/sessions/");
    let (status, _, body) = me.post(&format!("/sessions/{session}/links"), &[]).await;
    assert_eq!(status, 400);
    assert!(body.contains("The client asked not to be asked for checks"));
    let resumed =
        phone.post(format!("{}/c/{second}/resume", app.url)).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(resumed.status(), 200);
    assert!(app.store.stopped_asking(&[ClientId(client)]).await.unwrap().is_empty());

    // From their own page: change the research answer, stop and start again, download their answers.
    me.post(&format!("/clients/{client}/own-page"), &[("action", "issue")]).await;
    let own = personal_link(&me.get(&format!("/clients/{client}")).await.1);
    let visitor = TestApp::browser();
    let mine = visitor.get(&own).send().await.unwrap().text().await.unwrap();
    assert!(mine.contains("you did not agree") && mine.contains("Stop asking me"));
    let csrf = hidden(&mine, "csrf");
    let agreed = visitor
        .post(format!("{own}/research"))
        .form(&[("csrf", csrf.as_str()), ("research", "yes")])
        .send()
        .await
        .unwrap();
    assert!(agreed.text().await.unwrap().contains("you agreed"));
    let bad = visitor
        .post(format!("{own}/research"))
        .form(&[("csrf", csrf.as_str()), ("research", "always")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(app.store.consents_of(&[ClientId(client)]).await.unwrap().last().map(|c| c.research), Some(true));
    visitor.post(format!("{own}/stop")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    let mine = visitor.get(&own).send().await.unwrap().text().await.unwrap();
    assert!(mine.contains("You asked not to be asked after your sessions."));
    visitor.post(format!("{own}/resume")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    let download = visitor.get(format!("{own}/answers")).send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let body = download.text().await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        json["episodes"][0]["sessions"][0]["answers"].as_array().unwrap().len(),
        3,
        "their three questionnaires"
    );
    assert!(!body.contains("Amber Heron"), "not the name the practice knows them by");

    let events = app.store.audit_events(10_000).await.unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action && e.object_id == Some(client)).count();
    assert_eq!((count("client-stopped-asking"), count("client-resumed-asking"), count("client-consented")), (2, 2, 1));
    assert_eq!(count("client-downloaded-own-answers"), 1);
}

#[tokio::test]
async fn a_check_asks_what_the_schedule_says_is_due_and_the_therapist_may_change_one_session() {
    let app = TestApp::spawn_with(|config| {
        config.measure_schedule = alliance_core::schedule::Schedule::parse("phq9=every:2, gad7=first-last").unwrap();
    })
    .await;
    app.user("ana@example.org", Role::Therapist).await;
    let (me, client, first, token) = client_with_link(&app, "ana@example.org", "Amber Heron").await;
    let asked = |form: &str| -> Vec<&'static str> {
        ["relationship-check.", "phq9.", "gad7."]
            .into_iter()
            .filter(|p| form.contains(&format!("name=\"{p}")))
            .collect()
    };
    // Session 1: everything is due.
    let (_, form) = open_check(&app, &token).await;
    assert_eq!(asked(&form), ["relationship-check.", "phq9.", "gad7."]);
    let (_, page) = me.get(&format!("/sessions/{first}")).await;
    assert!(page.contains("Asks: Check, PHQ-9, GAD-7."), "{page}");

    // Session 2: only the relationship check is due; the session page says so and ticks it alone.
    let (second, token) = next_session_link(&me, client, "2026-12-05").await;
    let (_, form) = open_check(&app, &token).await;
    assert_eq!(asked(&form), ["relationship-check."]);
    assert!(form.contains("10 short questions"), "the count on the form follows what is asked");
    // A session without a link yet: its form lists every measure, the due ones ticked.
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let (_, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-12-06"), ("attended", "yes")]).await;
    let (_, page) = me.get(&url).await;
    assert!(
        page.contains("value=\"phq9\" checked><span>PHQ-9 <span class=\"fine\">(every second session: due)"),
        "{page}"
    );
    assert!(page.contains("value=\"gad7\"><span>GAD-7 <span class=\"fine\">(the first and the last session)"));

    // The therapist adds the GAD-7 for this session only (its last, say); the link asks exactly that.
    let choose = [("choose", "1"), ("measure", "relationship-check"), ("measure", "gad7")];
    let (status, _, page) = me.post(&format!("/sessions/{second}/links"), &choose).await;
    assert_eq!(status, 200);
    let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let (_, form) = open_check(&app, &token).await;
    assert_eq!(asked(&form), ["relationship-check.", "gad7."]);
    for bad in [
        &[("choose", "1")][..],
        &[("choose", "1"), ("measure", "wai-sr")][..],
        &[("choose", "1"), ("measure", "../x")][..],
    ] {
        let (status, _, _) = me.post(&format!("/sessions/{second}/links"), bad).await;
        assert_eq!(status, 400, "{bad:?}");
    }

    // The episode's own schedule: the PHQ-9 at every session from now on.
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let (status, _, _) = me.post(&format!("/episodes/{episode}/schedule"), &[("cadence-phq9", "sometimes")]).await;
    assert_eq!(status, 400);
    let (status, _, _) = me.post(&format!("/episodes/{episode}/schedule"), &[("cadence-phq9", "every")]).await;
    assert_eq!(status, 200);
    let (_, token) = next_session_link(&me, client, "2026-12-12").await;
    let (_, form) = open_check(&app, &token).await;
    assert_eq!(asked(&form), ["relationship-check.", "phq9."], "session 4: the PHQ-9 now always; the GAD-7 not");
    let events = app.store.audit_events(10_000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "update" && e.object_kind == "episode-schedule"));
}

#[tokio::test]
async fn a_waiting_room_tablet_opens_a_check_with_a_one_time_code_and_clears_itself() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("admin@example.org", Role::Administrator).await;
    let admin = app.sign_in("admin@example.org").await;
    let (me, client, session, _) = client_with_link(&app, "ana@example.org", "Amber Heron").await;

    // The administrator adds a tablet (the password again); its address is shown once.
    let (status, _, _) = admin.post("/admin/kiosks", &[("name", "Waiting room"), ("password", "wrong")]).await;
    assert_eq!(status, 403);
    let (status, _, page) =
        admin.post("/admin/kiosks", &[("name", "Waiting room"), ("password", crate::app::PASSWORD)]).await;
    assert_eq!(status, 200);
    let address = page.split("id=\"kiosk-address\"").next().unwrap().rsplit("value=\"").next().unwrap();
    let address = address.split('"').next().unwrap().to_owned();
    assert!(address.contains("/kiosk/"), "{address}");
    assert!(!admin.get("/admin/kiosks").await.1.contains(&address), "shown only once");

    // The therapist makes a code for the session; it names nobody and reads unambiguously.
    let (status, _, page) = me.post(&format!("/sessions/{session}/kiosk-code"), &[]).await;
    assert_eq!(status, 200);
    let code = page.split("id=\"kiosk-code\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(code.len() == 7 && code.as_bytes()[3] == b'-', "{code}");
    assert!(code.chars().all(|c| c == '-' || "ACDEFHJKMNPQRTUVWXY34679".contains(c)), "{code}");

    // The client has a personal page: a shared tablet must never lead to it.
    me.post(&format!("/clients/{client}/own-page"), &[("action", "issue")]).await;
    // On the tablet: a wrong code is refused with the reason and audited; the right one opens the check.
    let tablet =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::limited(3)).build().unwrap();
    let home = tablet.get(&address).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let home = home.text().await.unwrap();
    let csrf = hidden(&home, "csrf");
    let token = address.rsplit('/').next().unwrap().to_owned();
    let enter = |typed: String| {
        let tablet = tablet.clone();
        let (url, csrf) = (format!("{}/kiosk/{token}", app.url), csrf.clone());
        async move { tablet.post(url).form(&[("csrf", csrf.as_str()), ("code", typed.as_str())]).send().await.unwrap() }
    };
    let wrong = enter("AAA-AAA".into()).await;
    assert_eq!(wrong.status(), 404);
    assert!(wrong.text().await.unwrap().contains("This code does not work"));
    let opened = enter(code.to_lowercase().replace('-', " ")).await;
    assert_eq!(opened.status(), 200);
    assert!(opened.url().path().starts_with("/c/"), "the check, by its link");
    let link = opened.url().to_string();
    let form = opened.text().await.unwrap();
    assert!(form.contains(&format!("data-kiosk-home=\"/kiosk/{token}\"")), "the form knows it is on a tablet");
    assert!(!form.contains("/my/"), "no way to a client's page on a shared tablet");
    assert!(!form.contains("Amber Heron"));
    assert_eq!(enter(code.clone()).await.status(), 404, "a code works once");

    // Sent: thanks, no way to the client's own page on a shared tablet, and back to the code form by itself.
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let done = tablet.post(&link).form(&fields).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(done.headers()["cache-control"], "no-store");
    let done = done.text().await.unwrap();
    assert!(done.contains(&format!("data-kiosk-return=\"/kiosk/{token}\"")) && !done.contains("/my/"));
    assert!(!done.contains("http-equiv=\"refresh\""), "a timer the page can explain, not a meta refresh");
    let back = tablet.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(back.contains("Already answered") && !back.contains("checked"), "going back shows no answers");

    // A code expires after 15 minutes; a tablet turned off opens nothing.
    let (status, _, _) = me.post(&format!("/sessions/{session}/kiosk-code"), &[]).await;
    assert_eq!(status, 400, "an answered session takes no new code");
    let (second, _) = next_session_link(&me, client, "2026-12-05").await;
    let (_, _, page) = me.post(&format!("/sessions/{second}/kiosk-code"), &[]).await;
    let late = page.split("id=\"kiosk-code\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    app.advance(15 * 60);
    assert_eq!(enter(late).await.status(), 404, "expired");
    let kiosk = app.store.kiosks().await.unwrap()[0].id;
    let (status, _, _) =
        admin.post(&format!("/admin/kiosks/{kiosk}/revoke"), &[("password", crate::app::PASSWORD)]).await;
    assert_eq!(status, 200);
    assert_eq!(tablet.get(&address).send().await.unwrap().status(), 404);

    let events = app.store.audit_events(10_000).await.unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action && e.object_kind == "kiosk").count();
    assert_eq!((count("kiosk-code-used"), count("kiosk-code-failed")), (1, 3));
}

#[tokio::test]
async fn guessing_codes_on_a_tablet_is_slowed_down() {
    let app = TestApp::spawn().await;
    let now = time::OffsetDateTime::now_utc();
    let token = "T".repeat(43);
    let audit = alliance_store::AuditEvent::system(now, "create", "kiosk", "administration");
    app.store.create_kiosk("Waiting room", &alliance_web::hash_token(&token), audit, now).await.unwrap();
    let tablet = TestApp::browser();
    let home = tablet.get(format!("{}/kiosk/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&home, "csrf");
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = tablet.post(format!("{}/kiosk/{token}", app.url)).form(&[("csrf", csrf.as_str()), ("code", "CCCCCC")]);
        statuses.push(r.send().await.unwrap().status().as_u16());
    }
    assert_eq!(&statuses[..5], &[404; 5], "the first failures cost nothing");
    assert!(statuses[5..].contains(&429), "then a growing wait: {statuses:?}");
    let forged = tablet.post(format!("{}/kiosk/{token}", app.url)).form(&[("csrf", "x"), ("code", "CCCCCC")]);
    assert_eq!(forged.send().await.unwrap().status(), 403);
    let unknown = tablet.get(format!("{}/kiosk/{}", app.url, "U".repeat(43))).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn measures_asked_before_the_session_go_to_the_tablet_and_the_rest_to_the_check_after() {
    let app = TestApp::spawn_with(|config| {
        config.measure_schedule =
            alliance_core::schedule::Schedule::parse("phq9=every@before, gad7=every@before").unwrap();
    })
    .await;
    app.user("ana@example.org", Role::Therapist).await;
    let (me, client, session, _) = client_with_link(&app, "ana@example.org", "Amber Heron").await;
    let now = time::OffsetDateTime::now_utc();
    let kiosk_token = "W".repeat(43);
    let audit = alliance_store::AuditEvent::system(now, "create", "kiosk", "administration");
    app.store.create_kiosk("Waiting room", &alliance_web::hash_token(&kiosk_token), audit, now).await.unwrap();
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(page.contains("name=\"before-phq9\" value=\"yes\" checked"), "the schedule form shows the timing");

    // Before the session, on the tablet: the PHQ-9 and GAD-7 only.
    let (_, _, page) = me.post(&format!("/sessions/{session}/kiosk-code"), &[]).await;
    let code = page.split("id=\"kiosk-code\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let tablet = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let home = tablet.get(format!("{}/kiosk/{kiosk_token}", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&home, "csrf");
    let opened = tablet
        .post(format!("{}/kiosk/{kiosk_token}", app.url))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    let link = opened.url().to_string();
    let form = opened.text().await.unwrap();
    assert!(form.contains("name=\"phq9.1\"") && form.contains("name=\"gad7.1\""));
    assert!(!form.contains("name=\"relationship-check."), "the check about the session comes after it");
    let mut fields: Vec<(String, String)> =
        complete_answers("1", "0").into_iter().filter(|(n, _)| !n.starts_with("relationship-check.")).collect();
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(tablet.post(&link).form(&fields).send().await.unwrap().status(), 200);

    // After the session: the link asks what is left, the relationship check.
    let (status, _, page) = me.post(&format!("/sessions/{session}/links"), &[]).await;
    assert_eq!(status, 200);
    let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let (phone, form) = open_check(&app, &token).await;
    assert!(form.contains("name=\"relationship-check.") && !form.contains("name=\"phq9."));
    let mut fields: Vec<(String, String)> =
        complete_answers("1", "0").into_iter().filter(|(n, _)| n.starts_with("relationship-check.")).collect();
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);
    let answered: Vec<String> = app
        .store
        .responses_of(ClientId(client))
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.session.0 == session)
        .map(|r| r.instrument.id)
        .collect();
    assert_eq!(answered.len(), 3, "both checks of the one session are kept: {answered:?}");

    // Everything due is answered: no third link, and a questionnaire answered once is not asked again.
    let (status, _, body) = me.post(&format!("/sessions/{session}/links"), &[]).await;
    assert_eq!(status, 400);
    assert!(body.contains("has answered everything due at this session"));
    let (status, _, _) = me.post(&format!("/sessions/{session}/links"), &[("choose", "1"), ("measure", "phq9")]).await;
    assert_eq!(status, 400, "the PHQ-9 was answered for this session");
}
