//! Supervision meetings (issue 20, item 4) end to end: the supervisor records a meeting naming what the supervisee
//! shared and the actions agreed; the therapist reads it; an action comes back on the client page until marked
//! done. Items the supervisee did not share, another therapist's clients and malformed, oversized and hostile
//! input store nothing.

use alliance_core::domain::Role;
use alliance_store::{ClientId, MeetingsOf};

use crate::app::{TestApp, client_with_link};

fn today() -> String {
    let day = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day())
}

#[tokio::test]
async fn a_meeting_names_what_was_shared_and_its_actions_come_back_to_the_therapist_until_done() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    app.user("bo@example.org", Role::Therapist).await;
    let sup = app.user("sup@example.org", Role::Supervisor).await;
    app.supervise(sup, ana).await;
    let (me, client, session, _) = client_with_link(&app, "ana@example.org", "Rowan Teal").await;
    let (_, bos_client, _, _) = client_with_link(&app, "bo@example.org", "Bo Client").await;
    // A shared reflection on the session, a shared and a private boundary event.
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    reflection.extend([("rupture", "no"), ("supervision", "yes")]);
    assert_eq!(me.post(&format!("/sessions/{session}/reflection"), &reflection).await.0, 200);
    let t = today();
    let log = format!("/clients/{client}/boundaries");
    let shared = [("kind", "gift"), ("gift", "received"), ("occurred_on", t.as_str()), ("supervision", "yes")];
    assert_eq!(me.post(&log, &shared).await.0, 200);
    assert_eq!(me.post(&log, &[("kind", "other"), ("occurred_on", t.as_str())]).await.0, 200);
    let events = app.store.boundary_events_of(ClientId(client), ana, false).await.unwrap();
    let shared_event = events.iter().find(|e| e.shared).unwrap().id;
    let private_event = events.iter().find(|e| !e.shared).unwrap().id;
    // A second session whose reflection is not shared.
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = crate::app::number_after(&page, "action=\"/episodes/");
    let (_, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-29"), ("attended", "yes")]).await;
    let unshared: i64 = url.trim_start_matches("/sessions/").parse().unwrap();

    let s = app.sign_in("sup@example.org").await;
    let (status, page) = s.get("/supervision/meetings").await;
    assert_eq!(status, 200);
    let (c, sess, b) = (format!("c:{client}"), format!("s:{session}"), format!("b:{shared_event}"));
    for offered in [&c, &sess, &b] {
        assert!(page.contains(&format!("value=\"{offered}\"")), "{offered} offered");
    }
    assert!(
        !page.contains(&format!("value=\"s:{unshared}\"")) && !page.contains(&format!("value=\"b:{private_event}\""))
    );
    assert!(!page.contains("Bo Client"), "another supervisor's supervisee is not offered");

    let ana_text = ana.0.to_string();
    let client_text = client.to_string();
    let meeting = vec![
        ("therapist", ana_text.as_str()),
        ("held_on", t.as_str()),
        ("item", c.as_str()),
        ("item", sess.as_str()),
        ("item", b.as_str()),
        ("agreed", "Keep to the end time <i>together</i>"),
        ("action_client_1", client_text.as_str()),
        ("action_text_1", "Talk about the gift"),
    ];
    let count = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.meetings(MeetingsOf::Therapist(ana), 0, 10).await.unwrap().0 }
    };

    // Refused, storing nothing: not a supervisee, unshared or foreign items, bad actions and text.
    let bos = app.store.user_by_email("bo@example.org").await.unwrap().unwrap().id.0.to_string();
    let (bos_c, unshared_s, private_b) =
        (format!("c:{bos_client}"), format!("s:{unshared}"), format!("b:{private_event}"));
    let long = "x".repeat(4001);
    let bos_client_text = bos_client.to_string();
    let with = |k: &'static str, v: &str| -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> =
            meeting.iter().filter(|(key, _)| *key != k).map(|(a, b)| ((*a).into(), (*b).into())).collect();
        f.push((k.into(), v.into()));
        f
    };
    let hostile: Vec<Vec<(String, String)>> = vec![
        with("therapist", &bos),
        with("therapist", "abc"),
        with("therapist", ""),
        with("held_on", "2026-02-30"),
        with("held_on", "3026-01-01"),
        with("item", &bos_c),
        with("item", &unshared_s),
        with("item", &private_b),
        with("item", "x:1"),
        with("item", "c:'; DROP TABLE clients; --"),
        with("agreed", &long),
        with("agreed", "a\u{202e}b"),
        with("action_client_1", &bos_client_text),
        with("action_client_1", ""),
        with("action_text_1", &"y".repeat(501)),
    ];
    for fields in &hostile {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (status, _, body) = s.post("/supervision/meetings", &fields).await;
        assert_eq!(status, 400, "{fields:?}");
        assert!(!body.contains("panicked") && !body.contains("DROP TABLE"), "{fields:?}");
    }
    assert_eq!(count(&app).await, 0, "nothing stored");
    assert_eq!(me.post("/supervision/meetings", &meeting).await.0, 403, "a therapist records no meeting");

    let (status, url, page) = s.post("/supervision/meetings", &meeting).await;
    assert_eq!((status, url.as_str()), (200, "/supervision/meetings"));
    assert!(page.contains("Rowan Teal: reflection on session 1") && page.contains("Talk about the gift"), "{page}");
    assert_eq!(count(&app).await, 1);
    let audit = app.store.audit_events(1000).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "create" && e.object_kind == "supervision-meeting" && e.purpose == "supervision")
    );
    assert_eq!(s.get("/supervision/meetings?page=0").await.0, 400);
    let (_, second) = s.get("/supervision/meetings?page=2").await;
    assert!(second.contains("No meetings recorded.") && second.contains("Page 2 · 1 meetings."));

    // The therapist reads it, and the action comes back on the client's page until marked done.
    let (status, page) = me.get("/meetings").await;
    assert_eq!(status, 200);
    assert!(page.contains("Keep to the end time &#60;i&#62;together") && page.contains("Gift"), "{page}");
    assert!(!page.contains("name=\"therapist\""), "no form for the therapist");
    let (_, record) = me.get(&format!("/clients/{client}")).await;
    assert!(record.contains("Talk about the gift (agreed on"), "the reminder is on the client page");
    let action = crate::app::hidden(record.split("/supervision-actions\"").nth(1).unwrap(), "action");
    let done = format!("/clients/{client}/supervision-actions");
    let bo = app.sign_in("bo@example.org").await;
    assert_eq!(bo.post(&done, &[("action", action.as_str())]).await.0, 404, "another therapist's client");
    assert_eq!(s.post(&done, &[("action", action.as_str())]).await.0, 403, "the supervisor marks nothing");
    assert_eq!(me.post(&done, &[("action", "abc")]).await.0, 400);
    assert_eq!(me.post(&done, &[("action", "987654")]).await.0, 400);
    assert_eq!(app.store.open_actions(ClientId(client), ana).await.unwrap().len(), 1, "still open");
    let (status, _, record) = me.post(&done, &[("action", action.as_str())]).await;
    assert_eq!(status, 200);
    assert!(!record.contains("Talk about the gift"), "done: no longer a reminder");
    assert_eq!(me.post(&done, &[("action", action.as_str())]).await.0, 400, "done once");
    let (_, page) = me.get("/meetings").await;
    assert!(page.contains("Talk about the gift · "), "listed as done in the meeting");
    let audit = app.store.audit_events(1000).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.object_kind == "supervision-action").count(), 1);
}
