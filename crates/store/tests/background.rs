//! A client's background in their own words (issue 20) on both engines: stored sealed, replaced, removed, read
//! per client, audited, and gone with the client.

use alliance_core::culture::{BackgroundText, YesNoUnsure};
use alliance_store::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::conformance::{ev, session_for};

const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

pub async fn a_client_writes_replaces_and_removes_their_background(store: &dyn Store) {
    let (client, _) = session_for(store, "background@example.org").await;
    let (other, _) = session_for(store, "background-other@example.org").await;
    let before = store.audit_events(10_000).await.unwrap().len();
    let words = BackgroundText::parse("Arabic and French at home — عربي").unwrap();
    let entry = |category, text| NewBackground { category, text, matters: YesNoUnsure::Yes, shared: YesNoUnsure::No };
    store.set_background(client, entry("language", &words), ev(), NOW).await.unwrap();
    let faith = BackgroundText::parse("Quaker").unwrap();
    store.set_background(client, entry("faith", &faith), ev(), NOW).await.unwrap();
    let mine = store.backgrounds_of(&[client]).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!((mine[0].category.as_str(), mine[0].text.as_str()), ("language", words.as_str()));
    assert_eq!((mine[0].matters, mine[0].shared, mine[0].consented_at), (YesNoUnsure::Yes, YesNoUnsure::No, NOW));
    assert!(store.backgrounds_of(&[other]).await.unwrap().is_empty(), "one client's answers are theirs");

    // Changed: one row, the new words, the first consent kept.
    let later = NOW + Duration::days(3);
    let changed = BackgroundText::parse("Arabic").unwrap();
    let new =
        NewBackground { category: "language", text: &changed, matters: YesNoUnsure::Unsure, shared: YesNoUnsure::Yes };
    store.set_background(client, new, ev(), later).await.unwrap();
    let mine = store.backgrounds_of(&[client]).await.unwrap();
    assert_eq!(mine.len(), 2);
    let language = mine.iter().find(|e| e.category == "language").unwrap();
    assert_eq!(
        (language.text.as_str(), language.matters, language.shared),
        ("Arabic", YesNoUnsure::Unsure, YesNoUnsure::Yes)
    );
    assert_eq!((language.consented_at, language.updated_at), (NOW, later));

    // Removed: gone; removing again says so.
    assert!(store.remove_background(client, "language", ev()).await.unwrap());
    assert!(!store.remove_background(client, "language", ev()).await.unwrap());
    let mine = store.backgrounds_of(&[client]).await.unwrap();
    assert_eq!(mine.iter().map(|e| e.category.as_str()).collect::<Vec<_>>(), ["faith"]);
    let events = store.audit_events(10_000).await.unwrap();
    assert_eq!(events.len(), before + 5, "every change audited, a removal of nothing too");
    assert!(events.iter().take(5).all(|e| e.object_id == Some(client.0)), "naming the client (newest first)");

    // Erased with the client.
    store.delete_client(client, ev()).await.unwrap();
    assert!(store.backgrounds_of(&[client]).await.unwrap().is_empty());
}
