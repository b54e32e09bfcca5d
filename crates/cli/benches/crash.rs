//! Crash test: concurrent client submissions, `kill -9` of `alliance serve` at a random moment, restart, and a
//! check through the therapist's pages that every acknowledged submission is stored complete and that nothing
//! is stored half-way.
//!
//! `cargo bench -p alliance --bench crash -- [--cycles 20] [--concurrency 8] [--pool 48] [--database URL]`
//!
//! It builds nothing: it runs the release binary next to it (`target/release/alliance`, which cargo builds
//! together with this bench) or `ALLIANCE_BIN`. Without `--database` the practice is a SQLite file in a new
//! temporary folder; with `--database postgres://USER:PASSWORD@HOST:PORT/DB` it creates a fresh database on
//! that server (and drops it at the end). See `benches/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::panic)]

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ADMIN: &str = "admin@crash.example.org";
const THERAPIST: &str = "therapist@crash.example.org";
const PASSWORD: &str = "crash test password 2026";
const CHECK_ITEMS: [&str; 9] =
    ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2", "understood", "respected", "genuine"];
/// Titles of the client's answer tables on the session page (instrument name, " — Client").
const CHECK_TITLE: &str = "Relationship check — Client";
const PHQ_TITLE: &str = "Patient Health Questionnaire (PHQ-9) — Client";
const GAD_TITLE: &str = "Generalized Anxiety Disorder scale (GAD-7) — Client";

struct Options {
    cycles: usize,
    concurrency: usize,
    pool: usize,
    database: Option<String>,
    seed: u64,
    /// A fixed upper bound of the kill delay; adaptive (about the time to use up the pool) when not given.
    max_delay_ms: Option<u64>,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench -p alliance --bench crash -- [--cycles N] [--concurrency N] [--pool N] \
         [--database URL] [--seed N] [--max-delay-ms N]"
    );
    std::process::exit(2)
}

fn options() -> Options {
    let mut o = Options {
        cycles: 20,
        concurrency: 8,
        pool: 48,
        database: None,
        seed: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs()),
        max_delay_ms: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next().unwrap_or_else(|| {
                eprintln!("{name} needs a value");
                usage()
            })
        };
        let number = |name: &str, v: String| -> u64 {
            v.parse().unwrap_or_else(|_| {
                eprintln!("{name}: {v:?} is not a number");
                usage()
            })
        };
        match arg.as_str() {
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            "--cycles" => o.cycles = number("--cycles", value("--cycles")).clamp(1, 1000) as usize,
            "--concurrency" => o.concurrency = number("--concurrency", value("--concurrency")).clamp(1, 64) as usize,
            "--pool" => o.pool = number("--pool", value("--pool")).clamp(1, 1000) as usize,
            "--database" => o.database = Some(value("--database")),
            "--seed" => o.seed = number("--seed", value("--seed")),
            "--max-delay-ms" => o.max_delay_ms = Some(number("--max-delay-ms", value("--max-delay-ms")).max(1)),
            "-h" | "--help" => usage(),
            other => {
                eprintln!("unknown argument {other:?}");
                usage()
            }
        }
    }
    o
}

/// The `alliance` binary: `ALLIANCE_BIN`, else the one cargo built beside this bench (`target/release/deps/..`).
fn binary() -> PathBuf {
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
enum Engine {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Engine {
    fn args(&self) -> Vec<String> {
        match self {
            Engine::Sqlite(dir) => vec!["--data".into(), dir.display().to_string()],
            Engine::Postgres(url) => vec!["--database".into(), url.clone()],
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Engine::Sqlite(_) => "SQLite (WAL, synchronous=FULL)",
            Engine::Postgres(_) => "PostgreSQL",
        }
    }
}

/// A fresh database on the PostgreSQL server, dropped (its sessions ended) when this goes away.
struct ScratchDatabase {
    server: String,
    name: String,
}

impl ScratchDatabase {
    async fn create(server: &str) -> (Self, String) {
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

/// The bench's own keys (synthetic data only), so that no key file is left in the working folder.
const BENCH_KEYS: &str =
    "db YmVuY2ggZGF0YWJhc2Ugc2VjcmV0IDAxMjM0NTY3ODk=\nv1 YmVuY2ggZmllbGQga2V5IHYxIDAxMjM0NTY3ODlhYmM=\n";

/// A running `alliance serve`; killed (SIGKILL) when dropped, so a failing bench leaves no server behind.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Server {
    async fn start(bin: &Path, engine: &Engine, port: u16, log: &Path) -> Server {
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
    fn kill(&mut self) {
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

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs `alliance user ...` with the password on standard input.
fn user_command(bin: &Path, engine: &Engine, args: &[&str]) {
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
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no hidden {name} in page")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

fn number_after(text: &str, prefix: &str) -> i64 {
    let start = text.find(prefix).unwrap_or_else(|| panic!("{prefix} not found")) + prefix.len();
    text[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The therapist, signed in over HTTP.
struct Therapist {
    http: reqwest::Client,
    csrf: String,
    url: String,
}

impl Therapist {
    async fn sign_in(url: &str) -> Therapist {
        let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(60)).build().unwrap();
        let page = http.get(format!("{url}/login")).send().await.unwrap().text().await.unwrap();
        let csrf = hidden(&page, "csrf");
        let r = http
            .post(format!("{url}/login"))
            .form(&[("csrf", csrf.as_str()), ("email", THERAPIST), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the therapist could not sign in");
        let home = r.text().await.unwrap();
        Therapist { csrf: hidden(&home, "csrf"), http, url: url.to_owned() }
    }

    async fn get(&self, path: &str) -> String {
        let r = self.http.get(format!("{}{path}", self.url)).send().await.unwrap();
        assert_eq!(r.status(), 200, "GET {path}");
        r.text().await.unwrap()
    }

    /// Posts a form with the sign-in's token; returns status, final path and body (redirects followed).
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self.http.post(format!("{}{path}", self.url)).form(&all).send().await.unwrap();
        let status = r.status().as_u16();
        let url = r.url().path().to_owned();
        (status, url, r.text().await.unwrap())
    }

    /// A new client with an episode measuring PHQ-9 and GAD-7; returns (client id, episode id).
    async fn new_client(&self, pseudonym: &str) -> (i64, i64) {
        let fields = [("pseudonym", pseudonym), ("measure", "phq9"), ("measure", "gad7"), ("started_on", &today())];
        let (status, url, _) = self.post("/clients/new", &fields).await;
        assert_eq!(status, 200, "creating a client");
        let client: i64 = url.trim_start_matches("/clients/").parse().unwrap();
        let page = self.get(&url).await;
        (client, number_after(&page, "action=\"/episodes/"))
    }

    /// Records a session and creates its link; returns (session id, token).
    async fn session_with_link(&self, episode: i64) -> (i64, String) {
        let (status, url, _) =
            self.post(&format!("/episodes/{episode}/sessions"), &[("held_on", &today()), ("attended", "yes")]).await;
        assert_eq!(status, 200, "recording a session");
        let session: i64 = url.trim_start_matches("/sessions/").parse().unwrap();
        let (status, _, page) = self.post(&format!("/sessions/{session}/links"), &[]).await;
        assert_eq!(status, 201, "creating a link");
        let token = page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        (session, token)
    }
}

/// What one submission sends, and the scores the server must show for it.
#[derive(Clone)]
struct Answers {
    check: [u8; 9],
    phq: [u8; 9],
    gad: [u8; 7],
}

impl Answers {
    fn random(rng: &mut StdRng) -> Answers {
        let mut a = Answers { check: [0; 9], phq: [0; 9], gad: [0; 7] };
        a.check.iter_mut().for_each(|v| *v = rng.random_range(1..=5));
        // PHQ-9 item 9 stays 0: no risk page, and the ninth value is still checked.
        a.phq.iter_mut().take(8).for_each(|v| *v = rng.random_range(0..=3));
        a.gad.iter_mut().for_each(|v| *v = rng.random_range(0..=3));
        a
    }

    fn alliance(&self) -> u32 {
        self.check[..6].iter().map(|v| u32::from(*v)).sum()
    }

    fn phq_total(&self) -> u32 {
        self.phq.iter().map(|v| u32::from(*v)).sum()
    }

    fn gad_total(&self) -> u32 {
        self.gad.iter().map(|v| u32::from(*v)).sum()
    }

    fn fields(&self, csrf: &str) -> Vec<(String, String)> {
        let mut f = vec![("csrf".to_owned(), csrf.to_owned())];
        for (id, v) in CHECK_ITEMS.iter().zip(self.check) {
            f.push((format!("relationship-check.{id}"), v.to_string()));
        }
        f.push(("relationship-check.rupture".into(), "no".into()));
        for (i, v) in self.phq.iter().enumerate() {
            f.push((format!("phq9.{}", i + 1), v.to_string()));
        }
        for (i, v) in self.gad.iter().enumerate() {
            f.push((format!("gad7.{}", i + 1), v.to_string()));
        }
        f
    }

    /// The leading word of each answer row of the three tables on the session page.
    fn rows(&self) -> [Vec<String>; 3] {
        let mut check: Vec<String> = self.check.iter().map(u8::to_string).collect();
        check.push("No".into());
        [check, self.phq.iter().map(u8::to_string).collect(), self.gad.iter().map(u8::to_string).collect()]
    }

    fn summary(&self) -> HashMap<String, String> {
        [
            ("Check".to_owned(), self.alliance().to_string()),
            ("PHQ-9".to_owned(), self.phq_total().to_string()),
            ("GAD-7".to_owned(), self.gad_total().to_string()),
        ]
        .into_iter()
        .collect()
    }
}

#[derive(Clone)]
struct Link {
    client: i64,
    session: i64,
    token: String,
    csrf: String,
    answers: Answers,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// 200 "Thank you".
    Acknowledged,
    /// Sent, and no answer came before the kill.
    InFlight,
    /// The connection was refused: the server was already dead, nothing was sent.
    Refused,
    /// Any other answer before the kill (not expected).
    Unexpected(u16),
}

/// What the therapist's pages show for a session's link.
#[derive(Debug, PartialEq, Eq)]
enum Stored {
    Absent,
    Complete,
    Partial(String),
}

/// The client's answer tables on a session page: title -> leading word of each row's answer.
fn answer_tables(page: &str) -> HashMap<String, Vec<String>> {
    let mut tables = HashMap::new();
    for card in page.split("<section class=\"card\">").skip(1) {
        let Some(title) = card.split("<h2>").nth(1).and_then(|t| t.split("</h2>").next()) else { continue };
        if !title.ends_with("— Client") {
            continue;
        }
        let Some(body) = card.split("<tbody>").nth(1).and_then(|b| b.split("</tbody>").next()) else { continue };
        let rows = body
            .split("<td>")
            .skip(1)
            .map(|td| td.split("</td>").next().unwrap_or("").split_whitespace().next().unwrap_or("").to_owned())
            .collect();
        tables.insert(title.to_owned(), rows);
    }
    tables
}

/// The client page's session table: session id -> the client's scores ("Check 22, PHQ-9 12, GAD-7 5" or "–").
fn session_summaries(page: &str) -> HashMap<i64, HashMap<String, String>> {
    let mut out = HashMap::new();
    let Some(table) = page.split("<table class=\"sessions\">").nth(1) else { return out };
    let table = table.split("</table>").next().unwrap_or("");
    for row in table.split("<tr>").skip(1) {
        let Some(id) = row.split("href=\"/sessions/").nth(1) else { continue };
        let id: i64 = id.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap();
        let cells: Vec<&str> = row.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap_or("")).collect();
        let summary = cells.get(1).copied().unwrap_or("");
        let scores = summary
            .split(", ")
            .filter_map(|part| part.rsplit_once(' ').map(|(name, value)| (name.to_owned(), value.to_owned())))
            .collect();
        out.insert(id, scores);
    }
    out
}

/// Reads what the server shows for `link`: its session page and its row on the client page.
async fn inspect(therapist: &Therapist, link: &Link, summaries: &HashMap<i64, HashMap<String, String>>) -> Stored {
    let page = therapist.get(&format!("/sessions/{}", link.session)).await;
    let answered = page.contains("Answered by the client.");
    let open = page.contains("A link is open until");
    let tables = answer_tables(&page);
    let summary = summaries.get(&link.session).cloned().unwrap_or_default();
    if !answered && open && tables.is_empty() && summary.is_empty() {
        return Stored::Absent;
    }
    let mut problems = Vec::new();
    if !answered {
        problems.push("the link is not marked answered".to_owned());
    }
    let expected = link.answers.rows();
    for (title, rows) in [CHECK_TITLE, PHQ_TITLE, GAD_TITLE].iter().zip(expected) {
        match tables.get(*title) {
            None => problems.push(format!("no table {title:?}")),
            Some(found) if *found != rows => problems.push(format!("{title}: answers {found:?}, sent {rows:?}")),
            Some(_) => {}
        }
    }
    if tables.len() != 3 {
        problems.push(format!("{} client answer tables, expected 3", tables.len()));
    }
    if summary != link.answers.summary() {
        problems.push(format!("scores {summary:?} on the client page, expected {:?}", link.answers.summary()));
    }
    if problems.is_empty() { Stored::Complete } else { Stored::Partial(problems.join("; ")) }
}

/// Posts the link's answers again; returns status and the page's title line.
async fn repost(http: &reqwest::Client, url: &str, link: &Link) -> (u16, String) {
    let r = http.post(format!("{url}/c/{}", link.token)).form(&link.answers.fields(&link.csrf)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[derive(Default, Clone)]
struct Counts {
    sent: usize,
    acknowledged: usize,
    acknowledged_stored: usize,
    in_flight: usize,
    in_flight_stored: usize,
    refused: usize,
    unexpected: usize,
    violations: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.sent += o.sent;
        self.acknowledged += o.acknowledged;
        self.acknowledged_stored += o.acknowledged_stored;
        self.in_flight += o.in_flight;
        self.in_flight_stored += o.in_flight_stored;
        self.refused += o.refused;
        self.unexpected += o.unexpected;
        self.violations += o.violations;
    }
}

struct Fired {
    results: Vec<(Link, Outcome)>,
    unsent: Vec<Link>,
}

/// Posts the pool's links from `concurrency` tasks and kills the server after `delay`.
async fn fire(server: &mut Server, pool: Vec<Link>, concurrency: usize, delay: Duration) -> Fired {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let queue = Arc::new(Mutex::new(pool.into_iter().collect::<VecDeque<Link>>()));
    let killed = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, queue, killed, url) = (http.clone(), queue.clone(), killed.clone(), server.url.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                if killed.load(Ordering::SeqCst) {
                    break;
                }
                let Some(link) = queue.lock().unwrap().pop_front() else { break };
                let sent = http.post(format!("{url}/c/{}", link.token)).form(&link.answers.fields(&link.csrf)).send();
                let outcome = match sent.await {
                    Err(e) if e.is_connect() => Outcome::Refused,
                    Err(_) => Outcome::InFlight,
                    Ok(r) => {
                        let status = r.status().as_u16();
                        match r.text().await {
                            Ok(body) if status == 200 && body.contains("Thank you") => Outcome::Acknowledged,
                            Ok(_) => Outcome::Unexpected(status),
                            // The head came, the page did not: not an acknowledgement.
                            Err(_) => Outcome::InFlight,
                        }
                    }
                };
                done.push((link, outcome));
            }
            done
        }));
    }
    tokio::time::sleep(delay).await;
    // No new submission starts from here on; those already started meet the kill.
    killed.store(true, Ordering::SeqCst);
    server.kill();
    let mut results = Vec::new();
    for task in tasks {
        let done = tokio::time::timeout(Duration::from_secs(120), task)
            .await
            .expect("a submission did not end within 120 s of the kill")
            .unwrap();
        results.extend(done);
    }
    let unsent = queue.lock().unwrap().drain(..).collect();
    Fired { results, unsent }
}

/// Checks the previous cycle's submissions after the restart. Returns the cycle's counts, links to use again
/// (refused: never reached the server) and links now stored (to check again after later crashes).
async fn verify(
    therapist: &Therapist,
    url: &str,
    results: Vec<(Link, Outcome)>,
    violations: &mut Vec<String>,
    cycle: usize,
) -> (Counts, Vec<Link>, Vec<Link>) {
    let mut counts = Counts::default();
    let mut summaries = HashMap::new();
    let mut clients: Vec<i64> = results.iter().map(|(l, _)| l.client).collect();
    clients.sort_unstable();
    clients.dedup();
    for client in clients {
        summaries.extend(session_summaries(&therapist.get(&format!("/clients/{client}")).await));
    }
    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let (mut again, mut stored) = (Vec::new(), Vec::new());
    let before = violations.len();
    for (link, outcome) in results {
        if outcome != Outcome::Refused {
            counts.sent += 1;
        }
        let found = inspect(therapist, &link, &summaries).await;
        let who = format!("cycle {cycle}, session {} ({outcome:?})", link.session);
        if let Stored::Partial(why) = &found {
            violations.push(format!("{who}: stored half-way: {why}"));
            continue;
        }
        match outcome {
            Outcome::Acknowledged => {
                counts.acknowledged += 1;
                if found == Stored::Complete {
                    counts.acknowledged_stored += 1;
                } else {
                    violations.push(format!("{who}: acknowledged but not stored"));
                }
                let (status, body) = repost(&http, url, &link).await;
                if status != 409 || !body.contains("Already answered") {
                    violations.push(format!("{who}: posting again answered {status}, expected 409 Already answered"));
                }
                stored.push(link);
            }
            Outcome::InFlight | Outcome::Unexpected(_) => {
                if outcome == Outcome::InFlight {
                    counts.in_flight += 1;
                } else {
                    counts.unexpected += 1;
                }
                let (status, body) = repost(&http, url, &link).await;
                match (&found, status) {
                    (Stored::Complete, 409) if body.contains("Already answered") => {
                        if outcome == Outcome::InFlight {
                            counts.in_flight_stored += 1;
                        }
                        stored.push(link);
                    }
                    (Stored::Absent, 200) if body.contains("Thank you") => {
                        // Stored now: it must be complete.
                        let page = therapist.get(&format!("/clients/{}", link.client)).await;
                        let found = inspect(therapist, &link, &session_summaries(&page)).await;
                        if found != Stored::Complete {
                            violations.push(format!("{who}: posted again and acknowledged, but shows {found:?}"));
                        }
                        stored.push(link);
                    }
                    (found, status) => {
                        violations.push(format!("{who}: shows {found:?} but posting again answered {status}"));
                    }
                }
            }
            Outcome::Refused => {
                counts.refused += 1;
                if found == Stored::Absent {
                    again.push(link);
                } else {
                    violations.push(format!("{who}: never reached the server but shows {found:?}"));
                }
            }
        }
    }
    counts.violations = violations.len() - before;
    (counts, again, stored)
}

/// Every submission stored in earlier cycles must still be there, complete, after the later crashes.
async fn recheck(therapist: &Therapist, stored: &[Link], violations: &mut Vec<String>, cycle: usize) -> usize {
    let mut by_client: HashMap<i64, Vec<&Link>> = HashMap::new();
    for link in stored {
        by_client.entry(link.client).or_default().push(link);
    }
    let before = violations.len();
    for (client, links) in by_client {
        let summaries = session_summaries(&therapist.get(&format!("/clients/{client}")).await);
        for link in links {
            let found = summaries.get(&link.session).cloned().unwrap_or_default();
            if found != link.answers.summary() {
                violations.push(format!(
                    "after restart {cycle}: session {} stored earlier now shows scores {found:?}",
                    link.session
                ));
            }
        }
    }
    violations.len() - before
}

/// Tops the pool of open links up to `size`, for a new client of this cycle.
async fn top_up(therapist: &Therapist, url: &str, pool: &mut Vec<Link>, size: usize, cycle: usize, rng: &mut StdRng) {
    if pool.len() >= size {
        return;
    }
    let (client, episode) = therapist.new_client(&format!("Crash {cycle}")).await;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    while pool.len() < size {
        let (session, token) = therapist.session_with_link(episode).await;
        let form = http.get(format!("{url}/c/{token}")).send().await.unwrap();
        assert_eq!(form.status(), 200, "opening the client's form");
        let csrf = hidden(&form.text().await.unwrap(), "csrf");
        pool.push(Link { client, session, token, csrf, answers: Answers::random(rng) });
    }
}

#[tokio::main]
async fn main() {
    let o = options();
    let bin = binary();
    let began = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mut scratch = None;
    let engine = match &o.database {
        Some(server) => {
            let (db, url) = ScratchDatabase::create(server).await;
            scratch = Some(db);
            Engine::Postgres(url)
        }
        None => Engine::Sqlite(dir.path().join("data")),
    };
    let log = dir.path().join("server.log");
    println!(
        "Crash test on {}: {} cycles, {} concurrent submitters, pool of {} links, seed {}",
        engine.name(),
        o.cycles,
        o.concurrency,
        o.pool,
        o.seed
    );
    user_command(&bin, &engine, &["create-admin", "--email", ADMIN, "--name", "Crash Admin"]);
    user_command(&bin, &engine, &["add", "--role", "therapist", "--email", THERAPIST, "--name", "Crash Therapist"]);

    let mut rng = StdRng::seed_from_u64(o.seed);
    let port = free_port();
    let mut pool: Vec<Link> = Vec::new();
    let mut stored: Vec<Link> = Vec::new();
    let mut pending: Option<Vec<(Link, Outcome)>> = None;
    let mut violations: Vec<String> = Vec::new();
    let mut per_cycle: Vec<(usize, u64, Counts)> = Vec::new();
    let mut rechecked = 0usize;
    let mut window_ms = o.max_delay_ms.unwrap_or(150) as f64;
    let mut restart = Duration::ZERO;
    for cycle in 1..=o.cycles + 1 {
        let t = Instant::now();
        let mut server = Server::start(&bin, &engine, port, &log).await;
        if cycle > 1 {
            restart += t.elapsed();
        }
        let therapist = Therapist::sign_in(&server.url).await;
        if let Some(results) = pending.take() {
            let earlier = stored.clone();
            let lost = recheck(&therapist, &earlier, &mut violations, cycle - 1).await;
            rechecked += earlier.len();
            let (mut counts, again, now_stored) =
                verify(&therapist, &server.url, results, &mut violations, cycle - 1).await;
            counts.violations += lost;
            pool.extend(again);
            stored.extend(now_stored);
            per_cycle.last_mut().unwrap().2 = counts;
        }
        if cycle > o.cycles {
            server.kill();
            break;
        }
        top_up(&therapist, &server.url, &mut pool, o.pool, cycle, &mut rng).await;
        let delay_ms = rng.random_range(0..=window_ms as u64);
        let fired = fire(&mut server, std::mem::take(&mut pool), o.concurrency, Duration::from_millis(delay_ms)).await;
        // Adapt the kill window to about the time the pool takes to use up, so that kills land among the
        // submissions: shrink it when the kill came after the last one, widen it when links were left.
        if o.max_delay_ms.is_none() {
            let in_flight = fired.results.iter().any(|(_, o)| *o == Outcome::InFlight);
            let drained = fired.unsent.is_empty() && !in_flight;
            window_ms = if drained { window_ms * 0.7 } else { window_ms * 1.15 }.clamp(5.0, 5000.0);
        }
        pool = fired.unsent;
        per_cycle.push((cycle, delay_ms, Counts::default()));
        pending = Some(fired.results);
        let _ = std::io::stdout().flush();
    }
    let elapsed = began.elapsed();

    println!();
    println!("cycle  kill after  sent  acked  acked stored  in flight  in flight stored  refused  violations");
    let mut total = Counts::default();
    for (cycle, delay, c) in &per_cycle {
        println!(
            "{cycle:>5}  {:>7} ms  {:>4}  {:>5}  {:>12}  {:>9}  {:>16}  {:>7}  {:>10}",
            delay,
            c.sent,
            c.acknowledged,
            c.acknowledged_stored,
            c.in_flight,
            c.in_flight_stored,
            c.refused,
            c.violations
        );
        total.add(c);
    }
    let mut summary = String::new();
    let _ = writeln!(summary, "\n{}", engine.name());
    let _ = writeln!(summary, "  cycles (kill -9 + restart)              {}", per_cycle.len());
    let _ = writeln!(summary, "  submissions sent (reached the server)   {}", total.sent);
    let _ = writeln!(summary, "  acknowledged (200 Thank you)            {}", total.acknowledged);
    let _ = writeln!(summary, "  acknowledged and stored complete        {}", total.acknowledged_stored);
    let _ = writeln!(summary, "  in flight at the kill                   {}", total.in_flight);
    let _ = writeln!(
        summary,
        "  kills with submissions in flight        {} of {}",
        per_cycle.iter().filter(|(_, _, c)| c.in_flight > 0).count(),
        per_cycle.len()
    );
    let _ = writeln!(summary, "  in flight, found stored (complete)      {}", total.in_flight_stored);
    let _ = writeln!(summary, "  refused (server already dead)           {}", total.refused);
    let _ = writeln!(summary, "  other answers before the kill           {}", total.unexpected);
    let _ = writeln!(summary, "  re-checks of earlier stored ones        {rechecked} (after each later restart)");
    let _ = writeln!(summary, "  violations                              {}", violations.len());
    let _ = writeln!(
        summary,
        "  run time {:.1} s (restart to ready: {:.0} ms on average)",
        elapsed.as_secs_f64(),
        restart.as_secs_f64() * 1000.0 / per_cycle.len().max(1) as f64
    );
    print!("{summary}");
    for v in &violations {
        println!("VIOLATION: {v}");
    }
    drop(scratch);
    if !violations.is_empty() {
        println!("server log (last lines):\n{}", tail(&log));
        drop(dir);
        std::process::exit(1);
    }
}
