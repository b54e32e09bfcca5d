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
    // The codes read as words of the reader's language, never the data set's labels.
    let row = |n: usize| page.split(&format!("id=\"utterance-{n}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(["change talk", "neutral talk", "sustain talk"].iter().any(|t| row(2).contains(t)), "{}", row(2));
    assert!(row(3).contains("empathy: emotional reactions "), "a response to the client is rated: {}", row(3));
    assert!(!row(1).contains("empathy"), "the opening turn answers no client turn: {}", row(1));
    assert!(!page.contains("therapist_input") && !page.contains("ER 0"), "raw labels on the page");
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
    // Each row opens its session's transcript.
    let first_row =
        trend.split(&format!("<th scope=\"row\"><a href=\"/sessions/{first}#transcript\">1 · ")).nth(1).unwrap();
    let second_row =
        trend.split(&format!("<th scope=\"row\"><a href=\"/sessions/{second}#transcript\">2 · ")).nth(1).unwrap();
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
    assert!(trend.contains(&format!("/sessions/{second}#transcript\">2 · ")), "{trend:.600}");
    assert!(!trend.contains(&format!("/sessions/{first}#transcript\">1 · ")), "{trend:.600}");
}

// File uploads: the first step's form is multipart (a file or pasted text); the speaker step carries the text on.

const BOUNDARY: &str = "alliance-test-4f2a9c";
/// A file name a browser could send: never stored, logged nor shown.
const HOSTILE_NAME: &str = "<b>sam-secret</b>.vtt";

/// The same four turns as `COUNTED`, as a video-call tool's WebVTT export.
const VTT: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Dr Lee>what brings you here today\n\n\
                   00:00:03.500 --> 00:00:05.000\n<v Sam>my sister made me come\n\n\
                   00:00:05.500 --> 00:00:07.000\n<v Dr Lee>you feel pushed into this\n\n\
                   00:00:07.500 --> 00:00:08.000\n<v Sam>yes exactly\n";

/// A multipart body built by hand: the text fields, then a file part (as a browser sends it, with a name).
fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{HOSTILE_NAME}\"\r\n\
                 Content-Type: text/vtt\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(me: &Session, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String, String) {
    let r = me
        .browser
        .post(format!("{}{path}", me.url))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let url = r.url().path().to_owned();
    (status, url, r.text().await.unwrap())
}

/// The first step as the session page's form sends it: the token, the textarea (empty unless pasted), the file.
async fn upload(me: &Session, session: i64, text: &str, file: Option<&[u8]>) -> (u16, String, String) {
    let body = multipart(&[("csrf", &me.csrf), ("text", text)], file);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    post_multipart(me, &format!("/sessions/{session}/transcript"), &content_type, body).await
}

/// The text the speaker step carries on in its hidden textarea, unescaped as a browser would send it.
fn carried(page: &str) -> String {
    let inner = page.split("<textarea name=\"text\" hidden aria-hidden=\"true\">").nth(1).expect("carried on");
    let inner = inner.split("</textarea>").next().unwrap();
    inner.replace("&#60;", "<").replace("&#62;", ">").replace("&#34;", "\"").replace("&#39;", "'").replace("&#38;", "&")
}

/// Both steps of an upload: the file read, then the speakers placed with the text the first step carried on.
async fn upload_and_confirm(me: &Session, session: i64, file: &[u8]) -> (u16, String, String) {
    let (status, _, page) = upload(me, session, "", Some(file)).await;
    assert_eq!(status, 200, "the speaker step: {page:.2000}");
    assert!(!page.contains("sam-secret"), "the file's name is not shown");
    let text = carried(&page);
    let fields = [("text", text.as_str()), ("confirm", "yes"), ("role-0", "therapist"), ("role-1", "client")];
    me.post(&format!("/sessions/{session}/transcript"), &fields).await
}

fn no_file_name(page: &str, t: Option<&alliance_store::StoredTranscript>) {
    assert!(!page.contains("sam-secret"), "the file's name is never shown");
    if let Some(t) = t {
        for stored in [&t.text, &t.codes, &t.markers] {
            assert!(!stored.contains("sam-secret"), "the file's name is never stored");
        }
    }
}

#[tokio::test]
async fn a_vtt_file_goes_through_both_steps_and_is_stored_and_coded() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Upload Client").await;
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("type=\"file\" id=\"transcript-file\""));
    assert!(page.contains("accept=\".vtt,.srt,.txt,text/vtt,text/plain\""), "{page:.4000}");

    let (status, _, page) = upload(&me, session, "", Some(VTT.as_bytes())).await;
    assert_eq!(status, 200);
    assert!(page.contains("<legend>Dr Lee</legend>") && page.contains("<legend>Sam</legend>"), "{page:.3000}");
    assert_eq!(carried(&page), VTT, "the file's text is carried to the speaker step as pasted text is");
    assert!(stored(&app, session).await.is_none(), "nothing stored before the confirmation");

    let (status, at, page) = upload_and_confirm(&me, session, VTT.as_bytes()).await;
    assert_eq!((status, at.as_str()), (200, format!("/sessions/{session}").as_str()));
    assert!(page.contains("my sister made me come") && page.contains("rule coder"));
    let t = stored(&app, session).await.unwrap();
    no_file_name(&page, Some(&t));
    assert_eq!(t.text, VTT);
    // The same ten therapist words and seven client words as the pasted `COUNTED`, in four turns.
    assert_eq!((t.coder.as_str(), t.indicators.utterances), ("rules", 4));
    assert!((t.indicators.therapist_talk.unwrap() - 10.0 / 17.0).abs() < 1e-12);
    let events = app.store.audit_events(10_000).await.unwrap();
    let creates = events.iter().filter(|e| e.object_kind == "transcript" && e.action == "create").count();
    assert_eq!(creates, 1);
}

#[tokio::test]
async fn an_srt_file_exported_on_windows_is_read_and_coded() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Srt Client").await;
    // A byte-order mark and CRLF line ends, as Windows tools write them.
    let srt = "\u{feff}1\r\n00:00:01,000 --> 00:00:03,000\r\nDr Lee: what brings you here today\r\n\r\n\
               2\r\n00:00:03,500 --> 00:00:05,000\r\nSam: my sister made me come\r\n\r\n\
               3\r\n00:00:05,500 --> 00:00:07,000\r\nDr Lee: you feel pushed into this\r\n\r\n\
               4\r\n00:00:07,500 --> 00:00:08,000\r\nSam: yes exactly\r\n";
    let (status, _, page) = upload_and_confirm(&me, session, srt.as_bytes()).await;
    assert_eq!(status, 200, "{page:.2000}");
    let t = stored(&app, session).await.unwrap();
    no_file_name(&page, Some(&t));
    assert_eq!(t.indicators.utterances, 4);
    assert!((t.indicators.therapist_talk.unwrap() - 10.0 / 17.0).abs() < 1e-12);
}

#[tokio::test]
async fn pasted_text_still_works_through_the_multipart_form() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Pasted Client").await;
    // A browser sends an empty file part when no file was chosen.
    let (status, _, page) = upload(&me, session, COUNTED, Some(b"")).await;
    assert_eq!(status, 200, "{page:.2000}");
    assert_eq!(carried(&page), COUNTED);
    let (status, _, _) = attach(&me, session, &carried(&page), &[("role-0", "therapist"), ("role-1", "client")]).await;
    assert_eq!(status, 200);
    assert_eq!(stored(&app, session).await.unwrap().text, COUNTED);
}

#[tokio::test]
async fn bad_uploads_are_refused_clearly_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Bad Upload Client").await;
    let path = format!("/sessions/{session}/transcript");
    let over = format!("Therapist: {}\nClient: ok\n", "a".repeat(alliance_transcripts::parse::MAX_BYTES));
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let latin1: &[u8] = b"Therapist: ol\xe9\nClient: s\xed\n";
    let cases: [(&str, &[u8], &str); 3] = [
        ("binary", png, "binary content"),
        ("not UTF-8", latin1, "not UTF-8 text"),
        ("over the transcript limit", over.as_bytes(), "the limit is 2097152 bytes"),
    ];
    for (what, file, words) in cases {
        let (status, _, page) = upload(&me, session, "", Some(file)).await;
        assert_eq!(status, 400, "{what}");
        assert!(page.contains("The transcript was not attached") && page.contains(words), "{what}: {page:.2000}");
        no_file_name(&page, None);
    }
    // A file and pasted text: refused, naming why.
    let (status, _, page) = upload(&me, session, COUNTED, Some(VTT.as_bytes())).await;
    assert_eq!(status, 400);
    assert!(page.contains("A file was chosen and text was pasted"), "{page:.2000}");
    // Two files.
    let mut body = multipart(&[("csrf", &me.csrf)], Some(VTT.as_bytes()));
    let second = multipart(&[], Some(VTT.as_bytes()));
    body.truncate(body.len() - format!("--{BOUNDARY}--\r\n").len());
    body.extend_from_slice(&second);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    assert_eq!(post_multipart(&me, &path, &content_type, body).await.0, 400);
    // A file under another field's name.
    let body = String::from_utf8(multipart(&[("csrf", &me.csrf)], Some(VTT.as_bytes()))).unwrap();
    let body = body.replace("name=\"file\"", "name=\"text\"").into_bytes();
    let (status, _, page) = post_multipart(&me, &path, &content_type, body).await;
    assert_eq!(status, 400);
    assert!(page.contains("a field that does not belong to it"), "{page:.2000}");
    // More parts than any form has.
    let many: Vec<(&str, &str)> = std::iter::once(("csrf", me.csrf.as_str())).chain([("x", "")].repeat(500)).collect();
    assert_eq!(post_multipart(&me, &path, &content_type, multipart(&many, None)).await.0, 413);
    // A body over the HTTP limit for transcripts: 413 before it is read.
    let huge = vec![b'a'; alliance_web::MAX_TRANSCRIPT_BODY_BYTES + 1];
    assert_eq!(upload(&me, session, "", Some(&huge)).await.0, 413);
    assert!(stored(&app, session).await.is_none(), "nothing stored by any refusal");
}

#[tokio::test]
async fn an_upload_without_the_right_token_is_refused() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Token Client").await;
    let path = format!("/sessions/{session}/transcript");
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let wrong = "0".repeat(me.csrf.len());
    for fields in [vec![("text", "")], vec![("csrf", wrong.as_str()), ("text", "")]] {
        let body = multipart(&fields, Some(VTT.as_bytes()));
        let (status, _, page) = post_multipart(&me, &path, &content_type, body).await;
        assert_eq!(status, 403, "{fields:?}");
        assert!(page.contains("This form was sent from another site or an expired page"), "{page:.2000}");
    }
    // Nor may a confirmation be sent as multipart without it.
    let fields = [("text", COUNTED), ("confirm", "yes"), ("role-0", "therapist"), ("role-1", "client")];
    assert_eq!(post_multipart(&me, &path, &content_type, multipart(&fields, None)).await.0, 403);
    assert!(stored(&app, session).await.is_none());
}

#[tokio::test]
async fn a_malformed_multipart_body_gets_a_clear_400_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    app.user("t@example.org", Role::Therapist).await;
    let (me, _client, session, _) = client_with_link(&app, "t@example.org", "Malformed Client").await;
    let path = format!("/sessions/{session}/transcript");
    let good = multipart(&[("csrf", &me.csrf), ("text", "")], Some(VTT.as_bytes()));
    let right = format!("multipart/form-data; boundary={BOUNDARY}");
    let cut = good[..good.len() - 40].to_vec();
    let mut latin1 = multipart(&[("csrf", &me.csrf), ("text", "Therapist: ol\u{e9}\nClient: s\u{ed}\n")], None);
    let at = latin1.windows(2).position(|w| w == "\u{e9}".as_bytes()).unwrap();
    latin1.splice(at..at + 2, [0xe9]);
    let cases: [(&str, String, Vec<u8>); 5] = [
        ("a pasted text that is not UTF-8", right.clone(), latin1),
        ("no boundary", "multipart/form-data".to_owned(), good.clone()),
        ("another boundary", "multipart/form-data; boundary=not-the-one".to_owned(), good.clone()),
        ("truncated", right.clone(), cut),
        ("garbage", right.clone(), b"\x00\x01 this is not multipart at all".to_vec()),
    ];
    for (what, content_type, body) in cases {
        let (status, _, page) = post_multipart(&me, &path, &content_type, body).await;
        assert_eq!(status, 400, "{what}: {page:.2000}");
        assert!(page.contains("The form could not be read: its parts were malformed or cut off"), "{what}");
    }
    assert!(stored(&app, session).await.is_none());
    // The same body, whole, goes through.
    assert_eq!(post_multipart(&me, &path, &right, good).await.0, 200);
}
