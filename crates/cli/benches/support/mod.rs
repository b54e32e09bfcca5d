//! What the benches of the `alliance` binary share: finding the release binary, a fresh database, a running
//! server, accounts made with `alliance user`, and a therapist signed in over HTTP.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN: &str = "admin@crash.example.org";
pub const THERAPIST: &str = "therapist@crash.example.org";
pub const PASSWORD: &str = "crash test password 2026";

/// The benches' own keys (synthetic data only), so that no key file is left in the working folder.
pub const BENCH_KEYS: &str =
    "db YmVuY2ggZGF0YWJhc2Ugc2VjcmV0IDAxMjM0NTY3ODk=\nv1 YmVuY2ggZmllbGQga2V5IHYxIDAxMjM0NTY3ODlhYmM=\n";

pub fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("ALLIANCE_BIN") {
        let bin = PathBuf::from(bin);
        if !bin.is_file() {
            panic!("ALLIANCE_BIN={} is not a file", bin.display());
        }
        return bin;
    }
    let exe = std::env::current_exe().expect("cannot find this bench's own path");
    let candidates: Vec<PathBuf> = exe
        .ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join(format!("alliance{}", std::env::consts::EXE_SUFFIX)))
        .collect();
    candidates.iter().find(|c| c.is_file()).cloned().unwrap_or_else(|| {
        eprintln!(
            "the alliance binary is missing (looked for {}); build it first with `cargo build --release -p alliance`, \
             or point ALLIANCE_BIN at it",
            candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
        );
        std::process::exit(2)
    })
}

/// Where the practice keeps its data: the arguments every `alliance` command gets.
#[derive(Clone)]
pub enum Engine {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Engine {
    pub fn args(&self) -> Vec<String> {
        match self {
            Engine::Sqlite(dir) => vec!["--data".into(), dir.display().to_string()],
            Engine::Postgres(url) => vec!["--database".into(), url.clone()],
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Engine::Sqlite(_) => "SQLite (WAL, synchronous=FULL)",
            Engine::Postgres(_) => "PostgreSQL",
        }
    }
}

/// A fresh database on the PostgreSQL server, dropped (its sessions ended) when this goes away.
pub struct ScratchDatabase {
    server: String,
    name: String,
}

impl ScratchDatabase {
    pub async fn create(server: &str) -> (Self, String) {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let name = format!("alliance_crash_{}_{secs}", std::process::id());
        let url = alliance_store::PostgresStore::create_database(server, &name)
            .await
            .unwrap_or_else(|e| panic!("cannot create the database {name} on the --database server: {e}"));
        (Self { server: server.to_owned(), name }, url)
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(alliance_store::PostgresStore::drop_database(&server, &name))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the database {}", self.name);
        }
    }
}

/// A running `alliance serve`; killed (SIGKILL) when dropped, so a failing bench leaves no server behind.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub log: PathBuf,
}

impl Server {
    pub async fn start(bin: &Path, engine: &Engine, port: u16, log: &Path) -> Server {
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .args(engine.args())
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .env("NO_COLOR", "1")
            .env("ALLIANCE_KEYS", BENCH_KEYS)
            .env("ALLIANCE_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut server = Server { child, url: format!("http://127.0.0.1:{port}"), log: log.to_owned() };
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("alliance serve exited ({status}) before it was ready:\n{}", tail(&server.log));
            }
            if let Ok(r) = http.get(format!("{}/readyz", server.url)).send().await
                && r.status() == 200
            {
                return server;
            }
            if Instant::now() > deadline {
                panic!("alliance serve was not ready within 60 s:\n{}", tail(&server.log));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// kill -9: no shutdown, no flush, no checkpoint.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
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

pub fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs `alliance user ...` with the password on standard input.
pub fn user_command(bin: &Path, engine: &Engine, args: &[&str]) {
    let mut child = Command::new(bin)
        .arg("user")
        .args(args)
        .args(engine.args())
        .arg("--password-stdin")
        .env("NO_COLOR", "1")
        .env("ALLIANCE_KEYS", BENCH_KEYS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    if !out.status.success() {
        panic!("alliance user {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
}

/// The value of a hidden input, e.g. the anti-forgery token.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no hidden {name} in page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub fn number_after(text: &str, prefix: &str) -> i64 {
    let start = text.find(prefix).unwrap_or_else(|| panic!("{prefix} not found")) + prefix.len();
    text[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The therapist, signed in over HTTP.
pub struct Therapist {
    pub http: reqwest::Client,
    pub csrf: String,
    pub url: String,
}

impl Therapist {
    pub async fn sign_in(url: &str) -> Therapist {
        Self::sign_in_as(url, THERAPIST).await
    }

    /// Signs in another therapist account made with `user_command`.
    pub async fn sign_in_as(url: &str, email: &str) -> Therapist {
        let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(60)).build().unwrap();
        let page = http.get(format!("{url}/login")).send().await.unwrap().text().await.unwrap();
        let csrf = hidden(&page, "csrf");
        let r = http
            .post(format!("{url}/login"))
            .form(&[("csrf", csrf.as_str()), ("email", email), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the therapist could not sign in");
        let home = r.text().await.unwrap();
        Therapist { csrf: hidden(&home, "csrf"), http, url: url.to_owned() }
    }

    pub async fn get(&self, path: &str) -> String {
        let r = self.http.get(format!("{}{path}", self.url)).send().await.unwrap();
        assert_eq!(r.status(), 200, "GET {path}");
        r.text().await.unwrap()
    }

    /// Posts a form with the sign-in's token; returns status, final path and body (redirects followed).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self.http.post(format!("{}{path}", self.url)).form(&all).send().await.unwrap();
        let status = r.status().as_u16();
        let url = r.url().path().to_owned();
        (status, url, r.text().await.unwrap())
    }

    /// A new client with an episode measuring PHQ-9 and GAD-7; returns (client id, episode id).
    pub async fn new_client(&self, pseudonym: &str) -> (i64, i64) {
        let fields = [("pseudonym", pseudonym), ("measure", "phq9"), ("measure", "gad7"), ("started_on", &today())];
        let (status, url, _) = self.post("/clients/new", &fields).await;
        assert_eq!(status, 200, "creating a client");
        let client: i64 = url.trim_start_matches("/clients/").parse().unwrap();
        let page = self.get(&url).await;
        (client, number_after(&page, "action=\"/episodes/"))
    }

    /// Records a session and creates its link; returns (session id, token).
    pub async fn session_with_link(&self, episode: i64) -> (i64, String) {
        let (status, url, _) =
            self.post(&format!("/episodes/{episode}/sessions"), &[("held_on", &today()), ("attended", "yes")]).await;
        assert_eq!(status, 200, "recording a session");
        let session: i64 = url.trim_start_matches("/sessions/").parse().unwrap();
        let (status, _, page) = self.post(&format!("/sessions/{session}/links"), &[]).await;
        assert_eq!(status, 200, "creating a link (post-redirect-get to the session page)");
        let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        (session, token)
    }
}
