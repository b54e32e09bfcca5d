//! One's own active sign-ins on the account page (ASVS 3.3.4): listed with browser, address and times, the
//! current one marked, each can be ended at once, and only one's own are seen or ended.

use alliance_core::domain::Role;

use crate::app::{PASSWORD, Session, TestApp, hidden};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                      Version/17.1 Mobile/15E148 Safari/604.1";

/// Signs in with a browser that says it is `agent`.
async fn sign_in_as(app: &TestApp, email: &str, agent: &str) -> Session {
    let browser = reqwest::Client::builder().cookie_store(true).user_agent(agent).build().unwrap();
    let page = browser.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let r = browser
        .post(format!("{}/login", app.url))
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/");
    let csrf = hidden(&r.text().await.unwrap(), "csrf");
    Session { browser, csrf, url: app.url.clone() }
}

/// The rows of the sign-in table: (row text, handle of its form).
fn rows(page: &str) -> Vec<(String, String)> {
    let table = page.split("Your active sign-ins").nth(1).unwrap().split("</table>").next().unwrap();
    table
        .split("<tr")
        .skip(2)
        .map(|row| {
            let handle = hidden(row, "sign_in");
            (row.to_owned(), handle)
        })
        .collect()
}

async fn signed_in(session: &Session) -> bool {
    let r = session.browser.get(format!("{}/account", session.url)).send().await.unwrap();
    r.url().path() == "/account"
}

#[tokio::test]
async fn each_sign_in_is_listed_and_ending_one_ends_it_at_once() {
    let app = TestApp::spawn().await;
    app.user("ann@example.org", Role::Therapist).await;
    app.user("bob@example.org", Role::Therapist).await;
    let laptop = sign_in_as(&app, "ann@example.org", FIREFOX).await;
    let phone = sign_in_as(&app, "ann@example.org", IPHONE).await;
    let bob = sign_in_as(&app, "bob@example.org", FIREFOX).await;

    let (status, page) = laptop.get("/account").await;
    assert_eq!(status, 200);
    let listed = rows(&page);
    assert_eq!(listed.len(), 2, "Ann's two sign-ins and not Bob's");
    let current: Vec<_> = listed.iter().filter(|(row, _)| row.contains("(this one)")).collect();
    assert_eq!(current.len(), 1);
    assert!(current[0].0.contains("Firefox on Linux"), "{}", current[0].0);
    let other = listed.iter().find(|(row, _)| !row.contains("(this one)")).unwrap();
    assert!(other.0.contains("Safari on iPhone") && other.0.contains("127.0.0.1"), "{}", other.0);
    assert!(!page.contains("Mobile/15E148"), "the user-agent is summarised, not shown");

    // Bob cannot end Ann's sign-in, even knowing its name; nor can a post without the token.
    let (status, _, _) = bob.post("/account/sign-ins/end", &[("sign_in", &other.1)]).await;
    assert_eq!(status, 400);
    let (status, _, _) = laptop.post_raw("/account/sign-ins/end", &[("sign_in", &other.1)]).await;
    assert_eq!(status, 403);
    for hostile in ["", "x", &"A".repeat(5000), "' OR 1=1 --"] {
        assert_eq!(laptop.post("/account/sign-ins/end", &[("sign_in", hostile)]).await.0, 400, "{hostile:.20}");
    }
    assert!(signed_in(&phone).await, "the phone is still signed in");

    // The laptop ends the phone's sign-in: the phone's very next request is refused.
    let (status, url, page) = laptop.post("/account/sign-ins/end", &[("sign_in", &other.1)]).await;
    assert_eq!((status, url.as_str()), (200, "/account"));
    assert_eq!(rows(&page).len(), 1);
    assert!(!signed_in(&phone).await, "ended at once");
    assert!(signed_in(&laptop).await && signed_in(&bob).await, "the others go on");
    let audited = app.store.audit_events(10_000).await.unwrap();
    assert_eq!(audited.iter().filter(|e| e.action == "sign-out-one").count(), 1);

    // Ending the current one signs out here.
    let (_, page) = laptop.get("/account").await;
    let (_, mine) = &rows(&page)[0];
    let (status, url, _) = laptop.post("/account/sign-ins/end", &[("sign_in", mine)]).await;
    assert_eq!((status, url.as_str()), (200, "/login"));
    assert!(!signed_in(&laptop).await);
}
