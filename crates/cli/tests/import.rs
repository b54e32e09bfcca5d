//! `alliance import history` (issue 19, item 5) on a demo practice: a dry run says what would be added and
//! stores nothing; the import adds it, audited; a second import adds nothing; a bad file lists every bad row
//! with its line and column and stores nothing; an unknown therapist is a conflict that stores nothing.

use alliance_store::prelude::*;

use crate::{alliance, demo_practice, path_str, temp_csv};

const HEADER: &str = "pseudonym,therapist,started_on,session,held_on,attended,instrument,item,value";

fn phq9(pseudonym: &str, session: u32, held_on: &str, value: u8) -> String {
    (1..=9)
        .map(|i| format!("{pseudonym},therapist1@demo.invalid,2026-01-05,{session},{held_on},yes,phq9,{i},{value}\n"))
        .collect()
}

/// The practice's clients (pseudonyms), PHQ-9 totals of "Imported" clients, and audit entries of the import.
fn practice(data: &std::path::Path) -> (Vec<String>, Vec<f64>, usize) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let keys = alliance_store::key_file::read(&data.join("keys").join("alliance.keys")).unwrap();
        let store = alliance_store::SqliteStore::open(&data.join("alliance.db"), &keys).await.unwrap();
        let users: Vec<_> = store.users().await.unwrap().into_iter().map(|u| u.id).collect();
        let clients = store.clients_of(&users).await.unwrap();
        let imported: Vec<_> = clients.iter().filter(|c| c.pseudonym.starts_with("Imported")).map(|c| c.id).collect();
        let mut totals: Vec<f64> = store
            .score_points(&imported)
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.instrument == "phq9" && p.scale == "total")
            .filter_map(|p| p.value)
            .collect();
        totals.sort_by(f64::total_cmp);
        let audited = store.audit_events(100_000).await.unwrap().iter().filter(|e| e.action == "import").count();
        store.close().await;
        (clients.into_iter().map(|c| c.pseudonym).collect(), totals, audited)
    })
}

#[test]
fn a_history_is_imported_once_after_a_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_practice(dir.path(), 12);
    let (before, _, _) = practice(&data);
    let mut text = format!("{HEADER}\n");
    text += &phq9("Imported Fox", 1, "2026-01-05", 2);
    text += "Imported Fox,therapist1@demo.invalid,2026-01-05,2,2026-01-12,no,,,\n";
    text += &phq9("Imported Fox", 3, "2026-01-19", 1);
    text += "Imported Wren,therapist1@demo.invalid,2026-01-05,1,2026-01-06,yes,,,\n";
    let file = temp_csv(&text);
    let args = |extra: &[&str]| {
        let mut a = vec!["import", "history", "--file", path_str(&file), "--data", path_str(&data)];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        alliance(&a.iter().map(String::as_str).collect::<Vec<_>>()).ok()
    };

    let dry = run(&["--dry-run"]);
    assert!(dry.stdout.contains("would add: 2 clients, 2 episodes, 4 sessions, 2 questionnaires"), "{}", dry.stdout);
    assert_eq!(practice(&data).0, before, "a dry run stores nothing");

    let first = run(&[]);
    assert!(first.stdout.contains("added: 2 clients, 2 episodes, 4 sessions, 2 questionnaires"), "{}", first.stdout);
    let (after, totals, audited) = practice(&data);
    assert_eq!(after.len(), before.len() + 2);
    // The PHQ-9 totals are the item sums: 9 x 1 and 9 x 2.
    assert_eq!(totals, [9.0, 18.0]);
    assert_eq!(audited, 2 + 2 + 4 + 2 + 1, "every record and the import itself are audited");

    let second = run(&[]);
    assert!(second.stdout.contains("added: 0 clients, 0 episodes, 0 sessions, 0 questionnaires"), "{}", second.stdout);
    assert!(second.stdout.contains("already there: 2 clients, 2 episodes, 4 sessions, 2 questionnaires"));
    let (again, totals_again, _) = practice(&data);
    assert_eq!((again.len(), totals_again), (after.len(), totals), "nothing stored twice");
}

#[test]
fn bad_rows_and_conflicts_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_practice(dir.path(), 12);
    let (before, _, _) = practice(&data);
    let mut text = format!("{HEADER}\n");
    text += &phq9("Imported Fox", 1, "2026-01-05", 2).replace(",phq9,4,2", ",phq9,4,9");
    text += "Imported Fox,therapist1@demo.invalid,2026-01-05,x,2026-01-12,no,,,\n";
    let file = temp_csv(&text);
    let run = alliance(&["import", "history", "--file", path_str(&file), "--data", path_str(&data), "--dry-run"]);
    assert!(!run.success);
    assert!(run.stdout.contains("line 5, column `value`"), "{}", run.stdout);
    assert!(run.stdout.contains("line 11, column `session`"), "{}", run.stdout);
    assert!(run.stderr.contains("2 bad rows") && run.stderr.contains("nothing was stored"), "{}", run.stderr);

    let unknown = temp_csv(&format!("{HEADER}\nImported Owl,nobody@demo.invalid,2026-01-05,1,2026-01-05,yes,,,\n"));
    let run = alliance(&["import", "history", "--file", path_str(&unknown), "--data", path_str(&data)]);
    assert!(!run.success);
    assert!(run.stdout.contains("nobody@demo.invalid: no active therapist account"), "{}", run.stdout);
    assert_eq!(practice(&data).0, before, "nothing stored");
    let missing = dir.path().join("nothing.csv");
    alliance(&["import", "history", "--file", path_str(&missing), "--data", path_str(&data)])
        .refused()
        .says(&["nothing.csv"]);
}
