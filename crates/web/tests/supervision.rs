//! Supervision: supervisees' caseloads grouped by therapist, reflections shared for supervision (with the
//! therapist's feelings, never the private note), the comment thread and who may use it, and per-therapist
//! patterns checked against numbers worked out by hand.

use alliance_core::domain::Role;
use alliance_store::{NewClient, SessionId, UserId};

use crate::app::{Session, TestApp, client_with_link, complete_answers, hidden, number_after};

pub(crate) const NOTE: &str = "PRIVATE-NOTE-7731 the client reminds me of my brother";

/// Answers the session's link as the client would, on a phone: the given six alliance ratings, whether a
/// moment felt off (`yes` or `no`) and, if so, whether it was talked through.
pub async fn answer_link(app: &TestApp, token: &str, alliance: [&str; 6], rupture: &str, discussed: &str) {
    answer_link_with(app, token, alliance, (rupture, discussed), "no").await;
}

/// The same, with the client's answer to the research question shown with the first check.
pub async fn answer_link_with(app: &TestApp, token: &str, alliance: [&str; 6], rupture: (&str, &str), research: &str) {
    let (rupture, discussed) = rupture;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields: Vec<(String, String)> = Vec::new();
    for (id, value) in ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().zip(alliance) {
        fields.push((format!("relationship-check.{id}"), value.into()));
    }
    for id in ["understood", "respected", "genuine"] {
        fields.push((format!("relationship-check.{id}"), "4".into()));
    }
    fields.push(("relationship-check.rupture".into(), rupture.into()));
    if rupture == "yes" {
        fields.push(("relationship-check.rupture-kind".into(), "withdrawal".into()));
        fields.push(("relationship-check.rupture-discussed".into(), discussed.into()));
    }
    fields.push(("consent-research".into(), research.into()));
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let done = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(done.status(), 200);
}

/// Records the therapist's reflection on a session.
pub(crate) async fn reflect(me: &Session, session: i64, share: &str, feelings: &[&str], intensity: &str) {
    let mut fields: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    fields.extend([("rupture", "yes"), ("rupture-kind", "withdrawal"), ("rupture-repaired", "partly")]);
    fields.extend(feelings.iter().map(|f| ("feelings", *f)));
    fields.extend([("feelings-intensity", intensity), ("supervision", share), ("note", NOTE)]);
    let (status, url, _) = me.post(&format!("/sessions/{session}/reflection"), &fields).await;
    assert_eq!((status, url), (200, format!("/sessions/{session}")));
}

struct Practice {
    app: TestApp,
    gil: UserId,
    hal: UserId,
    gil_me: Session,
    hal_me: Session,
    shared: i64,
    unshared: i64,
    hazel: i64,
}

/// Gil and Hal are supervised by Sue; Oz supervises nobody here. Gil shares a reflection on Hazel's session;
/// Hal keeps his reflection on Ivy's session to himself.
async fn practice() -> Practice {
    let app = TestApp::spawn().await;
    let gil = app.user("gil@example.org", Role::Therapist).await;
    let hal = app.user("hal@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    app.user("oz@example.org", Role::Supervisor).await;
    app.user("root@example.org", Role::Administrator).await;
    app.user("rita@example.org", Role::Researcher).await;
    app.supervise(sue, gil).await;
    app.supervise(sue, hal).await;
    let (gil_me, hazel, shared, token) = client_with_link(&app, "gil@example.org", "Hazel Tern").await;
    // Item 9 above zero: a risk signal that stays open.
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "1");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);
    reflect(&gil_me, shared, "yes", &["protective", "helpless"], "3").await;
    let (hal_me, _, unshared, _) = client_with_link(&app, "hal@example.org", "Ivy Moss").await;
    reflect(&hal_me, unshared, "no", &["irritated"], "4").await;
    Practice { app, gil, hal, gil_me, hal_me, shared, unshared, hazel }
}

#[tokio::test]
async fn the_supervisor_sees_caseloads_by_therapist_and_shared_reflections_only() {
    let p = practice().await;
    let sue = p.app.sign_in("sue@example.org").await;
    let (status, home) = sue.get("/").await;
    assert_eq!(status, 200);
    // Grouped: Hazel under Gil's heading, Ivy under Hal's, each with their open signals.
    let gil_at = home.find(&format!(r#"id="therapist-{}">gil</h2>"#, p.gil)).expect("gil's group");
    let hal_at = home.find(&format!(r#"id="therapist-{}">hal</h2>"#, p.hal)).expect("hal's group");
    assert!(gil_at < hal_at, "therapists by name");
    let (gil_group, hal_group) = (&home[gil_at..hal_at], &home[hal_at..]);
    assert!(gil_group.contains("Hazel Tern") && !gil_group.contains("Ivy Moss"), "Hazel is in Gil's group");
    assert!(hal_group.contains("Ivy Moss") && !hal_group.contains("Hazel Tern"), "Ivy is in Hal's group");
    assert!(gil_group.contains("Risk:") && gil_group.contains("Rupture:"), "open signals shown: {gil_group}");
    assert!(hal_group.contains("Nothing flagged"));
    assert!(home.contains(&format!("/supervision/therapists/{}", p.gil)));
    // Waiting for a comment: Gil's shared reflection, not Hal's private one.
    let waiting = &home[home.find("Reflections waiting for your comment").unwrap()..gil_at];
    assert!(waiting.contains(&format!(r#"href="/sessions/{}#supervision""#, p.shared)), "{waiting}");
    assert!(!waiting.contains(&format!("/sessions/{}#", p.unshared)) && !waiting.contains("Ivy Moss"));

    // The shared reflection: the therapist's view of the alliance, the rupture and the feelings, not the note.
    let (status, list) = sue.get("/supervision").await;
    assert_eq!(status, 200);
    assert!(list.contains("30 of 30 (goals 10, tasks 10, bond 10)"), "{list}");
    assert!(list.contains("Yes — Withdrawal: the client moved away"));
    assert!(list.contains("repaired: partly"));
    assert!(list.contains("Protective; Helpless, stuck"));
    assert!(list.contains("Strong (3)"));
    assert!(!list.contains("PRIVATE-NOTE-7731"), "the private note never reaches the supervisor");
    assert!(!list.contains("Irritated") && !list.contains("Ivy Moss"), "an unshared reflection is invisible");
    let (status, page) = sue.get(&format!("/sessions/{}", p.shared)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Helpless, stuck") && page.contains(r#"id="supervision""#));
    assert!(!page.contains("PRIVATE-NOTE-7731") && !page.contains("Private note"));
    let (status, page) = sue.get(&format!("/sessions/{}", p.unshared)).await;
    assert_eq!(status, 200, "the session itself is part of a supervisee's record");
    assert!(
        !page.contains("Irritated") && !page.contains("PRIVATE-NOTE-7731") && !page.contains(r#"id="supervision""#)
    );

    // The therapist sees their own note; reading reflections is audited.
    let (_, own) = p.gil_me.get(&format!("/sessions/{}", p.shared)).await;
    assert!(own.contains("PRIVATE-NOTE-7731") && own.contains("You took this session to supervision"));
    let audit = p.app.store.audit_events(500).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "read" && e.object_kind == "reflection"));
    assert!(audit.iter().any(|e| e.action == "list" && e.object_kind == "caseload"));
    let _ = p.hazel;
}

#[tokio::test]
async fn only_the_therapist_and_their_supervisor_use_the_thread() {
    let p = practice().await;
    let store = p.app.store.clone();
    let comments = |s: i64| {
        let store = store.clone();
        async move { store.reflection_comments(&[SessionId(s)]).await.unwrap() }
    };
    let path = format!("/sessions/{}/comments", p.shared);
    let sue = p.app.sign_in("sue@example.org").await;

    // Refused before anything is stored: cross-site, empty, too long, control characters.
    let (status, _, _) = sue.post_raw(&path, &[("body", "forged")]).await;
    assert_eq!(status, 403, "no anti-forgery token");
    let (status, _, _) = sue.post_raw(&path, &[("csrf", "not-the-token"), ("body", "forged")]).await;
    assert_eq!(status, 403);
    let (status, _, body) = sue.post(&path, &[("body", "  \r\n ")]).await;
    assert_eq!(status, 400);
    assert!(body.contains("Please write a comment"), "{body}");
    let long = "ü".repeat(4001);
    let (status, _, body) = sue.post(&path, &[("body", long.as_str())]).await;
    assert_eq!(status, 400);
    assert!(body.contains("at most 4000 characters long; this one has 4001"), "{body}");
    let (status, _, _) = sue.post(&path, &[("body", "bell\u{7}")]).await;
    assert_eq!(status, 400);
    assert!(comments(p.shared).await.is_empty(), "nothing stored");

    // The supervisor comments; the text is shown escaped.
    let (status, url, page) =
        sue.post(&path, &[("body", "What did the <b>silence</b> feel like?\nTake your time.")]).await;
    assert_eq!((status, url), (200, format!("/sessions/{}", p.shared)));
    assert!(page.contains("What did the &#60;b&#62;silence&#60;/b&#62; feel like?\nTake your time."), "{page}");
    assert!(!page.contains("<b>silence</b>"));
    let (_, home) = sue.get("/").await;
    assert!(home.contains("No shared reflection is waiting for a comment."), "commented: no longer waiting");

    // The therapist sees it on the session page and replies; the longest allowed reply is accepted.
    let (_, page) = p.gil_me.get(&format!("/sessions/{}", p.shared)).await;
    assert!(page.contains("sue (supervisor)") && page.contains("&#60;b&#62;silence"));
    let reply = "é".repeat(4000);
    let (status, _, _) = p.gil_me.post(&path, &[("body", reply.as_str())]).await;
    assert_eq!(status, 200);
    let thread = comments(p.shared).await;
    assert_eq!(thread.len(), 2);
    assert_eq!((thread[0].author_role, thread[1].author), (Role::Supervisor, p.gil));
    assert_eq!(thread[1].body, reply);

    // Everyone else: not found, for reading and for writing, and nothing changes.
    for email in ["oz@example.org", "hal@example.org", "root@example.org", "rita@example.org"] {
        let other = p.app.sign_in(email).await;
        // Refused by role (403: administrator, researcher) or by record (404: the wrong therapist or supervisor).
        assert!(matches!(other.get(&format!("/sessions/{}", p.shared)).await.0, 403 | 404), "{email} reads");
        assert!(matches!(other.post(&path, &[("body", "let me in")]).await.0, 403 | 404), "{email} writes");
    }
    assert_eq!(comments(p.shared).await.len(), 2);
    // An unshared reflection has no thread for the supervisor.
    let (status, _, _) = sue.post(&format!("/sessions/{}/comments", p.unshared), &[("body", "hello")]).await;
    assert_eq!(status, 404);
    let (status, _, _) = p.hal_me.post(&format!("/sessions/{}/comments", p.unshared), &[("body", "x")]).await;
    assert_eq!(status, 400, "nothing shared, no conversation");
    assert!(comments(p.unshared).await.is_empty());

    // Taken back out of supervision: the supervisor loses the thread, the therapist keeps reading it.
    reflect(&p.gil_me, p.shared, "no", &["warm"], "1").await;
    assert_eq!(sue.post(&path, &[("body", "still there?")]).await.0, 404);
    let (_, page) = sue.get(&format!("/sessions/{}", p.shared)).await;
    assert!(!page.contains("silence"));
    let (_, page) = p.gil_me.get(&format!("/sessions/{}", p.shared)).await;
    assert!(page.contains("&#60;b&#62;silence") && page.contains("no longer shared"));
    assert_eq!(comments(p.shared).await.len(), 2);

    let audit = p.app.store.audit_events(1000).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "create" && e.object_kind == "reflection-comment" && e.purpose == "supervision")
            .count(),
        2
    );
    assert!(audit.iter().any(|e| e.action == "read" && e.object_kind == "reflection-comments"));
    assert!(audit.iter().any(|e| e.action == "read-denied" && e.object_kind == "reflection-comments"));
}

fn figure<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page.find(&format!("<dt>{name}</dt>")).unwrap_or_else(|| panic!("no {name}"));
    let dd = start + page[start..].find("<dd>").unwrap() + 4;
    &page[dd..dd + page[dd..].find("<br>").unwrap()]
}

/// A client with sessions on the given days before today; `Some(ratings)` answers that session's check.
async fn course(app: &TestApp, me: &Session, pseudonym: &str, sessions: &[(i64, bool, Option<[&str; 6]>)]) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let started = (today - time::Duration::days(60)).to_string();
    let (status, url, _) = me.post("/clients/new", &[("pseudonym", pseudonym), ("started_on", started.as_str())]).await;
    assert_eq!(status, 200);
    let (_, page) = me.get(&url).await;
    let episode = number_after(&page, "action=\"/episodes/");
    for (days_ago, attended, answer) in sessions {
        let held = (today - time::Duration::days(*days_ago)).to_string();
        let mut fields = vec![("held_on", held.as_str())];
        if *attended {
            fields.push(("attended", "yes"));
        }
        let (status, url, _) = me.post(&format!("/episodes/{episode}/sessions"), &fields).await;
        assert_eq!(status, 200);
        if let Some(ratings) = answer {
            let (_, _, page) = me.post(&format!("{url}/links"), &[]).await;
            let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
            answer_link(app, &token, *ratings, "no", "").await;
        }
    }
    url
}

#[tokio::test]
async fn patterns_of_a_constructed_caseload() {
    let app = TestApp::spawn().await;
    let pat = app.user("pat@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    app.user("oz@example.org", Role::Supervisor).await;
    app.user("hal@example.org", Role::Therapist).await;
    app.user("rita@example.org", Role::Researcher).await;
    app.supervise(sue, pat).await;
    let me = app.sign_in("pat@example.org").await;
    // A: alliance 20, 23, 26 in sessions 1-3 (slope +3 per session, latest 26), all answered.
    let (r20, r23, r26) =
        (["4", "4", "3", "3", "3", "3"], ["4", "4", "4", "4", "4", "3"], ["5", "5", "4", "4", "4", "4"]);
    course(&app, &me, "Alder", &[(30, true, Some(r20)), (23, true, Some(r23)), (16, true, Some(r26))]).await;
    // B: alliance 18, 17, 13 (x 1,2,3; y mean 16; Sxy = -5, Sxx = 2: slope -2.5, latest 13); session 4 attended
    // ten days ago without a check (due, unanswered), session 5 missed.
    let (r18, r17, r13) =
        (["3", "3", "3", "3", "3", "3"], ["3", "3", "3", "3", "3", "2"], ["3", "2", "2", "2", "2", "2"]);
    let birch = course(
        &app,
        &me,
        "Birch",
        &[(40, true, Some(r18)), (33, true, Some(r17)), (26, true, Some(r13)), (10, true, None), (3, false, None)],
    )
    .await;
    // C: a client without an episode of care (as after an import): not active, not counted.
    let cedar = NewClient { therapist: pat, pseudonym: "Cedar".into(), contact: None };
    app.store
        .create_client(
            cedar,
            alliance_store::AuditEvent::system(time::OffsetDateTime::now_utc(), "create", "client", "test"),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();

    let (status, page) = me.get("/patterns").await;
    assert_eq!(status, 200);
    assert!(page.contains("not a performance rating"), "the page says what the figures are for");
    assert_eq!(figure(&page, "Active clients"), "2");
    // Level (26 + 13) / 2 = 19.5; trend (3 - 2.5) / 2 = +0.25 from both clients.
    assert_eq!(figure(&page, "Alliance level"), "19.5");
    assert_eq!(figure(&page, "Alliance trend"), "+0.25 per session");
    assert!(page.contains("2 clients contribute"));
    // Checks: 3 (A) + 3 of 4 attended (B) = 6 of 7 = 86 %.
    assert_eq!(figure(&page, "Client checks answered"), "86 %");
    assert!(page.contains("6 of 7 attended sessions"));
    assert!(page.contains("<svg") && page.contains("Alder") && page.contains("Birch"), "the chart of both courses");
    // Signals, from the product's rules (docs/SCIENCE.md#low-alliance, #dip-rule, #disengagement): a low alliance is
    // one signal per episode of strain, from its first score below 24 until two in a row at or above it, so Alder
    // (20, 23, 26) has one of session 1 (30 days ago) and Birch one of session 1 (40 days ago); Birch's 13 after 18
    // and 17 is a dip, a rupture of session 3 (26 days ago) still open; a session without a check and a missed one
    // make two in a row, disengagement as of session 5 (3 days ago); the falling alliance, the missed check and the
    // missed session raise the dropout warning as of session 5 too (docs/SCIENCE.md#dropout-warning). All open:
    // waits 3, 3, 26, 30 and 40 days, median 26.
    assert_eq!(figure(&page, "Signals"), "5 open, 0 acknowledged");
    assert!(page.contains("Open signals have waited 26 days (median)"));
    // Birch's low alliance acknowledged today: 40 days after its session; four left, waiting 3, 3, 26 and 30 days.
    let (_, client_page) = me.get(&birch).await;
    let low = client_page
        .split(r#"name="signal" value=""#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .find(|key| key.contains(":lowalliance:1"))
        .expect("a low-alliance signal of the episode's first session");
    assert_eq!(me.post(&format!("{birch}/acknowledgements"), &[("signal", low.as_str())]).await.0, 200);
    let (_, page) = me.get("/patterns").await;
    assert_eq!(figure(&page, "Signals"), "4 open, 1 acknowledged");
    assert_eq!(figure(&page, "Days to acknowledge"), "40 (median)");
    assert!(page.contains("Open signals have waited 14.5 days (median)"), "(3 + 26) / 2");
    assert_eq!(figure(&page, "Ruptures"), "1 detected: 0 repaired, 0 not repaired, 1 still open");

    // The supervisor sees the same figures; anybody else does not learn the therapist exists.
    let sup = app.sign_in("sue@example.org").await;
    let (status, theirs) = sup.get(&format!("/supervision/therapists/{pat}")).await;
    assert_eq!(status, 200);
    assert_eq!(figure(&theirs, "Alliance level"), "19.5");
    assert_eq!(figure(&theirs, "Alliance trend"), "+0.25 per session");
    assert!(theirs.contains("Patterns: pat"));
    for email in ["oz@example.org", "hal@example.org", "rita@example.org"] {
        let other = app.sign_in(email).await;
        assert!(matches!(other.get(&format!("/supervision/therapists/{pat}")).await.0, 403 | 404), "{email}");
    }
    assert_eq!(sup.get(&format!("/supervision/therapists/{sue}")).await.0, 404, "a supervisor has no patterns page");
    assert_eq!(sup.get("/patterns").await.0, 403);
    let audit = app.store.audit_events(500).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "read" && e.object_kind == "patterns"));
    assert!(audit.iter().any(|e| e.action == "read-denied" && e.object_kind == "patterns"));
}

/// What the therapist wants to bring to supervision: written by the client's own therapist while the session is
/// shared, shown to the supervisor escaped, never writable by anyone else, and audited.
#[tokio::test]
async fn the_therapist_says_what_to_bring_to_supervision_and_only_they_can() {
    let p = practice().await;
    let store = p.app.store.clone();
    let focus = |s: i64| {
        let store = store.clone();
        async move { store.supervision_focus(SessionId(s)).await.unwrap() }
    };
    let path = format!("/sessions/{}/supervision-focus", p.shared);
    let sue = p.app.sign_in("sue@example.org").await;

    // Refused before anything is stored: cross-site, too long, control characters; the supervisor, another
    // therapist, and a session that is not shared.
    let (status, _, _) = p.gil_me.post_raw(&path, &[("focus", "forged")]).await;
    assert_eq!(status, 403, "no anti-forgery token");
    let long = "ü".repeat(4001);
    let (status, _, body) = p.gil_me.post(&path, &[("focus", long.as_str())]).await;
    assert_eq!((status, body.contains("this one has 4001")), (400, true), "{body}");
    let (status, _, _) = p.gil_me.post(&path, &[("focus", "bell\u{7}")]).await;
    assert_eq!(status, 400);
    let (status, _, _) = sue.post(&path, &[("focus", "the supervisor's words")]).await;
    assert_eq!(status, 403, "a supervisor does not write the therapist's focus");
    let (status, _, _) = p.hal_me.post(&path, &[("focus", "another therapist")]).await;
    assert_eq!(status, 404, "another therapist's client does not exist for Hal");
    let unshared = format!("/sessions/{}/supervision-focus", p.unshared);
    let (status, _, body) = p.hal_me.post(&unshared, &[("focus", "not shared")]).await;
    assert_eq!((status, body.contains("Take this session to supervision")), (400, true), "{body}");
    assert_eq!((focus(p.shared).await, focus(p.unshared).await), (None, None), "nothing stored");

    // Gil writes it; the form shows it back; the supervisor reads it, escaped.
    let text = "Am I rescuing her? <script>alert(1)</script>";
    let (status, url, page) = p.gil_me.post(&path, &[("focus", text)]).await;
    assert_eq!((status, url), (200, format!("/sessions/{}", p.shared)));
    assert!(page.contains("What I want to bring to supervision"), "{page}");
    assert!(page.contains("Am I rescuing her? &#60;script&#62;alert(1)&#60;/script&#62;"), "{page}");
    assert_eq!(focus(p.shared).await.as_deref(), Some(text));
    let (status, seen) = sue.get(&format!("/sessions/{}", p.shared)).await;
    assert_eq!(status, 200);
    assert!(seen.contains("What the therapist wants to bring"), "{seen}");
    assert!(seen.contains("Am I rescuing her? &#60;script&#62;") && !seen.contains("<script>alert"), "{seen}");
    assert!(!seen.contains(r#"name="focus""#), "the supervisor gets no form for it");

    // An empty text clears it.
    let (status, _, _) = p.gil_me.post(&path, &[("focus", "  \r\n ")]).await;
    assert_eq!(status, 200);
    assert_eq!(focus(p.shared).await, None);
    let audit = store.audit_events(100).await.unwrap();
    let writes = audit.iter().filter(|e| e.action == "write" && e.object_kind == "supervision-focus").count();
    assert_eq!(writes, 2, "each change audited, as supervision");
    assert!(audit.iter().all(|e| e.object_kind != "supervision-focus" || e.purpose == "supervision"));
}

/// Issue 13 (pages at scale): the supervisor's pages count per supervisee and page their lists, so a practice of
/// 1,000 clients does not become one page of everything. Gil shares 28 reflections (none commented on) and has
/// 12 clients; the home shows counts, the 10 newest waiting and the 10 most urgent clients, and the lists page by 25.
#[tokio::test]
async fn supervisor_pages_count_per_supervisee_and_page_long_lists() {
    let p = practice().await;
    let (_, page) = p.gil_me.get(&format!("/clients/{}", p.hazel)).await;
    let episode = number_after(&page, "action=\"/episodes/");
    for day in 1..=27 {
        let held_on = format!("2026-11-{day:02}");
        let (status, url, _) = p
            .gil_me
            .post(&format!("/episodes/{episode}/sessions"), &[("held_on", &held_on), ("attended", "yes")])
            .await;
        assert_eq!(status, 200);
        let session: i64 = url.trim_start_matches("/sessions/").parse().unwrap();
        reflect(&p.gil_me, session, "yes", &["protective"], "2").await;
    }
    for n in 1..=11 {
        let name = format!("Extra Client {n:02}");
        let fields = [("pseudonym", name.as_str()), ("measure", "phq9"), ("started_on", "2026-11-01")];
        assert_eq!(p.gil_me.post("/clients/new", &fields).await.0, 200);
    }
    let sue = p.app.sign_in("sue@example.org").await;
    let reads = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            let events = store.audit_events(100_000).await.unwrap();
            events.iter().filter(|e| e.action == "read" && e.object_kind == "reflection").count()
        }
    };

    // Home: counts per supervisee, the newest 10 waiting, the 10 most urgent clients and a link to the rest.
    let before = reads(&p.app).await;
    let (status, home) = sue.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("28 waiting:"), "{home}");
    assert!(home.contains(&format!(r#"<a href="/supervision?therapist={}">gil 28</a>"#, p.gil)), "{home}");
    let gil_at = home.find(&format!(r#"id="therapist-{}">gil</h2>"#, p.gil)).unwrap();
    assert_eq!(home[..gil_at].matches("#supervision\"").count(), 10, "the newest 10 waiting");
    assert_eq!(reads(&p.app).await - before, 10, "only the reflections shown are audited as read");
    let gil_group = &home[gil_at..home.find(&format!(r#"id="therapist-{}""#, p.hal)).unwrap()];
    assert!(gil_group.contains("12 clients · "), "{gil_group}");
    assert_eq!(gil_group.matches("<tr class=").count(), 10);
    assert!(
        gil_group.contains(&format!(
            r#"href="/supervision/therapists/{}/clients">All 12 clients of gil</a> (2 more"#,
            p.gil
        ))
    );

    // Shared reflections: counts per supervisee, then 25 a page, newest first.
    let (status, list) = sue.get("/supervision").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!(r#"?therapist={}">gil</a></th><td>28</td><td>28</td>"#, p.gil)), "{list}");
    assert!(list.contains(&format!(r#"?therapist={}">hal</a></th><td>0</td><td>0</td>"#, p.hal)));
    assert_eq!(list.matches("<article").count(), 25);
    assert!(list.contains(r#"href="/supervision?page=2">Older</a>"#) && !list.contains(">Newer<"));
    let (_, second) = sue.get("/supervision?page=2").await;
    assert_eq!(second.matches("<article").count(), 3);
    assert!(second.contains(r#"href="/supervision?page=1">Newer</a>"#) && !second.contains(">Older<"));
    assert!(second.contains("· 1 Nov 2026 ·"), "the oldest come last: {second}");
    let (_, beyond) = sue.get("/supervision?page=9").await;
    assert!(beyond.contains("No reflections on this page.") && !beyond.contains("<article"));
    let (_, hal_only) = sue.get(&format!("/supervision?therapist={}", p.hal)).await;
    assert!(hal_only.contains("Shared by hal") && hal_only.contains("Nothing shared yet."));
    let (_, gil_only) = sue.get(&format!("/supervision?therapist={}&page=2", p.gil)).await;
    assert!(
        gil_only.contains(&format!(r#"href="/supervision?therapist={}&#38;page=1">Newer</a>"#, p.gil)),
        "{gil_only}"
    );
    for bad in ["/supervision?page=0", "/supervision?page=two", "/supervision?page=", "/supervision?sort=new"] {
        assert_eq!(sue.get(bad).await.0, 400, "{bad}");
    }
    assert_eq!(sue.get("/supervision?therapist=999999").await.0, 404, "not a supervisee");
    assert_eq!(sue.get("/supervision?therapist=x").await.0, 400);

    // One supervisee's whole caseload, paged; only their supervisor sees it.
    let path = format!("/supervision/therapists/{}/clients", p.gil);
    let (status, all) = sue.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(all.matches("<tr class=").count(), 12);
    assert!(all.contains("Hazel Tern") && all.contains("Extra Client 11") && !all.contains("Less urgent"));
    let (_, empty) = sue.get(&format!("{path}?page=2")).await;
    assert!(empty.contains("No clients on this page.") && empty.contains(r#"href="?page=1">More urgent</a>"#));
    assert_eq!(sue.get(&format!("{path}?page=-1")).await.0, 400);
    assert_eq!(sue.get(&format!("/supervision/therapists/{}/clients?therapist=1", p.gil)).await.0, 400);
    let oz = p.app.sign_in("oz@example.org").await;
    assert_eq!(oz.get(&path).await.0, 404, "not Oz's supervisee");
    assert_ne!(p.gil_me.get(&path).await.0, 200, "a therapist does not get the supervisor's view");
}

/// Issue 14 finding 3: break-glass is for an emergency, so it opens the clinical record (the client's answers and
/// their course) and not what the therapist wrote about themselves: no reflection (feelings towards the client),
/// no supervision thread, no private note. Every read under it is audited as `break-glass`, never `supervision`.
#[tokio::test]
async fn break_glass_opens_the_record_but_not_reflections_or_the_supervision_thread() {
    let p = practice().await;
    let sue = p.app.sign_in("sue@example.org").await;
    let thread_path = format!("/sessions/{}/comments", p.shared);
    assert_eq!(sue.post(&thread_path, &[("body", "THREAD-TEXT-5521 only you two see this")]).await.0, 200);
    let root = p.app.sign_in("root@example.org").await;
    let grant = [
        ("client", p.hazel.to_string()),
        ("reason", "Therapist away; the GP asks about risk today".to_owned()),
        ("password", crate::app::PASSWORD.to_owned()),
    ];
    let fields: Vec<(&str, &str)> = grant.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, client_page) = root.post("/admin/break-glass", &fields).await;
    assert_eq!(status, 200, "{client_page}");
    assert!(client_page.contains("Hazel Tern"));
    let (status, session_page) = root.get(&format!("/sessions/{}", p.shared)).await;
    assert_eq!(status, 200);
    assert!(session_page.contains("PHQ-9"), "the clinical answers are there: {session_page}");
    for page in [&client_page, &session_page] {
        for secret in ["Helpless", "Protective", "THREAD-TEXT-5521", "PRIVATE-NOTE-7731", r#"id="supervision""#] {
            assert!(!page.contains(secret), "{secret} shown under break-glass");
        }
    }
    let root_id = p.app.store.user_by_email("root@example.org").await.unwrap().unwrap().id;
    let mine: Vec<_> =
        p.app.store.audit_events(10_000).await.unwrap().into_iter().filter(|e| e.actor == Some(root_id)).collect();
    assert!(mine.iter().all(|e| e.purpose != "supervision"), "{mine:?}");
    let reads: Vec<_> = mine.iter().filter(|e| e.action == "read").collect();
    assert!(reads.len() >= 2 && reads.iter().all(|e| e.purpose == "break-glass"), "{reads:?}");
}

/// The shared-reflections list is kept between views per client revision (issue 13, item 5): sharing, un-sharing
/// and a new comment still show at the very next view.
#[tokio::test]
async fn kept_shared_reflections_follow_sharing_and_comments_at_once() {
    let p = practice().await;
    let sue = p.app.sign_in("sue@example.org").await;
    let waiting = |home: &str| home.matches("#supervision\"").count();
    let (_, list) = sue.get("/supervision").await;
    assert!(!list.contains("Irritated"), "Hal's reflection is not shared yet");
    let (_, home) = sue.get("/").await;
    assert_eq!(waiting(&home), 1, "{home}");
    // Hal shares: the next view lists it.
    reflect(&p.hal_me, p.unshared, "yes", &["irritated"], "4").await;
    let (_, list) = sue.get("/supervision").await;
    assert!(list.contains("Irritated"), "{list}");
    let (_, home) = sue.get("/").await;
    assert_eq!(waiting(&home), 2, "{home}");
    // A comment on it: no longer waiting, although nothing of the client changed.
    let (status, _, _) =
        sue.post(&format!("/sessions/{}/comments", p.unshared), &[("body", "Let us talk about this one.")]).await;
    assert_eq!(status, 200);
    let (_, home) = sue.get("/").await;
    assert_eq!(waiting(&home), 1, "{home}");
    // Hal takes it back: gone at once.
    reflect(&p.hal_me, p.unshared, "no", &["irritated"], "4").await;
    let (_, list) = sue.get("/supervision").await;
    assert!(!list.contains("Irritated"), "{list}");
}
