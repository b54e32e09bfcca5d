//! Session transcripts on the session page (issue 21): attached in two steps by the client's therapist, shown
//! coded with the wording the brief requires, refused clearly when malformed, oversized, binary or with a speaker
//! nobody placed (nothing stored), replaced and deleted; seen by the supervisor only once the session's reflection
//! is shared, by an administrator only under break-glass; every read and write audited.

use alliance_core::domain::Role;
use alliance_store::{ClientId, NewBreakGlass, SessionId};

use crate::app::{Session, TestApp, client_with_link};

/// Ten therapist words and seven client words, no punctuation (a `?` counts as a word): the therapist's share of
/// the words is 10 / 17 = 58.8 %, shown rounded as 59 %.
const COUNTED: &str = "Dr Lee: what brings you here today\nSam: my sister made me come\n\
                       Dr Lee: you feel pushed into this\nSam: yes exactly\n";

async fn attach(me: &Session, session: i64, text: &str, roles: &[(&str, &str)]) -> (u16, String, String) {
    let (status, _, page) = me.post(&format!("/sessions/{session}/transcript"), &[("text", text)]).await;
    assert_eq!(status, 200, "the speaker step: {page}");
    let mut fields = vec![("text", text), ("confirm", "yes")];
    fields.extend_from_slice(roles);
    me.post(&format!("/sessions/{session}/transcript"), &fields).await
}

async fn stored(app: &TestApp, session: i64) -> Option<alliance_store::StoredTranscript> {
    app.store.transcript(SessionId(session)).await.unwrap()
}

#[tokio::test]
async fn the_therapist_attaches_a_transcript_and_sees_it_coded_for_reflection_not_rating() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Transcript Client").await;
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("No transcript attached."), "the therapist is offered the form");

    // The first step lists the speakers found and stores nothing.
    let (status, _, page) = me.post(&format!("/sessions/{session}/transcript"), &[("text", COUNTED)]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Dr Lee") && page.contains("Sam") && page.contains("name=\"role-1\""), "{page}");
    assert!(stored(&app, session).await.is_none(), "nothing stored before the confirmation");

    let (status, at, page) = attach(&me, session, COUNTED, &[("role-0", "therapist"), ("role-1", "client")]).await;
    assert_eq!((status, at.as_str()), (200, format!("/sessions/{session}").as_str()));
    for words in [
        "For reflection, not rating",
        "rule coder",
        "heuristic, not validated",
        "Reflections per question",
        "MITI 4.2.1 threshold",
        "fair 1.00, good 2.00",
        "fair 40 %, good 50 %",
        "Therapist&#39;s share of the words",
        "Empathy: explorations",
        "my sister made me come",
        "The client has not answered a check for this session.",
    ] {
        assert!(page.contains(words), "{words} missing from the page");
    }
    let share = page.split("Therapist&#39;s share of the words</th><td>").nth(1).unwrap();
    assert!(share.starts_with("59 %"), "10 of 17 words: {}", &share[..20]);
    let t = stored(&app, session).await.unwrap();
    assert_eq!((t.coder.as_str(), t.indicators.utterances), ("rules", 4));
    assert!((t.indicators.therapist_talk.unwrap() - 10.0 / 17.0).abs() < 1e-12);
    assert!(!t.codes.contains("sister") && !t.markers.contains("sister"), "no words beside the sealed text");

    let events = app.store.audit_events(10_000).await.unwrap();
    let on = |action: &'static str| {
        events
            .iter()
            .filter(move |e| e.object_kind == "transcript" && e.action == action && e.object_id == Some(session))
    };
    assert_eq!(on("create").count(), 1);
    assert!(on("read").any(|e| e.purpose == "care"), "the page's read is audited");

    // Replaced, then deleted.
    let again = "Therapist: and now\nClient: fine\n";
    let (status, _, _) = attach(&me, session, again, &[("role-0", "therapist"), ("role-1", "client")]).await;
    assert_eq!(status, 200);
    assert_eq!(stored(&app, session).await.unwrap().text, again);
    let (status, _, page) = me.post(&format!("/sessions/{session}/transcript/delete"), &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("No transcript attached."));
    assert!(stored(&app, session).await.is_none());
    let events = app.store.audit_events(10_000).await.unwrap();
    assert!(events.iter().any(|e| e.object_kind == "transcript" && e.action == "delete"));
}

#[tokio::test]
async fn hostile_text_is_shown_escaped() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Hostile Client").await;
    let text = "Lee: hello <script>alert('x')</script>\nClient: <img src=x onerror=alert(1)>\n";
    let (_, _, speakers) = me.post(&format!("/sessions/{session}/transcript"), &[("text", text)]).await;
    assert!(speakers.contains("&#60;script&#62;"), "{speakers}");
    assert!(!speakers.contains("<script>alert"), "the text carried to the next step is escaped");
    let (status, _, page) = attach(&me, session, text, &[("role-0", "therapist"), ("role-1", "client")]).await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script>alert") && !page.contains("<img src=x"), "nothing of the file runs");
    assert!(page.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;"), "shown as text");
}

#[tokio::test]
async fn bad_transcripts_are_refused_clearly_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Refused Client").await;
    let path = format!("/sessions/{session}/transcript");
    let over = format!("Therapist: {}\nClient: ok\n", "a".repeat(alliance_transcripts::parse::MAX_BYTES));
    let cases: [(&str, &str); 5] = [
        ("binary", "Therapist: hi\u{0}\u{1}\u{2}\nClient: x\n"),
        ("one speaker", "Therapist: hello\nTherapist: anyone\n"),
        ("malformed cue", "WEBVTT\n\n00:00:01.000 -> nonsense\n<v Lee>hi\n"),
        ("empty", "   \n"),
        ("too large", over.as_str()),
    ];
    let expected = ["binary content", "at least two", "malformed cue timing", "empty", "the limit is 2097152 bytes"];
    for ((what, text), words) in cases.iter().zip(expected) {
        let (status, _, page) = me.post(&path, &[("text", text)]).await;
        assert_eq!(status, 400, "{what}");
        assert!(page.contains("The transcript was not attached") && page.contains(words), "{what}: {page:.2000}");
        // The confirmation step refuses it too.
        let (status, _, _) = me.post(&path, &[("text", text), ("confirm", "yes"), ("role-0", "therapist")]).await;
        assert_eq!(status, 400, "{what} confirmed");
    }
    // A speaker nobody placed, a role that is not one, a name the transcript does not have.
    let (status, _, page) = me.post(&path, &[("text", COUNTED), ("confirm", "yes"), ("role-0", "therapist")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("Name the speaker Sam the therapist or the client."), "{page:.2000}");
    let fields = [("text", COUNTED), ("confirm", "yes"), ("role-0", "therapist"), ("role-1", "supervisor")];
    assert_eq!(me.post(&path, &fields).await.0, 400);
    // Both speakers named therapist: no client turn.
    let fields = [("text", COUNTED), ("confirm", "yes"), ("role-0", "therapist"), ("role-1", "therapist")];
    let (status, _, page) = me.post(&path, &fields).await;
    assert_eq!(status, 400);
    assert!(page.contains("no client turn"), "{page:.2000}");
    // A body over the HTTP limit for transcripts is refused before it is read.
    let huge = "a".repeat(alliance_web::MAX_TRANSCRIPT_BODY_BYTES + 1);
    assert_eq!(me.post(&path, &[("text", &huge)]).await.0, 413);
    assert!(stored(&app, session).await.is_none(), "nothing stored by any refusal");
    // Other forms keep the small limit.
    let big = "a".repeat(alliance_web::MAX_BODY_BYTES + 1);
    assert_eq!(me.post(&format!("/sessions/{session}/supervision-focus"), &[("focus", &big)]).await.0, 413);
}

#[tokio::test]
async fn the_supervisor_sees_the_transcript_once_the_reflection_is_shared_and_an_administrator_only_by_break_glass() {
    let app = TestApp::spawn().await;
    let owner = app.user("t@example.org", Role::Therapist).await;
    let sup = app.user("sup@example.org", Role::Supervisor).await;
    let admin = app.user("admin@example.org", Role::Administrator).await;
    app.user("other@example.org", Role::Therapist).await;
    app.user("research@example.org", Role::Researcher).await;
    app.supervise(sup, owner).await;
    let (me, client, session, _) = client_with_link(&app, "t@example.org", "Shared Client").await;
    let (status, _, _) = attach(&me, session, COUNTED, &[("role-0", "therapist"), ("role-1", "client")]).await;
    assert_eq!(status, 200);
    let page_path = format!("/sessions/{session}");
    let shows = |page: &str| page.contains("id=\"transcript\"") || page.contains("my sister made me come");

    // The supervisor reads the session but not the transcript while the reflection is not shared.
    let supervisor = app.sign_in("sup@example.org").await;
    let (status, page) = supervisor.get(&page_path).await;
    assert_eq!(status, 200);
    assert!(!shows(&page), "hidden before sharing");
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    reflection.extend([("rupture", "no"), ("supervision", "no")]);
    assert_eq!(me.post(&format!("/sessions/{session}/reflection"), &reflection).await.0, 200);
    assert!(!shows(&supervisor.get(&page_path).await.1), "a reflection kept private keeps the transcript private");
    reflection.pop();
    reflection.push(("supervision", "yes"));
    assert_eq!(me.post(&format!("/sessions/{session}/reflection"), &reflection).await.0, 200);
    let (status, page) = supervisor.get(&page_path).await;
    assert_eq!(status, 200);
    assert!(shows(&page) && page.contains("For reflection, not rating"), "shown once shared");
    assert!(!page.contains("transcript/delete") && !page.contains("name=\"text\""), "read only for the supervisor");
    // The supervisor cannot attach or delete.
    assert_eq!(supervisor.post(&format!("/sessions/{session}/transcript"), &[("text", COUNTED)]).await.0, 403);
    assert_eq!(supervisor.post(&format!("/sessions/{session}/transcript/delete"), &[]).await.0, 403);

    // Another therapist and a researcher never reach it.
    let other = app.sign_in("other@example.org").await;
    assert_eq!(other.get(&page_path).await.0, 404);
    assert_eq!(other.post(&format!("/sessions/{session}/transcript/delete"), &[]).await.0, 404);
    let researcher = app.sign_in("research@example.org").await;
    assert_eq!(researcher.get(&page_path).await.0, 403);

    // An administrator: nothing without break-glass; with a running grant, read only, audited as break-glass.
    let boss = app.sign_in("admin@example.org").await;
    let (status, page) = boss.get(&page_path).await;
    assert_eq!(status, 404);
    assert!(!shows(&page));
    assert_eq!(boss.post(&format!("/sessions/{session}/transcript/delete"), &[]).await.0, 403);
    let now = time::OffsetDateTime::now_utc();
    let grant = NewBreakGlass {
        admin,
        client: ClientId(client),
        reason: "emergency".into(),
        granted_at: now,
        expires_at: now + time::Duration::hours(1),
    };
    let audit = alliance_store::AuditEvent::system(now, "create", "break-glass", "break-glass");
    app.store.grant_break_glass(grant, audit).await.unwrap();
    let (status, page) = boss.get(&page_path).await;
    assert_eq!(status, 200);
    assert!(shows(&page) && !page.contains("transcript/delete"), "read only under break-glass");
    assert!(stored(&app, session).await.is_some());

    let events = app.store.audit_events(10_000).await.unwrap();
    let reads: Vec<_> = events
        .iter()
        .filter(|e| e.object_kind == "transcript" && e.action == "read")
        .map(|e| e.purpose.as_str())
        .collect();
    assert!(reads.contains(&"supervision") && reads.contains(&"break-glass") && reads.contains(&"care"), "{reads:?}");
    let sup_reads = events.iter().filter(|e| e.object_kind == "transcript" && e.actor == Some(sup)).count();
    assert_eq!(sup_reads, 1, "the supervisor's one read, after sharing");
}

#[tokio::test]
async fn the_client_page_and_the_therapists_patterns_show_the_indicators_by_session() {
    let app = TestApp::spawn().await;
    let owner = app.user("t@example.org", Role::Therapist).await;
    let sup = app.user("sup@example.org", Role::Supervisor).await;
    app.supervise(sup, owner).await;
    let (me, client, first, _) = client_with_link(&app, "t@example.org", "Trend Client").await;
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(!page.contains("id=\"transcript-trend\""), "no trend without a transcript");
    let episode = crate::app::number_after(&page, "action=\"/episodes/");
    let (_, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-12-05"), ("attended", "yes")]).await;
    let second: i64 = url.trim_start_matches("/sessions/").parse().unwrap();
    let roles = [("role-0", "therapist"), ("role-1", "client")];
    assert_eq!(attach(&me, first, COUNTED, &roles).await.0, 200);
    // Three therapist words of five: 60 %.
    assert_eq!(attach(&me, second, "Dr Lee: tell me more\nSam: okay then\n", &roles).await.0, 200);

    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let trend = page.split("id=\"transcript-trend\"").nth(1).expect("the trend is shown");
    assert!(trend.contains("For reflection, not rating"));
    let first_row = trend.split("<th scope=\"row\">1 · ").nth(1).unwrap();
    let second_row = trend.split("<th scope=\"row\">2 · ").nth(1).unwrap();
    assert!(first_row.split("</tr>").next().unwrap().contains("<td>59 %</td>"), "{first_row:.400}");
    assert!(second_row.split("</tr>").next().unwrap().contains("<td>60 %</td>"), "{second_row:.400}");

    // The therapist's patterns: across the two sessions, the median of 58.8 % and 60 % is 59.4 %, shown 59 %.
    let (_, page) = me.get("/patterns").await;
    let summary = page.split("Transcript indicators across your clients&#39; sessions").nth(1).expect("shown");
    let talk = summary.split("Therapist&#39;s share of the words</th>").nth(1).unwrap();
    assert!(talk.starts_with("<td>2</td><td>59 %</td><td>59 % – 60 %</td>"), "{talk:.200}");

    // The supervisor: no session shared, no trend on the client page and none on the therapist's patterns.
    let supervisor = app.sign_in("sup@example.org").await;
    let (status, page) = supervisor.get(&format!("/clients/{client}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("id=\"transcript-trend\""));
    let (status, page) = supervisor.get(&format!("/supervision/therapists/{}", owner.0)).await;
    assert_eq!(status, 200);
    assert!(!page.contains("id=\"transcript-trend\""), "the patterns summary stays the therapist's own");
    // Once the second session's reflection is shared, its row and only it.
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    reflection.extend([("rupture", "no"), ("supervision", "yes")]);
    assert_eq!(me.post(&format!("/sessions/{second}/reflection"), &reflection).await.0, 200);
    let (_, page) = supervisor.get(&format!("/clients/{client}")).await;
    let trend = page.split("id=\"transcript-trend\"").nth(1).expect("the shared session's row");
    assert!(trend.contains("<th scope=\"row\">2 · ") && !trend.contains("<th scope=\"row\">1 · "));
}
