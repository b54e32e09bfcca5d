//! The staff pages speak the reader's language: rendered in the test pseudo-locale, no plain English word is left
//! (every word a person reads came through a message), and in Spanish and Arabic each page answers with its
//! language, its direction and its own words.

use alliance_core::domain::Role;
use time::OffsetDateTime;

use crate::accounts::totp;
use crate::app::{PASSWORD, Session, TestApp, client_with_link, complete_answers, hidden, untranslated};

/// What the test itself put in, and data that is not the interface's to translate: names, e-mail addresses,
/// instrument short names and band labels, the zone's abbreviation, the language switch's endonyms.
const DATA: &[&str] = &[
    "tera@ex.org",
    "supa@ex.org",
    "adma@ex.org",
    "resa@ex.org",
    "tera",
    "supa",
    "adma",
    "resa",
    "twofa-en-XA",
    "twofa-es",
    "twofa-ar",
    // Instruments: their names, short names and band labels are the instruments' own words.
    "Patient Health Questionnaire",
    "Generalized Anxiety Disorder scale",
    "Relationship check",
    "Therapist reflection",
    "Check",
    "PHQ",
    "GAD",
    "UTC",
    "English",
    "Español",
    "CSV",
    "Parquet",
    "JSON",
    "QR",
];

/// The page without the parts that are data or another area's words: instrument texts (questions, answers,
/// scale names) and the reflection form's sections, a signal's explanation and suggestions (the signals' own
/// words), the expected course's source (the practice model's), the chart's data table (`chart_figure.html`),
/// time-zone names, the audit entries' and the export's codes, form values, codes and links.
fn staff_words(html: &str) -> String {
    let mut page = html.to_owned();
    for (open, close) in [
        ("<option>", "</option>"),
        ("<option selected>", "</option>"),
        ("<textarea", "</textarea>"),
        ("<code>", "</code>"),
        ("id=\"kiosk-code\">", "</p>"),
        ("id=\"own-page-link\">", "</a>"),
    ] {
        while let Some(start) = page.find(open) {
            let Some(end) = page[start..].find(close) else { break };
            page.replace_range(start..start + end + close.len(), " ");
        }
    }
    page
}

fn left_in_english(what: &str, html: &str) -> Option<String> {
    let mut page = staff_words(html);
    // The audit log and the client's data export show what is stored as it is stored: codes of actions, objects
    // and purposes, item ids and answer codes. Their headings and labels are checked; their cells are data.
    if what == "/admin/audit" || what == "printed export" {
        while let Some(start) = page.find("<td>") {
            let Some(end) = page[start..].find("</td>") else { break };
            page.replace_range(start..start + end + "</td>".len(), " ");
        }
    }
    let left = untranslated(&page, DATA);
    (!left.is_empty()).then(|| format!("{what}: {left:?}"))
}

/// A practice with one client on the way: a therapist with a client who answered a check (no risk, no rupture), a
/// reflection shared for supervision, goals, a task and an event note; a supervisor, an administrator, a
/// researcher; a tablet.
struct Practice {
    app: TestApp,
    tera: Session,
    client: i64,
    session: i64,
    tera_id: i64,
}

async fn practice(app: TestApp) -> Practice {
    let tera_id = app.user("tera@ex.org", Role::Therapist).await;
    let supa = app.user("supa@ex.org", Role::Supervisor).await;
    app.user("adma@ex.org", Role::Administrator).await;
    app.user("resa@ex.org", Role::Researcher).await;
    app.supervise(supa, tera_id).await;
    let (tera, client, session, token) = client_with_link(&app, "tera@ex.org", "Ñ-7").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields: Vec<(String, String)> =
        complete_answers("1", "0").into_iter().filter(|(k, _)| !k.starts_with("relationship-check.rupture")).collect();
    fields.push(("relationship-check.rupture".into(), "no".into()));
    fields.push(("consent-research".into(), "yes".into()));
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    reflection.extend([("rupture", "no"), ("feelings", "protective"), ("feelings-intensity", "2")]);
    reflection.extend([("supervision", "yes"), ("note", "ñ")]);
    let (status, _, _) = tera.post(&format!("/sessions/{session}/reflection"), &reflection).await;
    assert_eq!(status, 200);
    assert_eq!(tera.post(&format!("/clients/{client}/goals"), &[("text", "Ĝ-1")]).await.0, 200);
    assert_eq!(tera.post(&format!("/sessions/{session}/tasks"), &[("text", "Ŧ-2")]).await.0, 200);
    let note = [("on", "2026-11-20"), ("kind", "break"), ("text", "Ħ-3")];
    assert_eq!(tera.post(&format!("/clients/{client}/notes"), &note).await.0, 200);
    assert_eq!(tera.post(&format!("/clients/{client}/own-page"), &[("action", "issue")]).await.0, 200);
    let supa_me = app.sign_in("supa@ex.org").await;
    let comment = [("body", "ĉ")];
    assert_eq!(supa_me.post(&format!("/sessions/{session}/comments"), &comment).await.0, 200);
    Practice { app, tera, client, session, tera_id: tera_id.0 }
}

async fn in_language(session: &Session, lang: &str) {
    let (status, _, _) = session.post("/language", &[("lang", lang), ("next", "/")]).await;
    assert_eq!(status, 200, "switched to {lang}");
}

/// Every staff page, as (name, body), for a therapist, a supervisor, an administrator and a researcher who all
/// read `lang`.
async fn every_staff_page(p: &Practice, lang: &str) -> Vec<(String, u16, String)> {
    let mut pages = Vec::new();
    let app = &p.app;
    let (client, session, tera_id) = (p.client, p.session, p.tera_id);

    // A visitor: the sign-in page, a password-reset link's page.
    let visitor = Session { browser: TestApp::browser(), csrf: String::new(), url: app.url.clone() };
    let (_, login) = visitor.get("/login").await;
    let visitor = Session { csrf: hidden(&login, "csrf"), ..visitor };
    in_language(&visitor, lang).await;
    let (status, body) = visitor.get("/login").await;
    pages.push(("login".to_owned(), status, body));

    // The administrator's pages, and the tablet the therapist's code is for.
    let admin = app.sign_in("adma@ex.org").await;
    in_language(&admin, lang).await;
    for path in [
        "/admin/users",
        "/admin/tasks",
        "/admin/audit",
        "/admin/break-glass",
        "/admin/client-lookup?find=%C3%91-",
        "/admin/crisis",
        "/admin/kiosks",
    ] {
        let (status, body) = admin.get(path).await;
        pages.push((path.to_owned(), status, body));
    }
    let (status, _, body) = admin.post("/admin/kiosks", &[("name", "Ŵ"), ("password", PASSWORD), ("code", "")]).await;
    pages.push(("tablet added".to_owned(), status, body));
    let resa = app.store.user_by_email("resa@ex.org").await.unwrap().unwrap().id.0.to_string();
    let reset = [("user", resa.as_str()), ("clear_second_factor", "no"), ("password", PASSWORD), ("code", "")];
    let (status, _, body) = admin.post("/admin/tasks/reset-link", &reset).await;
    let token = body.split("/reset/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    pages.push(("reset link made".to_owned(), status, body));
    let (status, body) = visitor.get(&format!("/reset/{token}")).await;
    pages.push(("password reset".to_owned(), status, body));

    // The therapist's pages.
    let tera = &p.tera;
    in_language(tera, lang).await;
    for path in [
        "/".to_owned(),
        "/clients/new".to_owned(),
        format!("/clients/{client}"),
        format!("/sessions/{session}"),
        format!("/sessions/{session}/reflection"),
        "/patterns".to_owned(),
        "/meetings".to_owned(),
        "/account".to_owned(),
        format!("/clients/{client}/export"),
        format!("/clients/{client}/delete"),
    ] {
        let (status, body) = tera.get(&path).await;
        pages.push((path, status, body));
    }
    let (status, _, body) =
        tera.post(&format!("/clients/{client}/export"), &[("format", "html"), ("password", PASSWORD)]).await;
    pages.push(("printed export".to_owned(), status, body));
    let record = format!("/clients/{client}");
    let episode = crate::app::number_after(&pages.iter().find(|p| p.0 == record).unwrap().2, "action=\"/episodes/");
    let (status, url, _) =
        tera.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-29"), ("attended", "yes")]).await;
    assert_eq!(status, 200);
    let (status, _, body) = tera.post(&format!("{url}/kiosk-code"), &[]).await;
    pages.push(("tablet code".to_owned(), status, body));
    let (status, _, body) = tera.post(&format!("{url}/links"), &[]).await;
    pages.push(("new link".to_owned(), status, body));
    // The boundary log, with a shared event for the supervisor's pages below (issue 20).
    let event =
        [("kind", "overrun"), ("minutes", "20"), ("occurred_on", "2026-11-29"), ("note", "Ŵ"), ("supervision", "yes")];
    let (status, _, body) = tera.post(&format!("/clients/{client}/boundaries"), &event).await;
    pages.push(("boundary log".to_owned(), status, body));

    // The supervisor's pages.
    let supa = app.sign_in("supa@ex.org").await;
    in_language(&supa, lang).await;
    for path in [
        "/".to_owned(),
        "/supervision".to_owned(),
        format!("/supervision?therapist={tera_id}"),
        format!("/supervision/therapists/{tera_id}"),
        format!("/supervision/therapists/{tera_id}/clients"),
        format!("/clients/{client}"),
        format!("/sessions/{session}"),
        format!("/clients/{client}/boundaries"),
        "/supervision/boundaries".to_owned(),
        "/supervision/meetings".to_owned(),
    ] {
        let (status, body) = supa.get(&path).await;
        pages.push((format!("supervisor {path}"), status, body));
    }

    // The researcher's page.
    let resa = app.sign_in("resa@ex.org").await;
    in_language(&resa, lang).await;
    // Both states of the practice report: being made, then made.
    let (status, body) = resa.get("/research").await;
    pages.push(("/research".to_owned(), status, body));
    app.state.app.research_report_ready(OffsetDateTime::now_utc()).await;
    let (status, body) = resa.get("/research").await;
    assert!(body.contains("id=\"report-outcomes\""), "the report is on the page");
    pages.push(("/research with its report".to_owned(), status, body));
    pages
}

/// The account pages of a second factor: setting it up, the recovery codes, and the code step of signing in.
async fn second_factor_pages(p: &Practice, lang: &str) -> Vec<(String, u16, String)> {
    let mut pages = Vec::new();
    let app = &p.app;
    let me = app.user(&format!("twofa-{lang}@ex.org"), Role::Therapist).await;
    let session = app.sign_in(&format!("twofa-{lang}@ex.org")).await;
    in_language(&session, lang).await;
    let (status, _, body) = session.post("/account/totp/new", &[("password", PASSWORD)]).await;
    pages.push(("second factor set-up".to_owned(), status, body));
    let secret = app.store.totp_factor(me).await.unwrap().unwrap().secret;
    let step = OffsetDateTime::now_utc().unix_timestamp() / 30;
    let (status, _, body) = session.post("/account/totp/confirm", &[("code", &totp(&secret, step))]).await;
    pages.push(("recovery codes".to_owned(), status, body));
    let browser = TestApp::browser();
    let (_, login) =
        Session { browser: browser.clone(), csrf: String::new(), url: app.url.clone() }.get("/login").await;
    let visitor = Session { browser, csrf: hidden(&login, "csrf"), url: app.url.clone() };
    in_language(&visitor, lang).await;
    let (_, login) = visitor.get("/login").await;
    let fields = [
        ("csrf", hidden(&login, "csrf")),
        ("email", format!("twofa-{lang}@ex.org")),
        ("password", PASSWORD.to_owned()),
    ];
    let r = visitor.browser.post(format!("{}/login", app.url)).form(&fields).send().await.unwrap();
    pages.push(("sign-in code".to_owned(), r.status().as_u16(), r.text().await.unwrap()));
    pages
}

#[tokio::test]
async fn every_staff_page_is_translated_in_the_pseudo_locale() {
    let app = TestApp::spawn_with(|c| c.pseudo_locale = true).await;
    let p = practice(app).await;
    let mut pages = every_staff_page(&p, "en-XA").await;
    pages.extend(second_factor_pages(&p, "en-XA").await);
    let mut english = Vec::new();
    for (what, status, body) in &pages {
        assert_eq!(*status, 200, "{what}: {body}");
        assert!(body.contains("lang=\"en-XA\""), "{what} is not in the pseudo-locale");
        english.extend(left_in_english(what, body));
    }
    // The risk banner: its own fragment, shown to the therapist of a client who endorsed item 9.
    let (me, _, _, token) = client_with_link(&p.app, "tera@ex.org", "Ŕ-9").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", p.app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "2");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(phone.post(format!("{}/c/{token}", p.app.url)).form(&fields).send().await.unwrap().status(), 200);
    in_language(&me, "en-XA").await;
    let (status, banner) = me.get("/alerts").await;
    assert_eq!(status, 200);
    assert!(banner.contains("risk-alerts"), "{banner}");
    english.extend(left_in_english("risk banner", &banner));
    assert!(english.is_empty(), "untranslated:\n{}", english.join("\n"));
}

#[tokio::test]
async fn the_staff_pages_answer_in_spanish_and_in_arabic() {
    let app = TestApp::spawn().await;
    let p = practice(app).await;
    for (lang, html, words) in
        [("es", "lang=\"es\" dir=\"ltr\"", "Iniciar sesión"), ("ar", "lang=\"ar\" dir=\"rtl\"", "تسجيل الدخول")]
    {
        let mut pages = every_staff_page(&p, lang).await;
        pages.extend(second_factor_pages(&p, lang).await);
        for (what, status, body) in &pages {
            assert_eq!(*status, 200, "{lang} {what}: {body}");
            assert!(body.contains(html), "{lang} {what}: not in its language");
        }
        assert!(pages[0].2.contains(words), "{lang}: the sign-in page has its own words");
        let caseload = &pages.iter().find(|p| p.0 == "/").unwrap().2;
        let expected = if lang == "es" { "Cerrar sesión" } else { "تسجيل الخروج" };
        assert!(caseload.contains(expected), "{lang}: the caseload has its own words");
    }
}

/// Saving one's own language clears this browser's language switch, so the stored choice speaks from the next
/// page on (the switch would otherwise win over it).
#[tokio::test]
async fn saving_ones_language_clears_the_switch_on_this_browser() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    let me = app.sign_in("ana@example.org").await;
    let r = me
        .browser
        .post(format!("{}/language", app.url))
        .form(&[("lang", "ar"), ("next", "/account")])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("dir=\"rtl\""), "the switch speaks Arabic");
    let (status, _, page) = me.post("/account/language", &[("language", "es")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"es\""), "the stored language speaks once the switch is cleared");
}
