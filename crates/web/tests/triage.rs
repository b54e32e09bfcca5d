//! The caseload as triage lays it out (docs/TRIAGE.md): one compact entry per client, and one damaged record
//! does not take the rest of the caseload down with it.

use crate::app::TestApp;

/// Issue 14, finding 10: a sealed pseudonym that no longer opens made the whole caseload answer 500.
#[tokio::test]
async fn a_damaged_record_is_marked_and_the_rest_of_the_caseload_shown() {
    let app = TestApp::spawn().await;
    app.user("tria@example.org", alliance_core::domain::Role::Therapist).await;
    let me = app.sign_in("tria@example.org").await;
    for name in ["Ada", "Ben", "Cy"] {
        let (status, _, _) = me.post("/clients/new", &[("pseudonym", name), ("started_on", "2026-11-01")]).await;
        assert_eq!(status, 200, "{name}");
    }
    // Damage Ben's sealed pseudonym: still in the sealed format, but no longer what the key sealed.
    let sql = "UPDATE clients SET pseudonym = substr(pseudonym, 1, length(pseudonym) - 4) || 'AAAA' \
               WHERE id = (SELECT min(id) + 1 FROM clients)";
    let pg = "UPDATE clients SET pseudonym = substr(pseudonym, 1, length(pseudonym) - 4) || 'AAAA' \
              WHERE id = (SELECT min(id) + 1 FROM clients)";
    app.raw_sql(&[sql], &[pg]).await;
    let (status, page) = me.get("/").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Ada") && page.contains("Cy"), "{page}");
    assert!(!page.contains("Ben"), "{page}");
    assert!(page.contains("Record damaged"), "{page}");
}
