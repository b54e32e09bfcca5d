//! The researcher's export: de-identified, session-level, behind password re-entry and audited; and no
//! identifiable page for a researcher.

use alliance_core::domain::Role;

use crate::app::{PASSWORD, TestApp, client_with_link, complete_answers, hidden, number_after};
use crate::supervision::answer_link_with;

#[tokio::test]
async fn the_export_is_de_identified_and_matches_what_was_submitted() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    let rita = app.user("rita@example.org", Role::Researcher).await;
    app.supervise(sue, ana).await;
    // A client with contact details, one answered check (PHQ-9 8 x 2 + 0 = 16, GAD-7 7 x 1 = 7, alliance
    // 6 x 4 = 24, a rupture reported) on 28 Nov for an episode started 1 Nov (day 27), and a reflection with
    // a private note.
    let (me, client, session, token) = client_with_link(&app, "ana@example.org", "Zephyrine Quill").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    // Research use is the client's choice, asked with their first check: Zephyrine and Quentin agree.
    fields.push(("consent-research".into(), "yes".into()));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "3")).collect();
    reflection.extend([("rupture", "no"), ("supervision", "yes"), ("note", "FREETEXT-MARKER-5521")]);
    assert_eq!(me.post(&format!("/sessions/{session}/reflection"), &reflection).await.0, 200);
    // Zephyrine's session has a transcript (issue 21): ten therapist words of nineteen (the client's nine count
    // "transcript" and "words" apart), words that must not leave.
    let transcript = "Dr Lee: what brings you here today\nZephyrine: my sister made me come\n\
                      Dr Lee: you feel pushed into this\nZephyrine: yes exactly TRANSCRIPT-WORDS\n";
    let (status, _, _) = me.post(&format!("/sessions/{session}/transcript"), &[("text", transcript)]).await;
    assert_eq!(status, 200);
    let roles = [("text", transcript), ("confirm", "yes"), ("role-0", "therapist"), ("role-1", "client")];
    assert_eq!(me.post(&format!("/sessions/{session}/transcript"), &roles).await.0, 200);
    // The markers are shown beside the client's own report of a strain in this session's check.
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("In this session&#39;s check the client reported a strain in the relationship."));
    // A second client: a rupture reported and talked through in the session of 20 Nov (day 10 of an episode
    // started 10 Nov), alliance 5 + 5 + 4 + 4 + 3 + 2 = 23.
    let (status, url, _) = me
        .post(
            "/clients/new",
            &[("pseudonym", "Quentin Ash"), ("contact", "quentin@example.org"), ("started_on", "2026-11-10")],
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = me.get(&url).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let (_, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-20"), ("attended", "yes")]).await;
    let (_, _, page) = me.post(&format!("{url}/links"), &[]).await;
    let quentin_token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    answer_link_with(&app, &quentin_token, ["5", "5", "4", "4", "3", "2"], ("yes", "yes"), "yes").await;
    // Willow answers too but does not agree to research use: none of her answers is exported.
    let (status, url, _) =
        me.post("/clients/new", &[("pseudonym", "Willow Marsh"), ("started_on", "2026-11-10")]).await;
    assert_eq!(status, 200);
    let (_, page) = me.get(&url).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let (_, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-21"), ("attended", "yes")]).await;
    let (_, _, page) = me.post(&format!("{url}/links"), &[]).await;
    let willow_token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    answer_link_with(&app, &willow_token, ["2", "2", "2", "2", "2", "2"], ("no", ""), "no").await;
    // And a client with no session at all: no rows.
    assert_eq!(me.post("/clients/new", &[("pseudonym", "Rowan Vale"), ("started_on", "2026-11-10")]).await.0, 200);

    let researcher = app.sign_in("rita@example.org").await;
    let (status, page) = researcher.get("/research").await;
    assert_eq!(status, 200);
    assert!(page.contains("File format") && !page.contains("Zephyrine"));
    let exports = || async {
        app.store.audit_events(1000).await.unwrap().into_iter().filter(|e| e.action == "export").collect::<Vec<_>>()
    };

    // The password is asked again: missing or wrong, no data and no export.
    for wrong in [&[][..], &[("password", "not my password")][..]] {
        let (status, _, body) = researcher.post("/research/export", wrong).await;
        assert!(matches!(status, 400 | 401 | 403), "{wrong:?}: {status}");
        assert!(!body.contains("client,therapist"));
    }
    let (status, _, _) = researcher.post_raw("/research/export", &[("password", PASSWORD)]).await;
    assert_eq!(status, 403, "cross-site export refused");
    assert!(exports().await.is_empty());
    let failed = app.store.audit_events(1000).await.unwrap();
    let refused = failed.iter().filter(|e| e.actor == Some(rita) && e.action.contains("fail")).count();
    assert_eq!(refused, 2, "wrong passwords are audited");

    let response = researcher
        .browser
        .post(format!("{}/research/export", app.url))
        .form(&[("csrf", researcher.csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/csv") && disposition.starts_with("attachment"));
    let csv = response.text().await.unwrap();

    // Nothing identifying: no pseudonym, contact, free text, therapist name or e-mail, date, or reflection.
    for marker in [
        "Zephyrine",
        "Quill",
        "Quentin",
        "Rowan",
        "quentin@example.org",
        "FREETEXT-MARKER",
        "ana",
        "2026-",
        "therapist-reflection",
        "sister",
        "TRANSCRIPT-WORDS",
        "Dr Lee",
    ] {
        assert!(!csv.contains(marker), "{marker} leaked into the export:\n{csv}");
    }
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(csv.lines().next().unwrap(), alliance_web::research_csv_header());
    assert!(rows.iter().all(|r| r.len() == 23), "{csv}");
    // Research ids are keyed hashes (the store's own, for this practice's key), not database ids.
    use alliance_store::ResearchKind;
    let ids = [client.to_string(), ana.0.to_string(), rita.0.to_string(), sue.0.to_string(), session.to_string()];
    assert!(rows.iter().any(|r| r[0] == app.store.research_id(ResearchKind::Client, client)), "Zephyrine's id");
    assert!(rows.iter().all(|r| r[1] == app.store.research_id(ResearchKind::Therapist, ana.0)), "Ana's id");
    for r in &rows {
        for (code, prefix) in [(r[0], 'C'), (r[1], 'T')] {
            assert!(code.len() == 17 && code.starts_with(prefix), "{code}");
            assert!(code[1..].chars().all(|c| c.is_ascii_hexdigit()));
            assert!(!ids.iter().any(|id| code == id.as_str() || code[1..] == *id), "{code}");
        }
    }
    // The numbers match what was submitted. Zephyrine (the only one with a PHQ-9): session 1, day 27, attended,
    // each score, a rupture reported (its onset) and not talked through (no repair).
    let zephyrine = rows.iter().find(|r| r[6] == "phq9").unwrap()[0];
    let score = |client: &str, instrument: &str, scale: &str| {
        rows.iter()
            .find(|r| r[0] == client && r[6] == instrument && r[7] == scale)
            .unwrap_or_else(|| panic!("{instrument} {scale}"))
    };
    for (instrument, scale, value) in
        [("relationship-check", "alliance", "24"), ("phq9", "total", "16"), ("gad7", "total", "7")]
    {
        let r = score(zephyrine, instrument, scale);
        assert_eq!(&r[2..6], &["1", "1", "27", "1"], "{r:?}");
        assert_eq!(r[8], value, "{instrument} {scale}");
        assert_eq!(&r[9..12], &["1", "1", "0"], "rupture reported, its onset, no repair");
        // The transcript's numbers on every row of the session: the rule coder, four utterances, and the
        // therapist's share of the words exactly 10 / 19.
        assert_eq!(&r[12..15], &["rules", "4", "0"], "{r:?}");
        assert_eq!(r[19].parse::<f64>().unwrap(), 10.0 / 19.0, "{r:?}");
    }
    // Quentin: session 1, day 10, alliance 23, a rupture reported and repaired (talked through) in that session.
    let quentin = rows.iter().find(|r| r[0] != zephyrine).unwrap()[0];
    let r = score(quentin, "relationship-check", "alliance");
    assert_eq!(&r[2..12], &["1", "1", "10", "1", "relationship-check", "alliance", "23", "1", "1", "1"]);
    assert!(r[12..].iter().all(|c| c.is_empty()), "no transcript, no transcript numbers: {r:?}");
    assert!(rows.iter().filter(|r| r[0] == quentin).all(|r| r[6] == "relationship-check"), "no outcome measure chosen");
    let codes: std::collections::HashSet<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(codes.len(), 2, "the client without sessions and the one who did not agree have no rows");
    assert!(!rows.iter().any(|r| r[6] == "relationship-check" && r[7] == "alliance" && r[8] == "12"), "Willow's 12");
    assert_eq!(rows.iter().map(|r| r[1]).collect::<std::collections::HashSet<_>>().len(), 1, "one therapist code");

    // A second export gives the same ids, so a study can join its downloads; the Parquet file holds the same rows.
    let again = researcher.post("/research/export", &[("password", PASSWORD)]).await.2;
    assert_eq!(again, csv, "the same data, the same ids");
    let parquet = researcher.post_bytes("/research/export", &[("password", PASSWORD), ("format", "parquet")]).await;
    assert_eq!(parquet_rows(&parquet), rows.iter().map(|r| r.join(",")).collect::<Vec<_>>());
    let (status, _, _) = researcher.post("/research/export", &[("password", PASSWORD), ("format", "xlsx")]).await;
    assert_eq!(status, 400, "an unknown format is refused before anything is read");
    let (status, dictionary) = researcher.get("/research/dictionary").await;
    assert_eq!(status, 200);
    assert_eq!(dictionary.lines().count(), 24, "a header and one line per column");
    let exports = exports().await;
    assert_eq!(exports.len(), 3, "CSV twice and Parquet once");
    assert!(exports.iter().all(|e| e.purpose == "research" && e.actor == Some(rita)));
}

#[tokio::test]
async fn a_researcher_sees_no_identifiable_page() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    app.user("rita@example.org", Role::Researcher).await;
    app.supervise(sue, ana).await;
    let (_, client, session, _) = client_with_link(&app, "ana@example.org", "Zephyrine Quill").await;
    let researcher = app.sign_in("rita@example.org").await;
    let (status, home) = researcher.get("/").await;
    assert_eq!(status, 200);
    assert!(
        home.contains("Research data") && !home.contains("Zephyrine"),
        "the researcher's home is the research page"
    );
    for path in [
        format!("/clients/{client}"),
        format!("/sessions/{session}"),
        format!("/sessions/{session}/reflection"),
        format!("/supervision/therapists/{ana}"),
    ] {
        // Refused by the route's role rule (403) or by the record rule (404): either way, nothing shown.
        assert!(matches!(researcher.get(&path).await.0, 403 | 404), "{path}");
    }
    for path in ["/supervision", "/patterns", "/clients/new"] {
        assert_eq!(researcher.get(path).await.0, 403, "{path}");
    }
    for path in [
        format!("/sessions/{session}/comments"),
        format!("/sessions/{session}/links"),
        format!("/clients/{client}/acknowledgements"),
    ] {
        assert!(matches!(researcher.post(&path, &[("body", "x"), ("signal", "x")]).await.0, 403 | 404), "{path}");
    }
    // And the research page is the researcher's alone.
    let therapist = app.sign_in("ana@example.org").await;
    assert_eq!(therapist.get("/research").await.0, 403);
    let (status, _, _) = therapist.post("/research/export", &[("password", crate::app::PASSWORD)]).await;
    assert_eq!(status, 403);
}

/// After a client moves to another therapist, each session stays attributed to the therapist who held it (the
/// export said the episode's opener for every session).
#[tokio::test]
async fn sessions_are_attributed_to_the_therapist_who_held_them_after_a_move() {
    let app = TestApp::spawn().await;
    let leaving = app.user("leaving@example.org", Role::Therapist).await;
    let staying = app.user("staying@example.org", Role::Therapist).await;
    app.user("rae@example.org", Role::Researcher).await;
    let (first, client, _, token) = client_with_link(&app, "leaving@example.org", "Moth Reed").await;
    answer_completely(&app, &token).await;
    let (_, page) = first.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let now = time::OffsetDateTime::now_utc()
        + time::Duration::seconds(app.clock_offset.load(std::sync::atomic::Ordering::SeqCst));
    let audit = alliance_store::AuditEvent::system(now, "client-move", "client", "administration");
    let moved = app.store.move_clients(leaving, staying, Some(alliance_store::ClientId(client)), audit).await.unwrap();
    assert_eq!(moved.len(), 1);
    app.advance(60);
    let second = app.sign_in("staying@example.org").await;
    let (status, url, _) =
        second.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-12-01"), ("attended", "yes")]).await;
    assert_eq!(status, 200);
    let (_, _, page) = second.post(&format!("{url}/links"), &[]).await;
    let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    answer_completely(&app, &token).await;

    let researcher = app.sign_in("rae@example.org").await;
    let csv = researcher.post("/research/export", &[("password", PASSWORD)]).await.2;
    // client,therapist,episode,session,...: one therapist code per session number.
    let mut by_session: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        by_session.entry(cells[3].to_owned()).or_default().insert(cells[1].to_owned());
    }
    assert_eq!(by_session.len(), 2, "{csv}");
    assert!(by_session.values().all(|codes| codes.len() == 1), "{by_session:?}");
    assert_ne!(by_session["1"], by_session["2"], "session 1 was the leaving therapist's, 2 the new one's: {csv}");
}

/// Answers a link to the relationship check, PHQ-9 and GAD-7 completely, as the client would.
async fn answer_completely(app: &TestApp, token: &str) {
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    fields.push(("consent-research".into(), "yes".into()));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);
}

/// Creates a client with one held session whose link is answered with `alliance` per item and the research
/// choice `research`.
async fn answered_client(app: &TestApp, me: &crate::app::Session, pseudonym: &str, alliance: &str, research: &str) {
    let (status, url, _) = me.post("/clients/new", &[("pseudonym", pseudonym), ("started_on", "2026-11-10")]).await;
    assert_eq!(status, 200);
    let (_, page) = me.get(&url).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let (_, url, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-20"), ("attended", "yes")]).await;
    let (_, _, page) = me.post(&format!("{url}/links"), &[]).await;
    let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    answer_link_with(app, &token, [alliance; 6], ("no", ""), research).await;
}

/// The practice research report on the researcher's page (issue 19): consenting clients only, made again only
/// after a practice refit, naming no one, and its reading of the data audited.
#[tokio::test]
async fn the_research_page_shows_the_practice_report_for_consenting_clients() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("rita@example.org", Role::Researcher).await;
    let me = app.sign_in("ana@example.org").await;
    answered_client(&app, &me, "Orla Finch", "4", "yes").await;
    answered_client(&app, &me, "Piers Wren", "3", "yes").await;
    answered_client(&app, &me, "Quinn Dale", "5", "no").await;
    app.state.app.refresh_practice(time::OffsetDateTime::now_utc()).await.unwrap();

    let rita = app.sign_in("rita@example.org").await;
    let (status, page) = rita.get("/research").await;
    assert_eq!(status, 200);
    assert!(page.contains("is being made"), "the first view starts the report and does not wait for it");
    app.state.app.research_report_ready(time::OffsetDateTime::now_utc()).await;
    let (_, page) = rita.get("/research").await;
    let report = page.split("id=\"report\"").nth(1).expect("the report is on the page");
    assert!(report.contains("2 courses of care"), "two of three clients consented: {report}");
    for section in ["report-lagged", "report-therapists", "report-reliability", "report-ruptures", "report-outcomes"] {
        assert!(report.contains(&format!("id=\"{section}\"")), "{section}");
    }
    assert!(report.contains("Not enough data for this part yet."), "two single sessions fit no model");
    assert!(report.contains("This practice&#39;s data, not a norm."));
    assert!(page.contains("id=\"report-computed\""));
    for name in ["Orla", "Piers", "Quinn", "ana@example.org"] {
        assert!(!page.contains(name), "{name} on the research page");
    }
    let reads = || async {
        let events = app.store.audit_events(10_000).await.unwrap();
        events.iter().filter(|e| e.action == "batch-read" && e.purpose == "research").count()
    };
    assert_eq!(reads().await, 1);

    // A new consenting client appears after the next refit, not before; the report is not read again meanwhile.
    answered_client(&app, &me, "Rhea Moss", "2", "yes").await;
    let (_, page) = rita.get("/research").await;
    assert!(page.contains("2 courses of care"), "the report is the last refit's");
    assert_eq!(reads().await, 1, "a second view reuses the report");
    app.state.app.refresh_practice(time::OffsetDateTime::now_utc()).await.unwrap();
    let (_, page) = rita.get("/research").await;
    assert!(
        page.contains("2 courses of care") && page.contains("newer data is being made"),
        "the last report meanwhile"
    );
    app.state.app.research_report_ready(time::OffsetDateTime::now_utc()).await;
    let (_, page) = rita.get("/research").await;
    assert!(page.contains("3 courses of care"), "made again after the refit");
    assert_eq!(reads().await, 2);
}

/// The Parquet file's rows read back with the `parquet` crate's record reader, as the CSV writes them.
fn parquet_rows(bytes: &[u8]) -> Vec<String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes)).unwrap();
    let meta = reader.metadata().file_metadata();
    let described =
        meta.key_value_metadata().unwrap().iter().filter(|kv| kv.key.starts_with("alliance.column.")).count();
    assert_eq!(described, 23, "the dictionary travels in the file");
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(name, field)| match field {
                    Field::Str(s) => s.clone(),
                    Field::Int(i) => i.to_string(),
                    // The transcript's shares go out at full precision, scores as the pages show them.
                    Field::Double(d) if name.starts_with("transcript_") => d.to_string(),
                    Field::Double(d) => alliance_web_number(*d),
                    Field::Null => String::new(),
                    other => panic!("unexpected {other:?}"),
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

/// Scores as the CSV writes them: whole numbers bare, others to one decimal.
fn alliance_web_number(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}
