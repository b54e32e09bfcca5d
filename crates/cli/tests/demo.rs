//! The demo practice asks what its measure schedule says is due (issue 16, item 5): the median number of
//! questions per check it prints is counted again here from the links in its database, by the catalogue's
//! items, and it is lower than asking every questionnaire at every session.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use alliance_core::catalog::Catalog;
use alliance_store::prelude::*;

use crate::path_str;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

#[test]
fn the_demo_asks_only_what_is_due_and_says_how_many_questions() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let mut demo = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["demo", "--data", path_str(&data), "--bind", "127.0.0.1:0", "--clients", "12"])
        .env_remove("ALLIANCE_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .map(Result::unwrap)
        .find(|l| l.starts_with("Questions per check"))
        .expect("the demo says how many questions a check asks");
    demo.kill().unwrap();
    demo.wait().unwrap();
    // "Questions per check: median 20 as scheduled (phq9=every:2, gad7=every:4), 27 with every questionnaire ..."
    let figure =
        |after: &str| -> f64 { line.split(after).nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap() };
    let (scheduled, every) = (figure("median "), figure("), "));
    assert!(line.contains("(phq9=every:2, gad7=every:4)"), "{line}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let counted = runtime.block_on(async {
        let store = open_demo_store(&data).await;
        let catalog = Catalog::builtin().unwrap();
        let questions = |id: &str| catalog.get(id).unwrap().items.iter().filter(|i| i.shown_if.is_none()).count();
        let therapists: Vec<_> = store.users().await.unwrap().into_iter().map(|u| u.id).collect();
        let clients: Vec<_> = store.clients_of(&therapists).await.unwrap().into_iter().map(|c| c.id).collect();
        let mut per_check = Vec::new();
        let mut phq_sessions = Vec::new();
        for session in store.sessions_of(&clients).await.unwrap() {
            for link in store.links_for_session(session.id).await.unwrap() {
                per_check.push(link.instruments.iter().map(|i| questions(i)).sum::<usize>() as f64);
                if link.instruments.iter().any(|i| i == "phq9") {
                    phq_sessions.push(session.number);
                }
            }
        }
        store.close().await;
        (per_check, phq_sessions, questions("relationship-check") + questions("phq9") + questions("gad7"))
    });
    let (per_check, phq_sessions, all) = counted;
    assert!(per_check.len() > 40, "{} checks", per_check.len());
    assert_eq!(scheduled, median(per_check), "the printed median is the links' own");
    assert_eq!(every, all as f64, "every questionnaire at every session");
    assert!(scheduled < every, "the schedule asks fewer questions: {scheduled} of {every}");
    assert!(phq_sessions.iter().all(|n| n % 2 == 1), "the PHQ-9 only at sessions 1, 3, 5, ...");
}

/// The demo's supervision (issue 20): one client's overruns growing over their last four sessions, taken to
/// supervision; last week's meeting about them, with an action still open on that client's page.
#[test]
fn the_demo_has_growing_overruns_taken_to_supervision_and_a_meeting_with_an_open_action() {
    use alliance_core::boundaries::Crossing;
    use alliance_core::domain::Role;
    use alliance_store::MeetingsOf;
    let dir = tempfile::tempdir().unwrap();
    let data = crate::demo_practice(dir.path(), 12);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = open_demo_store(&data).await;
        let users = store.users().await.unwrap();
        let supervisor = users.iter().find(|u| u.role == Role::Supervisor).unwrap().id;
        let therapists: Vec<_> = users.iter().filter(|u| u.role == Role::Therapist).map(|u| u.id).collect();
        let shared = store.shared_boundary_events(&therapists).await.unwrap();
        let mut minutes: Vec<(time::Date, u16)> = shared
            .iter()
            .filter_map(|e| match e.crossing {
                Crossing::Overrun { minutes } => Some((e.occurred_on, minutes)),
                _ => None,
            })
            .collect();
        minutes.sort();
        assert_eq!(minutes.iter().map(|m| m.1).collect::<Vec<_>>(), [5, 10, 15, 20], "growing, in date order");
        let client = shared[0].client;
        assert!(shared.iter().all(|e| e.client == client), "one client's, and only the shared events");
        let (count, meetings) = store.meetings(MeetingsOf::Supervisor(supervisor), 0, 10).await.unwrap();
        assert_eq!(count, 1);
        let meeting = &meetings[0];
        assert_eq!(meeting.items.len(), 4, "the four overruns were discussed");
        assert!(meeting.agreed.as_deref().is_some_and(|a| a.contains("ending")), "what was agreed, unsealed again");
        let open = store.open_actions(client, meeting.therapist).await.unwrap();
        assert_eq!(open.len(), 1, "the agreed action comes back on the client's page");
        store.close().await;
    });
}

/// The demo's transcripts (issue 21): three sessions of the first therapist, written for the demo and coded by
/// the rule coder; the strained one has rupture markers, the warm one none.
#[test]
fn the_demo_attaches_three_coded_transcripts_one_with_rupture_markers() {
    use alliance_core::domain::Role;
    let dir = tempfile::tempdir().unwrap();
    let data = crate::demo_practice(dir.path(), 12);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = open_demo_store(&data).await;
        let users = store.users().await.unwrap();
        let therapists: Vec<_> = users.iter().filter(|u| u.role == Role::Therapist).map(|u| u.id).collect();
        let clients: Vec<_> = store.clients_of(&therapists).await.unwrap().iter().map(|c| c.id).collect();
        let all = store.transcript_indicators_of(&clients).await.unwrap();
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all.iter().all(|t| t.coder == "rules" && t.indicators.utterances == 8));
        let mut markers: Vec<i64> = all.iter().map(|t| t.indicators.markers).collect();
        markers.sort_unstable();
        assert_eq!(markers[0], 0, "the warm session has none");
        assert!(markers[2] >= 2, "the strained one has its minimal answers and complaint marked: {markers:?}");
        let strained = all.iter().find(|t| t.indicators.markers == markers[2]).unwrap();
        let stored = store.transcript(strained.session).await.unwrap().unwrap();
        assert!(stored.text.contains("You keep saying that"), "the demo's own words, sealed and opened");
        store.close().await;
    });
}

/// The demo practice's database, opened with the key file the demo wrote.
async fn open_demo_store(data: &std::path::Path) -> alliance_store::SqliteStore {
    let keys = alliance_store::key_file::read(&data.join("keys").join("alliance.keys")).unwrap();
    alliance_store::SqliteStore::open(&data.join("alliance.db"), &keys).await.unwrap()
}
