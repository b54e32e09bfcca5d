//! Malformed, oversized, out-of-range and cross-site requests get a clear 4xx and store nothing.

use alliance_core::domain::Role;
use alliance_store::ClientId;

use crate::app::{TestApp, client_with_link, complete_answers, hidden};

type Fields = Vec<(String, String)>;

async fn submit(app: &TestApp, token: &str, fields: &[(String, String)]) -> (u16, String) {
    let r = TestApp::browser().post(format!("{}/c/{token}", app.url)).form(fields).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_client_form_refuses_bad_answers_and_keeps_the_good_ones() {
    let app = TestApp::spawn().await;
    app.user("di@example.org", Role::Therapist).await;
    let (_, client, _, token) = client_with_link(&app, "di@example.org", "Dune Wren").await;
    let page = TestApp::browser().get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = ("csrf".to_owned(), hidden(&page, "csrf"));
    let with = |edit: &dyn Fn(&mut Fields)| {
        let mut f = complete_answers("1", "0");
        edit(&mut f);
        f.push(csrf.clone());
        f
    };

    // A required answer missing: 422, the form comes back with the other answers still chosen.
    let (status, body) = submit(&app, &token, &with(&|f| f.retain(|(k, _)| k != "phq9.4"))).await;
    assert_eq!(status, 422);
    assert!(body.contains("Please answer this question."));
    assert!(body.contains(r#"name="phq9.3" value="1" checked"#), "earlier answers kept");
    // A screen reader hears the error with the question: the group points at the message by id.
    assert!(body.contains(r#"aria-describedby="e-phq9.4""#), "the question names its error");
    assert!(body.contains(r#"id="e-phq9.4">Please answer this question."#), "the error has that id");
    assert!(!body.contains(r#"aria-describedby="e-phq9.3""#), "answered questions carry no error");

    // Out of range, not a number, an unknown field, a field sent twice.
    let cases: Vec<(Vec<(String, String)>, u16)> = vec![
        (with(&|f| f.push(("phq9.1".into(), "7".into()))), 422),
        (with(&|f| f.iter_mut().filter(|(k, _)| k == "phq9.1").for_each(|(_, v)| *v = "7".into())), 422),
        (with(&|f| f.iter_mut().filter(|(k, _)| k == "gad7.2").for_each(|(_, v)| *v = "NaN".into())), 422),
        (with(&|f| f.iter_mut().filter(|(k, _)| k == "gad7.2").for_each(|(_, v)| *v = "1e308".into())), 422),
        (with(&|f| f.push(("wai-sr.1".into(), "3".into()))), 400),
        (with(&|f| f.push(("relationship-check.admin".into(), "1".into()))), 400),
        (with(&|f| f.push(("<script>".into(), "x".into()))), 400),
    ];
    for (fields, expected) in cases {
        let (status, _) = submit(&app, &token, &fields).await;
        assert_eq!(status, expected, "{:?}", fields.last());
    }
    // A forged or missing anti-forgery token.
    let mut forged = complete_answers("1", "0");
    forged.push(("csrf".into(), "forged".into()));
    assert_eq!(submit(&app, &token, &forged).await.0, 403);
    assert_eq!(submit(&app, &token, &complete_answers("1", "0")).await.0, 403);
    assert!(app.store.responses_of(ClientId(client)).await.unwrap().is_empty(), "nothing stored");

    // Oversized bodies are refused before they are read.
    let huge = vec![("phq9.1".to_owned(), "1".repeat(100_000)), csrf.clone()];
    assert_eq!(submit(&app, &token, &huge).await.0, 413);
    let r = TestApp::browser()
        .post(format!("{}/c/{token}", app.url))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "only form posts are accepted");

    // Still answerable after all that.
    let (status, _) = submit(&app, &token, &with(&|_| {})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn unknown_and_malformed_tokens_look_the_same() {
    let app = TestApp::spawn().await;
    for token in ["x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "..%2F..%2Fetc%2Fpasswd", &"a".repeat(5000)] {
        let r = TestApp::browser().get(format!("{}/c/{token}", app.url)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{token}");
        assert!(r.text().await.unwrap().contains("This link does not work"));
    }
}

#[tokio::test]
async fn cross_site_posts_and_missing_tokens_are_refused() {
    let app = TestApp::spawn().await;
    app.user("ed@example.org", Role::Therapist).await;
    let me = app.sign_in("ed@example.org").await;
    let evil = me
        .browser
        .post(format!("{}/clients/new", app.url))
        .header("origin", "https://evil.example")
        .form(&[("csrf", me.csrf.as_str()), ("pseudonym", "X"), ("started_on", "2026-11-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    let fetch_meta = me
        .browser
        .post(format!("{}/clients/new", app.url))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", me.csrf.as_str()), ("pseudonym", "X"), ("started_on", "2026-11-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(fetch_meta.status(), 403);
    let (status, _, _) = me.post_raw("/clients/new", &[("pseudonym", "X"), ("started_on", "2026-11-01")]).await;
    assert_eq!(status, 403, "no token");
    let (status, _, _) =
        me.post_raw("/clients/new", &[("csrf", "wrong"), ("pseudonym", "X"), ("started_on", "2026-11-01")]).await;
    assert_eq!(status, 403, "wrong token");
    assert!(
        app.store
            .clients_of(&[app.store.user_by_email("ed@example.org").await.unwrap().unwrap().id])
            .await
            .unwrap()
            .is_empty()
    );

    // Sign-in needs the token from the sign-in page (login CSRF).
    let r = TestApp::browser()
        .post(format!("{}/login", app.url))
        .form(&[("email", "ed@example.org"), ("password", crate::app::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn staff_forms_validate_their_fields() {
    let app = TestApp::spawn().await;
    app.user("fa@example.org", Role::Therapist).await;
    let me = app.sign_in("fa@example.org").await;
    let long = "x".repeat(65);
    for (fields, expected) in [
        (vec![("pseudonym", "   "), ("started_on", "2026-11-01")], 422),
        (vec![("pseudonym", long.as_str()), ("started_on", "2026-11-01")], 422),
        (vec![("pseudonym", "Ok"), ("started_on", "yesterday")], 422),
        (vec![("pseudonym", "Ok"), ("started_on", "2026-11-01"), ("measure", "oq45")], 400),
        (vec![("pseudonym", "Ok"), ("pseudonym", "Twice"), ("started_on", "2026-11-01")], 400),
    ] {
        let (status, _, _) = me.post("/clients/new", &fields).await;
        assert_eq!(status, expected, "{fields:?}");
    }
    // Hostile text is stored as text and shown escaped.
    let (status, url, _) =
        me.post("/clients/new", &[("pseudonym", "<script>alert(1)</script>"), ("started_on", "2026-11-01")]).await;
    assert_eq!(status, 200);
    let (_, page) = me.get(&url).await;
    let shown = page.find("<h1>").map(|i| &page[i..i + 80]).unwrap_or("");
    assert!(shown.contains("&#60;script&#62;alert(1)") && !page.contains("<script>alert(1)"), "{shown}");
    let (_, caseload) = me.get("/").await;
    assert!(!caseload.contains("<script>alert(1)"));

    // A reflection with an out-of-range rating is refused and not stored.
    let (_, _, session, _) = client_with_link(&app, "fa@example.org", "Flint Lark").await;
    let mut fields: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|i| (*i, "9")).collect();
    fields.extend([("rupture", "no"), ("supervision", "no")]);
    let (status, _, body) = me.post(&format!("/sessions/{session}/reflection"), &fields).await;
    assert_eq!(status, 422);
    assert!(body.contains("Please check the form"));
    let note = "n".repeat(5000);
    let (status, _, _) =
        me.post(&format!("/sessions/{session}/reflection"), &[("rupture", "no"), ("note", note.as_str())]).await;
    assert_eq!(status, 422);
    // Issue 14, finding 10: the private note took NUL and control characters that every other field refuses.
    let mut complete: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|i| (*i, "4")).collect();
    complete.extend([("rupture", "no"), ("supervision", "no")]);
    for hostile in ["a\u{0}b", "bell\u{7}", "flip \u{202E}evil", "esc\u{1b}[31m"] {
        let mut fields = complete.clone();
        fields.push(("note", hostile));
        let (status, _, body) = me.post(&format!("/sessions/{session}/reflection"), &fields).await;
        assert_eq!(status, 422, "{hostile:?}");
        assert!(body.contains("not allowed"), "{body}");
    }
    assert!(
        app.store
            .responses_of(alliance_store::ClientId(client_of(&app, session).await))
            .await
            .unwrap()
            .iter()
            .all(|r| r.rater != alliance_store::Rater::Therapist)
    );
    // Line breaks as a browser sends them (CRLF) and tabs are text.
    let mut fields = complete.clone();
    fields.push(("note", "first line\r\n\tsecond line"));
    let (status, _, body) = me.post(&format!("/sessions/{session}/reflection"), &fields).await;
    assert_eq!(status, 200, "{body}");

    // A contact with a text-direction override is refused like a pseudonym with one.
    let contact = [("pseudonym", "Ok Two"), ("started_on", "2026-11-01"), ("contact", "+44 \u{202E}1234")];
    let (status, _, body) = me.post("/clients/new", &contact).await;
    assert_eq!(status, 422);
    assert!(body.contains("Contact: at most 200 characters of plain text"), "{body}");
}

async fn client_of(app: &TestApp, session: i64) -> i64 {
    let session = app.store.session(alliance_store::SessionId(session)).await.unwrap().unwrap();
    app.store.episode(session.episode).await.unwrap().unwrap().client.0
}

/// Dates of care are from 1970 to a year ahead, and in order: a session not before its episode began, a new
/// episode not before the current one began. Each refusal says why and stores nothing.
#[tokio::test]
async fn dates_of_care_are_sane_and_in_order() {
    let app = TestApp::spawn().await;
    app.user("dora@example.org", Role::Therapist).await;
    let (me, client, _, _) = client_with_link(&app, "dora@example.org", "Dune Wren").await;
    let store = app.store.clone();
    let episodes = || async { store.episodes(ClientId(client)).await.unwrap() };
    let episode = episodes().await[0].id.0;
    let sessions = || async { store.sessions_of(&[ClientId(client)]).await.unwrap().len() };

    // A new client: year 0, year 9999, a day that does not exist.
    for (date, says) in
        [("0000-01-01", "before 1970"), ("9999-12-31", "more than a year ahead"), ("2026-02-30", "like 2026-11-28")]
    {
        let (status, _, body) = me.post("/clients/new", &[("pseudonym", "Year Typo"), ("started_on", date)]).await;
        assert_eq!(status, 422, "{date}");
        assert!(body.contains(says), "{date}: {body}");
    }
    let (_, caseload) = me.get("/").await;
    assert!(!caseload.contains("Year Typo"), "no client was created");

    // A session: out of range, or before its episode began (2026-11-01).
    for (date, says) in [
        ("0000-01-01", "before 1970"),
        ("9999-01-01", "more than a year ahead"),
        ("2026-10-31", "cannot be dated before its episode began"),
    ] {
        let (status, _, body) = me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", date)]).await;
        assert_eq!(status, 400, "{date}");
        assert!(body.contains(says), "{date}: {body}");
    }
    assert_eq!(sessions().await, 1, "only the helper's session");

    // A new episode: out of range, or before the current one began.
    for (date, says) in [("1969-12-31", "before 1970"), ("2026-10-01", "cannot start before the current one began")] {
        let (status, _, body) =
            me.post(&format!("/clients/{client}/episodes"), &[("started_on", date), ("measure", "phq9")]).await;
        assert_eq!(status, 400, "{date}");
        assert!(body.contains(says), "{date}: {body}");
    }
    assert_eq!(episodes().await.len(), 1, "no episode was opened");

    // The end of an episode: out of range.
    let (status, _, body) = me.post(&format!("/episodes/{episode}/end"), &[("ended_on", "0001-01-01")]).await;
    assert_eq!((status, body.contains("before 1970")), (400, true), "{body}");
    assert_eq!(episodes().await[0].ended_on, None);

    // In order and in range, both are taken.
    let (status, _, _) = me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-01")]).await;
    assert_eq!(status, 200, "a session on the day the episode began");
    assert_eq!(sessions().await, 2);
}
