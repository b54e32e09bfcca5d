//! Recognisable personal data, entered through the real `alliance serve`, appears nowhere in clear: not in the
//! data folder (database, WAL, shared memory, keys, anything else) and not in the server's log, even at debug
//! level. `scan_for_plaintext` is the reusable part: add backup files (or any folder) to its roots.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::path_str;

const PASSWORD: &str = "plaintext scan password 42";

/// Personal data the test enters; each must be absent from every file. Unusual enough never to occur by chance.
const MARKERS: &[&str] = &[
    "Zebulon Quartermaine",
    "zebulon.q@example.org",
    "Olwen Admin-Marker",
    "olwen.admin.marker@example.org",
    "Thaddeus Wintermarker",
    "thaddeus.marker@example.org",
    "PRIVATE-NOTE-7731",
    "Zebulon seemed far away",
    // Only ever typed into the sign-in form, never stored: a failed sign-in must not log it either.
    "unknown.visitor.marker@example.org",
    // The note of the action taken on the risk signal.
    "SAFETY-CALL-MARKER-2290",
];

/// A marker found in a file, and in which form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: PathBuf,
    pub marker: String,
    pub form: &'static str,
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
}

/// Searches every regular file under `roots` (files or folders, recursively; symbolic links are not followed)
/// for each marker as UTF-8, lowercase UTF-8, UTF-16 LE and BE (as given and lowercase). Returns every hit, and
/// panics on a file it cannot read, so that nothing is silently skipped.
pub fn scan_for_plaintext(roots: &[&Path], markers: &[&str]) -> Vec<Finding> {
    let mut forms: Vec<(String, &'static str, Vec<u8>)> = Vec::new();
    for marker in markers {
        let lower = marker.to_lowercase();
        forms.push((marker.to_string(), "UTF-8", marker.as_bytes().to_vec()));
        forms.push((marker.to_string(), "lowercase UTF-8", lower.as_bytes().to_vec()));
        forms.push((marker.to_string(), "UTF-16LE", utf16(marker, false)));
        forms.push((marker.to_string(), "UTF-16BE", utf16(marker, true)));
        forms.push((marker.to_string(), "lowercase UTF-16LE", utf16(&lower, false)));
        forms.push((marker.to_string(), "lowercase UTF-16BE", utf16(&lower, true)));
    }
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = roots.iter().map(|r| r.to_path_buf()).collect();
    while let Some(path) = pending.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if meta.is_file() {
            files.push(path);
        }
    }
    let mut findings = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("cannot scan {}: {e}", file.display()));
        for (marker, form, needle) in &forms {
            if memchr::memmem::find(&bytes, needle).is_some() {
                findings.push(Finding { file: file.clone(), marker: marker.clone(), form });
            }
        }
    }
    findings
}

/// The scan finds what is there: markers written in clear to an unencrypted SQLite database (still in its WAL),
/// to a UTF-16 database and to a log, in each form it looks for.
#[tokio::test]
async fn the_scan_finds_personal_data_in_an_unencrypted_store_and_log() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("plain.db"))
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query("CREATE TABLE clients (pseudonym TEXT, contact TEXT)").execute(&mut conn).await.unwrap();
    sqlx::query("INSERT INTO clients VALUES (?, ?)")
        .bind(MARKERS[0])
        .bind(MARKERS[1])
        .execute(&mut conn)
        .await
        .unwrap();
    let utf16_options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("utf16.db"))
        .create_if_missing(true)
        .pragma("encoding", "'UTF-16be'");
    let mut wide = sqlx::SqliteConnection::connect_with(&utf16_options).await.unwrap();
    sqlx::query("CREATE TABLE notes (text TEXT)").execute(&mut wide).await.unwrap();
    sqlx::query("INSERT INTO notes VALUES (?)").bind(MARKERS[7]).execute(&mut wide).await.unwrap();
    wide.close().await.unwrap();
    let log = dir.path().join("server.log");
    std::fs::write(&log, format!("INFO signed in email={}\n", MARKERS[5].to_uppercase().to_lowercase())).unwrap();

    let findings = scan_for_plaintext(&[dir.path()], MARKERS);
    conn.close().await.unwrap();
    let found = |marker: &str, form: &str, file: &str| {
        findings.iter().any(|f| f.marker == marker && f.form == form && path_str(&f.file).ends_with(file))
    };
    assert!(found(MARKERS[0], "UTF-8", "plain.db-wal"), "{findings:#?}");
    assert!(found(MARKERS[1], "UTF-8", "plain.db-wal"), "{findings:#?}");
    assert!(found(MARKERS[7], "UTF-16BE", "utf16.db"), "{findings:#?}");
    assert!(found(MARKERS[5], "lowercase UTF-8", "server.log"), "{findings:#?}");
    assert!(!findings.iter().any(|f| f.marker == MARKERS[8]), "absent markers are not reported");
}

/// A running `alliance serve` whose standard error goes to a file; killed if the test fails.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    async fn start(args: &[&str], log: &Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log_file = std::fs::File::create(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_alliance"))
            .arg("serve")
            .args(args)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            // Every level the application and its libraries log at.
            .env("ALLIANCE_LOG", "trace,sqlx=trace")
            .env("NO_COLOR", "1")
            .env_remove("ALLIANCE_KEYS")
            .env_remove("ALLIANCE_KEY_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .unwrap();
        let mut server = Server { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("alliance serve exited ({status}):\n{}", std::fs::read_to_string(log).unwrap());
            }
            if let Ok(r) = reqwest::get(format!("{}/readyz", server.url)).await
                && r.status() == 200
            {
                return server;
            }
            assert!(Instant::now() < deadline, "alliance serve not ready:\n{}", std::fs::read_to_string(log).unwrap());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGTERM, as an operator's `systemctl stop`: the server finishes and closes its database.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "alliance serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `alliance user ...` with the password on standard input.
fn user_command(args: &[&str]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .arg("user")
        .args(args)
        .arg("--password-stdin")
        .env_remove("ALLIANCE_KEYS")
        .env_remove("ALLIANCE_KEY_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "alliance user {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

fn number_after(text: &str, prefix: &str) -> i64 {
    let start = text.find(prefix).unwrap_or_else(|| panic!("{prefix} not found")) + prefix.len();
    text[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// Signs in; returns the browser and, if signed in, its anti-forgery token.
async fn sign_in(url: &str, email: &str, password: &str) -> (reqwest::Client, Option<String>) {
    let browser = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let page = browser.get(format!("{url}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let fields = [("csrf", csrf.as_str()), ("email", email), ("password", password)];
    let response = browser.post(format!("{url}/login")).form(&fields).send().await.unwrap();
    let landed = (response.status().as_u16(), response.url().path().to_owned());
    let home = response.text().await.unwrap();
    // An account an administrator added replaces its password first.
    if landed == (200, "/account".to_owned()) {
        crate::replace_given_password(&browser, url, &home, password).await;
        let home = browser.get(format!("{url}/")).send().await.unwrap().text().await.unwrap();
        return (browser, Some(hidden(&home, "csrf")));
    }
    (browser, (landed == (200, "/".to_owned())).then(|| hidden(&home, "csrf")))
}

async fn post(browser: &reqwest::Client, url: &str, csrf: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(fields);
    let r = browser.post(url).form(&all).send().await.unwrap();
    let status = r.status().as_u16();
    let path = r.url().path().to_owned();
    (status, path, r.text().await.unwrap())
}

/// What a response's risk flags look like in clear: as JSON text, and as PostgreSQL's `jsonb` keeps an object's
/// keys (shortest first, one after another). Both must be gone since the flags are sealed (migration 0013).
const CLEAR_FLAGS: &[&str] = &[r#""risks":[{"item""#, "risksindicators"];

/// Enters every marker through the web application: accounts' names and addresses (made with `alliance user`),
/// a client's pseudonym and contact, the client's answers, the therapist's reflection with a private note, and a
/// failed sign-in with an unknown address.
/// It returns what else must not be in clear: the key of the risk signal the therapist acknowledged (item 9 was
/// endorsed), which names the kind of signal.
async fn seed_through_the_web(url: &str) -> String {
    let (_, csrf) = sign_in(url, MARKERS[8], "not the password at all").await;
    assert!(csrf.is_none(), "an unknown address does not sign in");
    let (_, csrf) = sign_in(url, MARKERS[5], "a wrong password for him").await;
    assert!(csrf.is_none(), "a wrong password does not sign in");
    let (me, csrf) = sign_in(url, &MARKERS[5].to_uppercase(), PASSWORD).await;
    let csrf = csrf.expect("the therapist signs in");

    let new_client = [
        ("pseudonym", MARKERS[0]),
        ("contact", MARKERS[1]),
        ("measure", "phq9"),
        ("measure", "gad7"),
        ("started_on", "2026-11-01"),
    ];
    let (status, client_path, _) = post(&me, &format!("{url}/clients/new"), &csrf, &new_client).await;
    assert_eq!(status, 200);
    let page = me.get(format!("{url}{client_path}")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(MARKERS[0]), "the client's page shows the pseudonym");
    let episode = number_after(&page, "action=\"/episodes/");
    let session_form = [("held_on", "2026-11-28"), ("attended", "yes")];
    let (status, path, _) = post(&me, &format!("{url}/episodes/{episode}/sessions"), &csrf, &session_form).await;
    assert_eq!(status, 200);
    let session = number_after(&path, "/sessions/");
    let (status, _, page) = post(&me, &format!("{url}/sessions/{session}/links"), &csrf, &[]).await;
    assert_eq!(status, 200, "post-redirect-get to the session page, which shows the link");
    let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();

    // The client answers on their phone (no sign-in).
    let phone = reqwest::Client::new();
    let form = phone.get(format!("{url}/c/{token}")).send().await.unwrap().text().await.unwrap();
    let client_csrf = hidden(&form, "csrf");
    let mut answers: Vec<(String, String)> = vec![("csrf".into(), client_csrf)];
    for id in ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2", "understood", "respected", "genuine"] {
        answers.push((format!("relationship-check.{id}"), "4".into()));
    }
    answers.push(("relationship-check.rupture".into(), "no".into()));
    for i in 1..=9 {
        answers.push((format!("phq9.{i}"), "1".into()));
    }
    for i in 1..=7 {
        answers.push((format!("gad7.{i}"), "1".into()));
    }
    let submitted = phone.post(format!("{url}/c/{token}")).form(&answers).send().await.unwrap();
    assert_eq!(submitted.status(), 200, "{}", submitted.text().await.unwrap());

    // Item 9 was endorsed: the client's page shows a risk signal, which the therapist acknowledges.
    let client_page = me.get(format!("{url}{client_path}")).send().await.unwrap().text().await.unwrap();
    let signal = client_page
        .split("name=\"signal\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .find(|key| key.contains("risk"))
        .expect("a risk signal to acknowledge");
    // A risk signal is acknowledged only with what was done and when; the note is free text.
    let action = [
        ("signal", signal.as_str()),
        ("action", "contacted-client"),
        ("acted_at", "2026-01-02T09:30"),
        ("note", MARKERS[9]),
    ];
    let acknowledged = post(&me, &format!("{url}{client_path}/acknowledgements"), &csrf, &action).await;
    assert_eq!(acknowledged.0, 200);
    assert!(!acknowledged.2.contains(&format!("value=\"{signal}\"")), "the signal is acknowledged");
    assert!(acknowledged.2.contains(MARKERS[9]), "the action's note is shown back");

    let note = format!("{}: {} when we spoke of his brother.", MARKERS[6], MARKERS[7]);
    let mut reflection: Vec<(&str, &str)> =
        ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"].iter().map(|id| (*id, "5")).collect();
    reflection.extend([("rupture", "no"), ("supervision", "no"), ("note", note.as_str())]);
    let (status, _, _) = post(&me, &format!("{url}/sessions/{session}/reflection"), &csrf, &reflection).await;
    assert_eq!(status, 200);
    let page = me.get(format!("{url}/sessions/{session}")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(MARKERS[6]), "the session page shows the reflection's note");
    signal
}

fn assert_nothing_in_clear(roots: &[&Path], log: &Path, signal: &str) {
    let markers: Vec<&str> = MARKERS.iter().chain(CLEAR_FLAGS).copied().chain([signal]).collect();
    let findings = scan_for_plaintext(roots, &markers);
    let log_text = std::fs::read_to_string(log).unwrap();
    assert!(findings.is_empty(), "personal data in clear: {findings:#?}\nlog:\n{log_text}");
    assert!(
        log_text.contains("Alliance is listening") && log_text.contains("shutting down"),
        "the log was captured:\n{log_text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_personal_data_is_not_in_clear_in_the_sqlite_files_or_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let d = path_str(&data);
    user_command(&["create-admin", "--data", d, "--email", MARKERS[3], "--name", MARKERS[2]]);
    user_command(&["add", "--data", d, "--role", "therapist", "--email", MARKERS[5], "--name", MARKERS[4]]);
    let server = Server::start(&["--data", d], &log).await;
    let signal = seed_through_the_web(&server.url).await;
    server.stop();
    let files: Vec<String> =
        std::fs::read_dir(&data).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(files.contains(&"alliance.db".to_owned()) && files.contains(&"keys".to_owned()), "{files:?}");
    // A backup of the same practice, in a folder of its own.
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let file = backups.join("practice.backup");
    let key = dir.path().join("backup.key");
    let backup = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["backup", "--data", d, "--to", path_str(&file), "--backup-key-file", path_str(&key), "--new-key"])
        .env_remove("ALLIANCE_KEYS")
        .env_remove("ALLIANCE_KEY_FILE")
        .output()
        .unwrap();
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    assert!(std::fs::metadata(&file).unwrap().len() > 0);
    assert_nothing_in_clear(&[&data, &backups, &log], &log, &signal);
}

/// On PostgreSQL the sealed columns are what reaches the server: its whole cluster folder (tables, WAL, logs) is
/// scanned. Runs when `ALLIANCE_TEST_DATABASE_URL` and `ALLIANCE_TEST_POSTGRES_DIR` name a throw-away cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_personal_data_is_not_in_clear_in_the_postgres_cluster_or_the_log() {
    let (Ok(server_url), Ok(cluster)) =
        (std::env::var("ALLIANCE_TEST_DATABASE_URL"), std::env::var("ALLIANCE_TEST_POSTGRES_DIR"))
    else {
        eprintln!("skipped: no throw-away PostgreSQL cluster (ALLIANCE_TEST_DATABASE_URL, ALLIANCE_TEST_POSTGRES_DIR)");
        return;
    };
    let name = format!("alliance_test_plaintext_{}", std::process::id());
    let url = alliance_store::PostgresStore::create_database(&server_url, &name).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let d = path_str(&data);
    user_command(&["create-admin", "--data", d, "--database", &url, "--email", MARKERS[3], "--name", MARKERS[2]]);
    let therapist = ["add", "--data", d, "--database", &url, "--role", "therapist", "--email", MARKERS[5]];
    user_command(&[&therapist[..], &["--name", MARKERS[4]]].concat());
    let server = Server::start(&["--data", d, "--database", &url], &log).await;
    let signal = seed_through_the_web(&server.url).await;
    server.stop();
    // Make sure the rows are in the table files too, not only in the WAL.
    {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&server_url).await.unwrap();
        sqlx::query("CHECKPOINT").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }
    let result =
        std::panic::catch_unwind(|| assert_nothing_in_clear(&[Path::new(&cluster), &data, &log], &log, &signal));
    // The control: a value written in clear to the same database is found by the same scan of the cluster.
    let control = format!("Control Marker {name}");
    {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("CREATE TABLE control (note TEXT)").execute(&mut conn).await.unwrap();
        sqlx::query("INSERT INTO control VALUES ($1)").bind(&control).execute(&mut conn).await.unwrap();
        sqlx::query("CHECKPOINT").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }
    let found = scan_for_plaintext(&[Path::new(&cluster)], &[control.as_str()]);
    alliance_store::PostgresStore::drop_database(&server_url, &name).await.unwrap();
    assert!(found.iter().any(|f| f.form == "UTF-8"), "the scan reaches the cluster's files");
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
