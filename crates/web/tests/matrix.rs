//! The authorization matrix: every route of the router (taken from the router's own table, so a new route is
//! covered the moment it exists) called by every kind of user, and the outcome compared with the route's rule.
//! The expected outcome is derived here from the rule and the user's relation to the record, independently of
//! the handlers.

use alliance_core::domain::Role;
use alliance_web::{Access, Record, Route};
use reqwest::redirect::Policy;

use crate::app::{PASSWORD, TestApp, client_with_link, hidden, number_after};

/// What a request came to, read off the response only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Sent to the sign-in page.
    SignIn,
    /// Refused: the account does not give access.
    Forbidden,
    /// Refused as if the record did not exist.
    NotFound,
    /// Refused as cross-site: never expected here, since every post carries its sign-in's token.
    CrossSite,
    /// Anything else: the handler ran (a page, a redirect after a change, or a complaint about the empty form).
    Reached,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Anonymous,
    /// The client's own therapist.
    Owner,
    /// The supervisor of the client's therapist.
    OwnersSupervisor,
    OtherTherapist,
    OtherSupervisor,
    Administrator,
    Researcher,
}

impl Relation {
    fn role(self) -> Option<Role> {
        match self {
            Relation::Anonymous => None,
            Relation::Owner | Relation::OtherTherapist => Some(Role::Therapist),
            Relation::OwnersSupervisor | Relation::OtherSupervisor => Some(Role::Supervisor),
            Relation::Administrator => Some(Role::Administrator),
            Relation::Researcher => Some(Role::Researcher),
        }
    }
}

/// The rule, applied by hand.
fn expected(access: Access, who: Relation) -> Outcome {
    match access {
        Access::Public | Access::ClientLink | Access::PersonalLink | Access::Kiosk | Access::Loopback => {
            Outcome::Reached
        }
        Access::Staff { roles, record } | Access::Api { roles, record, .. } => {
            // On the API "sign in" is the 401 of a missing token.
            let Some(role) = who.role() else { return Outcome::SignIn };
            if !roles.contains(&role) {
                return Outcome::Forbidden;
            }
            match (record, who) {
                (Record::Scoped, _) | (_, Relation::Owner) => Outcome::Reached,
                // The fixture's reflection is shared for supervision.
                (
                    Record::ClientRead | Record::SharedReflection | Record::TherapistPatterns,
                    Relation::OwnersSupervisor,
                ) => Outcome::Reached,
                (Record::ClientWrite, Relation::OwnersSupervisor) => Outcome::Forbidden,
                _ => Outcome::NotFound,
            }
        }
    }
}

/// `clears_sign_in`: the response ends the sign-in (signing out also sends you to the sign-in page, but ran).
fn outcome(status: u16, location: Option<&str>, clears_sign_in: bool, body: &str) -> Outcome {
    match status {
        401 => Outcome::SignIn,
        300..=399 if location == Some("/login") && !clears_sign_in => Outcome::SignIn,
        403 if body.contains("Request refused") => Outcome::CrossSite,
        // A sensitive form without the password: the handler ran and asked for it.
        403 if body.contains("password was not accepted") => Outcome::Reached,
        403 => Outcome::Forbidden,
        404 => Outcome::NotFound,
        _ => Outcome::Reached,
    }
}

struct Actor {
    relation: Relation,
    browser: reqwest::Client,
    csrf: String,
    /// A read-write API token of the actor's account (none when anonymous).
    token: Option<String>,
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

async fn actor(app: &TestApp, relation: Relation, email: &str) -> Actor {
    let browser = no_redirects();
    if relation == Relation::Anonymous {
        return Actor { relation, browser, csrf: String::new(), token: None };
    }
    let login = browser.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let pre = hidden(&login, "csrf");
    let r = browser
        .post(format!("{}/login", app.url))
        .form(&[("csrf", pre.as_str()), ("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{email} signs in");
    // Any signed-in page carries the sign-in's anti-forgery token (in the sign-out form).
    let mut path = "/".to_owned();
    let page = loop {
        let r = browser.get(format!("{}{path}", app.url)).send().await.unwrap();
        match r.headers().get("location").and_then(|l| l.to_str().ok()) {
            Some(next) if r.status().is_redirection() => path = next.to_owned(),
            _ => break r.text().await.unwrap(),
        }
    };
    // A role without a home page (researchers, until their export exists) has no token to post with.
    let csrf = if page.contains("name=\"csrf\"") { hidden(&page, "csrf") } else { String::new() };
    let user = app.store.user_by_email(email).await.unwrap().unwrap().id;
    let (token, hash) = alliance_web::api::new_api_token();
    let now = time::OffsetDateTime::now_utc();
    let new = alliance_store::NewApiToken {
        user,
        name: "matrix",
        scope: alliance_store::TokenScope::ReadWrite,
        token_hash: &hash,
        expires_at: now + time::Duration::days(1),
    };
    let audit = alliance_store::AuditEvent::system(now, "api-token-create", "api-token", "test");
    app.store.create_api_token(new, audit, now).await.unwrap();
    Actor { relation, browser, csrf, token: Some(token) }
}

/// Fills a route's path parameters with records of the owner's client (and the owner, for `/therapists/{id}`).
/// `{token}` is the check link's, the client's personal link's under `/my/`, or the tablet's under `/kiosk/`.
fn concrete(path: &str, records: (i64, i64, i64, i64, i64), tokens: (&str, &str, &str)) -> String {
    let (owner, client, episode, session, kiosk) = records;
    let token = if path.starts_with("/my/") {
        tokens.1
    } else if path.starts_with("/kiosk/") {
        tokens.2
    } else {
        tokens.0
    };
    let fill = |prefix: &str| match prefix {
        "therapists" | "users" => owner.to_string(),
        "clients" => client.to_string(),
        "Patient" => client.to_string(),
        "Questionnaire" => "phq9".to_owned(),
        "episodes" => episode.to_string(),
        "sessions" => session.to_string(),
        "kiosks" => kiosk.to_string(),
        other => panic!("route {path}: the matrix test has no record for /{other}/{{id}}; add one"),
    };
    let mut out = String::new();
    let mut previous = "";
    for segment in path.split('/').skip(1) {
        out.push('/');
        match segment {
            "{id}" => out.push_str(&fill(previous)),
            "{token}" => out.push_str(token),
            "{file}" => out.push_str("app.css"),
            s if s.starts_with('{') => panic!("route {path}: the matrix test cannot fill {s}; add a fixture"),
            s => out.push_str(s),
        }
        previous = segment;
    }
    if out.is_empty() { "/".into() } else { out }
}

#[tokio::test]
async fn every_route_refuses_everyone_its_rule_does_not_name() {
    // Culture switched on, so its routes (the client's background, issue 20) are there to reach.
    let app = TestApp::spawn_with(|c| c.culture.enabled = true).await;
    let owner = app.user("owner@example.org", Role::Therapist).await;
    app.user("other@example.org", Role::Therapist).await;
    let sup = app.user("sup@example.org", Role::Supervisor).await;
    app.user("othersup@example.org", Role::Supervisor).await;
    app.user("admin@example.org", Role::Administrator).await;
    app.user("research@example.org", Role::Researcher).await;
    app.supervise(sup, owner).await;
    let (me, client, session, token) = client_with_link(&app, "owner@example.org", "Matrix Client").await;
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    // The client's personal link to their own page, a credential of its own like the check link.
    let (status, _, _) = me.post(&format!("/clients/{client}/own-page"), &[("action", "issue")]).await;
    assert_eq!(status, 200);
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let personal = page.split("id=\"own-page-link\">").nth(1).unwrap().split("/my/").nth(1).unwrap();
    let personal = personal.split('<').next().unwrap().to_owned();
    // A waiting-room tablet, whose address is a credential of its own.
    let kiosk_token = "K".repeat(43);
    let now = time::OffsetDateTime::now_utc();
    let audit = alliance_store::AuditEvent::system(now, "create", "kiosk", "administration");
    let kiosk =
        app.store.create_kiosk("Waiting room", &alliance_web::hash_token(&kiosk_token), audit, now).await.unwrap();
    // The owner's reflection on the session, shared for supervision.
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    reflection.extend([("rupture", "no"), ("supervision", "yes")]);
    let (status, _, _) = me.post(&format!("/sessions/{session}/reflection"), &reflection).await;
    assert_eq!(status, 200, "the reflection is saved");

    let everyone = [
        (Relation::Anonymous, ""),
        (Relation::Owner, "owner@example.org"),
        (Relation::OwnersSupervisor, "sup@example.org"),
        (Relation::OtherTherapist, "other@example.org"),
        (Relation::OtherSupervisor, "othersup@example.org"),
        (Relation::Administrator, "admin@example.org"),
        (Relation::Researcher, "research@example.org"),
    ];
    let mut actors = Vec::new();
    for (relation, email) in everyone {
        actors.push(actor(&app, relation, email).await);
    }

    let mut routes: Vec<Route> = alliance_web::routes();
    assert!(routes.len() >= 20, "the table lists the router's routes");
    // Signing out ends the actors' sign-ins: those routes go last, and everyone signs in again after each.
    let ends_sign_in = |r: &Route| matches!(r.path, "/logout" | "/account/sign-out-everywhere");
    routes.sort_by_key(ends_sign_in);
    let mut wrong = Vec::new();
    for route in &routes {
        if ends_sign_in(route) {
            actors.clear();
            for (relation, email) in everyone {
                actors.push(actor(&app, relation, email).await);
            }
        }
        let path = concrete(route.path, (owner.0, client, episode, session, kiosk), (&token, &personal, &kiosk_token));
        for actor in &actors {
            // A client link is a credential of its own; staff cookies neither add nor take away.
            let link = matches!(route.access, Access::ClientLink | Access::PersonalLink | Access::Kiosk);
            if link && actor.relation != Relation::Anonymous {
                continue;
            }
            let url = format!("{}{path}", app.url);
            let api = matches!(route.access, Access::Api { .. });
            let request = if api {
                // A token instead of the sign-in (the cookie jar is sent too, and must count for nothing), and an
                // empty JSON object as the body of a write.
                let request = actor.browser.request(route.method.clone(), url);
                let request = match &actor.token {
                    Some(token) => request.header("authorization", format!("Bearer {token}")),
                    None => request,
                };
                if route.method == axum::http::Method::POST { request.body("{}") } else { request }
            } else if route.method == axum::http::Method::POST {
                actor.browser.post(url).form(&[("csrf", actor.csrf.as_str())])
            } else {
                actor.browser.request(route.method.clone(), url)
            };
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            let location = r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_owned);
            let clears =
                r.headers().get_all("set-cookie").iter().any(|c| c.to_str().is_ok_and(|c| c.contains("Max-Age=0")));
            let body = r.text().await.unwrap();
            let mut got = outcome(status, location.as_deref(), clears, &body);
            // Public forms carry their own token (the sign-in page's, the link's form); refusing our empty post
            // means the handler ran.
            if got == Outcome::CrossSite && !matches!(route.access, Access::Staff { .. }) {
                got = Outcome::Reached;
            }
            let mut want = expected(route.access, actor.relation);
            if want == Outcome::Reached && actor.csrf.is_empty() && route.method == axum::http::Method::POST && !api {
                want = if matches!(route.access, Access::Staff { .. }) { Outcome::CrossSite } else { want };
            }
            if got != want {
                wrong.push(format!(
                    "{} {} as {:?}: expected {want:?}, got {got:?} ({status})",
                    route.method, route.path, actor.relation
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "routes that do not follow their rule:\n{}", wrong.join("\n"));

    // Refused record reads are audited, and nothing a refused actor posted changed the record.
    let events = app.store.audit_events(10_000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "read-denied" && e.object_id == Some(client)));
    let sessions = app.store.sessions(alliance_store::EpisodeId(episode)).await.unwrap();
    assert!(sessions.len() <= 2, "only the owner's empty post may have recorded a session");
}

#[test]
fn the_rule_is_applied_as_documented() {
    // The oracle itself, spelled out for the two record rules.
    let read = Access::Staff { roles: &[Role::Therapist, Role::Supervisor], record: Record::ClientRead };
    let write = Access::Staff { roles: &[Role::Therapist], record: Record::ClientWrite };
    assert_eq!(expected(read, Relation::OwnersSupervisor), Outcome::Reached);
    assert_eq!(expected(read, Relation::OtherSupervisor), Outcome::NotFound);
    assert_eq!(expected(write, Relation::OwnersSupervisor), Outcome::Forbidden);
    assert_eq!(expected(write, Relation::OtherTherapist), Outcome::NotFound);
    assert_eq!(expected(write, Relation::Anonymous), Outcome::SignIn);
    assert_eq!(expected(read, Relation::Administrator), Outcome::Forbidden);
    // The API applies the same rules; a missing token is the API's "sign in".
    let api_write = Access::Api { roles: &[Role::Therapist], record: Record::ClientWrite, write: true };
    assert_eq!(expected(api_write, Relation::OwnersSupervisor), Outcome::Forbidden);
    assert_eq!(expected(api_write, Relation::OtherTherapist), Outcome::NotFound);
    assert_eq!(expected(api_write, Relation::Anonymous), Outcome::SignIn);
}
