//! Every client in their language (issue 17): the check, the thank-you page, the client's own page, the tablet and
//! the pages of links that do not work, in Spanish, Arabic and the test pseudo-locale, and the language switch.

use alliance_core::domain::Role;
use alliance_store::ClientId;

use crate::app::{TestApp, client_with_link, complete_answers, hidden, untranslated};
use crate::partnership::{next_session_link, personal_link};

/// Data the tests put on the pages (and the language switch's names, which are each language's own): no
/// message, so not translated.
const DATA: &[&str] = &["English", "Español", "PHQ", "GAD", "UTC"];

fn browser_in(lang: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(lang) = lang {
        headers.insert(reqwest::header::ACCEPT_LANGUAGE, lang.parse().unwrap());
    }
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap()
}

async fn get(browser: &reqwest::Client, url: &str) -> (u16, String) {
    let r = browser.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Chooses a language with the switch on a page; returns where it went back to and that page.
async fn switch(app: &TestApp, browser: &reqwest::Client, lang: &str, next: &str) -> (u16, String, String) {
    let r = browser.post(format!("{}/language", app.url)).form(&[("lang", lang), ("next", next)]).send().await.unwrap();
    let (status, at) = (r.status().as_u16(), r.url().path().to_owned());
    (status, at, r.text().await.unwrap())
}

async fn send(app: &TestApp, browser: &reqwest::Client, token: &str, form: &str, phq: &'static str) -> (u16, String) {
    let mut fields = complete_answers(phq, "0");
    fields.push(("csrf".into(), hidden(form, "csrf")));
    fields.push(("page-lang".into(), hidden(form, "page-lang")));
    let r = browser.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[track_caller]
fn all_translated(page: &str, what: &str) {
    let left = untranslated(page, DATA);
    assert!(left.is_empty(), "{what}: not from a message: {left:?}\n{page}");
}

#[tokio::test]
async fn every_client_page_in_the_pseudo_locale_comes_from_messages() {
    let app = TestApp::spawn_with(|c| c.pseudo_locale = true).await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("admin@example.org", Role::Administrator).await;
    // The client's name and goal are data: written without ASCII letters, so that any plain word is a leftover.
    let (me, client, session, token) = client_with_link(&app, "ana@example.org", "Ñ-7").await;
    me.post(&format!("/clients/{client}/goals"), &[("text", "Ðőŕɱîŕ")]).await;
    me.post(&format!("/sessions/{session}/tasks"), &[("text", "Çáɱîñáŕ")]).await;
    me.post(&format!("/clients/{client}/own-page"), &[("action", "issue")]).await;
    let own = personal_link(&me.get(&format!("/clients/{client}")).await.1);

    let phone = browser_in(Some("en"));
    let (status, at, form) = switch(&app, &phone, "en-XA", &format!("/c/{token}")).await;
    assert_eq!((status, at.as_str()), (200, format!("/c/{token}").as_str()));
    assert!(form.contains("lang=\"en-XA\""));
    all_translated(&form, "the check");

    // A form sent with a missing answer: the page again, with its errors.
    let r = phone
        .post(format!("{}/c/{token}", app.url))
        .form(&[("csrf", hidden(&form, "csrf").as_str()), ("relationship-check.goals-1", "4")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    all_translated(&r.text().await.unwrap(), "the check with errors");

    let goal = crate::app::number_after(&form, "name=\"goal-");
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    fields.push((format!("goal-{goal}"), "4".into()));
    let r = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 200);
    all_translated(&r.text().await.unwrap(), "the thank-you page");
    all_translated(&get(&phone, &format!("{}/c/{token}", app.url)).await.1, "a link already used");
    let (_, broken) = get(&phone, &format!("{}/c/{}", app.url, "x".repeat(43))).await;
    all_translated(&broken, "a link that does not work");
    assert!(broken.contains("action=\"/language\""), "a page a client reads has the language switch");

    // The next check asks about the task; the own page shows goals, ratings, outcomes and tasks.
    let (_, second) = next_session_link(&me, client, "2026-12-05").await;
    let (_, form) = get(&phone, &format!("{}/c/{second}", app.url)).await;
    all_translated(&form, "a check with a task and goals");
    let (status, own_page) = get(&phone, &own).await;
    assert_eq!(status, 200);
    all_translated(&own_page, "the client's own page");
    all_translated(&get(&phone, &format!("{own}/print")).await.1, "its print view");
    let stopped = phone
        .post(format!("{own}/stop"))
        .form(&[("csrf", hidden(&own_page, "csrf"))])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    all_translated(&stopped, "stop asking me");

    // The waiting-room tablet: its code form, a wrong code, a tablet not set up.
    let admin = app.sign_in("admin@example.org").await;
    let (_, _, page) =
        admin.post("/admin/kiosks", &[("name", "Waiting room"), ("password", crate::app::PASSWORD)]).await;
    let address = page.split("id=\"kiosk-address\"").next().unwrap().rsplit("value=\"").next().unwrap();
    let address = address.split('"').next().unwrap().to_owned();
    let (_, home) = get(&phone, &address).await;
    all_translated(&home, "the tablet's code form");
    let r = phone
        .post(&address)
        .form(&[("csrf", hidden(&home, "csrf").as_str()), ("code", "AAA-AAA")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    all_translated(&r.text().await.unwrap(), "a wrong code");
    all_translated(&get(&phone, &format!("{}/kiosk/{}", app.url, "y".repeat(43))).await.1, "no such tablet");
    all_translated(&get(&phone, &format!("{}/no/such/page", app.url)).await.1, "an error page");
}

#[tokio::test]
async fn a_spanish_speaking_client_reads_the_check_in_spanish_and_keeps_it() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (me, client, _, token) = client_with_link(&app, "ana@example.org", "Amber Heron").await;

    let phone = browser_in(Some("es-MX,es;q=0.9,en;q=0.5"));
    let (status, form) = get(&phone, &format!("{}/c/{token}", app.url)).await;
    assert_eq!(status, 200);
    assert!(form.contains("<html lang=\"es\" dir=\"ltr\">"));
    assert!(form.contains("Después de su sesión") && form.contains("Enviar mis respuestas"));
    // Alliance's own check in its Spanish translation, marked as not validated.
    assert!(form.contains("Trabajamos en lo que yo quiero trabajar.") && form.contains("Totalmente"));
    assert!(form.contains("Esta traducción la hizo el proyecto Alliance y no se ha validado."));
    // The PHQ-9 has no validated Spanish text here: in English, marked up as English, and the page says so.
    assert!(form.contains("fieldset class=\"instrument\" lang=\"en\" dir=\"ltr\""));
    assert!(form.contains("Little interest or pleasure in doing things"));
    assert!(form.contains("Este cuestionario se muestra en inglés"));
    assert!(form.contains("aproximadamente") && form.contains("preguntas breves"), "plural forms");

    let (status, done) = send(&app, &phone, &token, &form, "1").await;
    assert_eq!(status, 200);
    assert!(done.contains("Gracias") && done.contains("Sus respuestas se han enviado a su terapeuta."));
    let stored = app.store.client(ClientId(client)).await.unwrap().unwrap();
    assert_eq!(stored.language.as_deref(), Some("es"), "the check's language becomes the client's");

    // The next link, opened on a browser that asks for nothing in particular, is in the client's language.
    let (_, second) = next_session_link(&me, client, "2026-12-05").await;
    let (_, form) = get(&browser_in(None), &format!("{}/c/{second}", app.url)).await;
    assert!(form.contains("lang=\"es\"") && form.contains("Después de su sesión"));
    // Dates read as Spanish writes them.
    assert!(form.contains(" dic 2026") || form.contains(" ene 2027"), "the expiry date in Spanish");
}

#[tokio::test]
async fn an_arabic_speaking_client_reads_right_to_left_and_the_switch_wins() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (_, client, _, token) = client_with_link(&app, "ana@example.org", "Amber Heron").await;
    app.store.set_client_language(ClientId(client), Some("es"), None).await.unwrap();

    // Stored Spanish; the person holding the phone switches to Arabic, and the switch wins on this browser.
    let phone = browser_in(None);
    let (_, form) = get(&phone, &format!("{}/c/{token}", app.url)).await;
    assert!(form.contains("lang=\"es\""));
    let (status, at, form) = switch(&app, &phone, "ar", &format!("/c/{token}")).await;
    assert_eq!((status, at.as_str()), (200, format!("/c/{token}").as_str()));
    assert!(form.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(form.contains("بعد جلستك") && form.contains("إرسال إجاباتي"));
    assert!(form.contains("عملنا على ما أريد العمل عليه."), "Alliance's check in Arabic");
    assert!(form.contains("value=\"ar\" lang=\"ar\" aria-current=\"true\""), "the switch marks the current language");
    let (status, done) = send(&app, &phone, &token, &form, "1").await;
    assert_eq!(status, 200);
    assert!(done.contains("شكراً لك"));
    let stored = app.store.client(ClientId(client)).await.unwrap().unwrap();
    assert_eq!(stored.language.as_deref(), Some("ar"));
}

#[tokio::test]
async fn the_language_switch_goes_only_to_this_server_and_only_to_languages_it_has() {
    let app = TestApp::spawn().await;
    let browser = browser_in(None);
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (next, to) in [
        ("/login", "/login"),
        ("//evil.example.org/x", "/"),
        ("/\\evil.example.org", "/"),
        ("https://evil.example.org/", "/"),
        ("", "/"),
    ] {
        let r = no_redirect
            .post(format!("{}/language", app.url))
            .form(&[("lang", "es"), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(r.headers()["location"], to, "{next}");
        assert!(r.headers()["set-cookie"].to_str().unwrap().starts_with("alliance_lang=es;"));
    }
    let long = "es".repeat(5_000);
    for lang in ["fr", "", "en-XA", "es\r\nX: y", long.as_str()] {
        let r = browser.post(format!("{}/language", app.url)).form(&[("lang", lang), ("next", "/")]).send().await;
        assert_eq!(r.unwrap().status(), 400, "{lang:?}");
    }
    // A cookie planted with a language Alliance does not have is ignored.
    let r = no_redirect.get(format!("{}/login", app.url)).header("cookie", "alliance_lang=xx").send().await.unwrap();
    assert!(r.text().await.unwrap().contains("<html lang=\"en\""));
}

/// The text of an e-mail as the mail server received it: its body decoded from quoted-printable or base64, and
/// its subject from RFC 2047 encoded words.
fn decoded(message: &str) -> (String, String) {
    use base64::Engine as _;
    let (head, body) = message.split_once("\r\n\r\n").or_else(|| message.split_once("\n\n")).unwrap();
    let unfolded = head.replace("\r\n ", " ").replace("\n ", " ");
    let subject = unfolded.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or("").to_owned();
    let b64 = |s: &str| String::from_utf8(base64::engine::general_purpose::STANDARD.decode(s.trim()).unwrap()).unwrap();
    // Encoded words next to each other join without the space between them (RFC 2047); plain words keep it.
    let mut decoded_subject = String::new();
    let mut after_encoded = false;
    for word in subject.split(' ') {
        match word.strip_prefix("=?utf-8?b?").or_else(|| word.strip_prefix("=?utf-8?B?")) {
            Some(encoded) => {
                if !after_encoded && !decoded_subject.is_empty() {
                    decoded_subject.push(' ');
                }
                decoded_subject.push_str(&b64(encoded.trim_end_matches("?=")));
                after_encoded = true;
            }
            None => {
                if !decoded_subject.is_empty() {
                    decoded_subject.push(' ');
                }
                decoded_subject.push_str(word);
                after_encoded = false;
            }
        }
    }
    let subject = decoded_subject;
    let body = if head.contains("Content-Transfer-Encoding: base64") {
        b64(&body.lines().collect::<String>())
    } else if head.contains("Content-Transfer-Encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let mut bytes = Vec::new();
        let mut rest = joined.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'=' && tail.len() >= 2 {
                bytes.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap(), 16).unwrap());
                rest = &tail[2..];
            } else {
                bytes.push(b);
                rest = tail;
            }
        }
        String::from_utf8(bytes).unwrap()
    } else {
        body.to_owned()
    };
    (subject, body)
}

#[tokio::test]
async fn a_clients_e_mail_is_written_in_their_language() {
    use alliance_web::mail::MailDelivery;

    use crate::delivery::{client_with_session, send_link, smtp};
    use crate::mail::MailServer;

    let Some(server) = MailServer::start() else { return };
    let app = TestApp::spawn_with(|c| c.mail = Some(smtp(server.port))).await;
    let delivery = MailDelivery::new(app.store.clone(), smtp(server.port), &app.url).unwrap();
    let mut expected = Vec::new();
    for (n, (lang, subject, words)) in [
        (None, "Your check after today's session", "Please do not forward this message."),
        (Some("es"), "Su cuestionario después de la sesión de hoy", "No reenvíe este mensaje, por favor."),
        (Some("ar"), "استبيانك بعد جلسة اليوم", "يرجى عدم إعادة توجيه هذه الرسالة."),
    ]
    .into_iter()
    .enumerate()
    {
        let (me, client, session) = client_with_session(
            &app,
            &format!("t{n}@example.org"),
            &format!("Client {n}"),
            &format!("c{n}@example.net"),
        )
        .await;
        app.store.set_client_language(ClientId(client), lang, None).await.unwrap();
        send_link(&me, session).await;
        expected.push((format!("c{n}@example.net"), subject, words));
    }
    assert_eq!(delivery.deliver_due(time::OffsetDateTime::now_utc()).await.unwrap(), 3);
    let messages = server.messages();
    assert_eq!(messages.len(), 3);
    for (to, subject, words) in expected {
        let message = messages.iter().find(|m| m.contains(&format!("To: {to}"))).unwrap();
        let (got_subject, body) = decoded(message);
        assert_eq!(got_subject, subject, "{message}");
        assert!(body.contains(words) && body.contains(&format!("{}/c/", app.url)), "{body}");
    }
}

#[tokio::test]
async fn a_therapist_sets_a_clients_language_and_a_user_their_own() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("bo@example.org", Role::Therapist).await;
    let (me, client, _, token) = client_with_link(&app, "ana@example.org", "Amber Heron").await;

    // The client's own therapist chooses Arabic; the check then opens in Arabic on a device that asks for nothing.
    let (status, _, _) = me.post(&format!("/clients/{client}/language"), &[("language", "ar")]).await;
    assert_eq!(status, 200);
    let (_, form) = get(&browser_in(None), &format!("{}/c/{token}", app.url)).await;
    assert!(form.contains("lang=\"ar\" dir=\"rtl\""));
    let audit = app.store.audit_events(1000).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "language" && e.object_kind == "client" && e.object_id == Some(client)));
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    assert!(page.contains("<option value=\"ar\" lang=\"ar\" selected>"), "the page shows the choice");
    // Back to the device's language; a language Alliance does not have is refused; another therapist cannot.
    me.post(&format!("/clients/{client}/language"), &[("language", "")]).await;
    assert_eq!(app.store.client(ClientId(client)).await.unwrap().unwrap().language, None);
    let (status, _, _) = me.post(&format!("/clients/{client}/language"), &[("language", "klingon")]).await;
    assert_eq!(status, 400);
    let (status, _, _) = me.post(&format!("/clients/{client}/language"), &[("language", "en-XA")]).await;
    assert_eq!(status, 400, "the pseudo-locale only where a test enables it");
    let other = app.sign_in("bo@example.org").await;
    let (status, _, _) = other.post(&format!("/clients/{client}/language"), &[("language", "es")]).await;
    assert!(status == 403 || status == 404, "{status}");
    assert_eq!(app.store.client(ClientId(client)).await.unwrap().unwrap().language, None);

    // A staff user's own language: their pages follow it, whatever the browser asks for.
    let (status, _, _) = me.post("/account/language", &[("language", "es")]).await;
    assert_eq!(status, 200);
    let (_, caseload) = me.get("/").await;
    assert!(caseload.contains("<html lang=\"es\""), "the caseload in Spanish");
    let (_, account) = me.get("/account").await;
    assert!(account.contains("<option value=\"es\" lang=\"es\" selected>"));
    me.post("/account/language", &[("language", "")]).await;
    let (_, caseload) = me.get("/").await;
    assert!(caseload.contains("<html lang=\"en\""));
}
