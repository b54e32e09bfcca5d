//! Load benchmark of `alliance serve`: durable client submissions at fixed request rates, the raw durable
//! commit rate of the same disk (SQLite) or server (PostgreSQL) in the same run, the server's peak memory, and
//! the caseload and client pages with a large practice stored.
//!
//! `cargo bench -p alliance --bench load -- [--database URL] [--rates 250,500,1000] [--seconds 10]
//!  [--sessions 1000000] [--page-rate 100]`
//!
//! Load tools: `wrk` (posts, paced to a fixed rate per connection with its Lua `delay` hook; every request uses a
//! different single-use link) and `hey` (pages, `-q` fixed rate). Both are Debian packages. See README.md here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::panic)]

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use alliance_store::data_folder::DATABASE_FILE;
use sqlx::{Connection, Executor};
use support::*;

struct Options {
    database: Option<String>,
    rates: Vec<u32>,
    seconds: u64,
    connections: u32,
    sessions: u64,
    page_rate: u32,
    /// App servers sharing the database (PostgreSQL only); the submissions are split evenly between them.
    servers: usize,
}

fn options() -> Options {
    let mut o = Options {
        database: None,
        rates: vec![250, 500, 1000],
        seconds: 10,
        // Many connections, each waiting long between requests: wrk is closed-loop (a connection sends its next
        // request only after the last answer and its delay), so with few connections the server's latency itself
        // would lower the offered rate (50 connections at 1,000/s cap it at 50 / (0.05 s + latency)).
        connections: 500,
        sessions: 1_000_000,
        page_rate: 100,
        servers: 1,
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--database" => o.database = Some(value()),
            "--rates" => o.rates = value().split(',').map(|r| r.parse().expect("--rates 250,500,1000")).collect(),
            "--seconds" => o.seconds = value().parse().expect("--seconds N"),
            "--connections" => o.connections = value().parse().expect("--connections N"),
            "--sessions" => o.sessions = value().parse().expect("--sessions N"),
            "--page-rate" => o.page_rate = value().parse().expect("--page-rate N"),
            "--servers" => o.servers = value().parse().expect("--servers N"),
            other => panic!("unknown option {other}"),
        }
    }
    assert!(o.servers >= 1, "--servers is at least 1");
    assert!(o.servers == 1 || o.database.is_some(), "several app servers share a PostgreSQL database: add --database");
    o
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-h").output().is_ok()
}

/// Raw durable commits: one small row per transaction, committed with the settings Alliance serves with.
async fn raw_commit_rate(engine: &Engine, dir: &Path) -> (f64, f64, f64) {
    let mut latencies = Vec::new();
    let payload = vec![7u8; 600];
    let started = Instant::now();
    match engine {
        Engine::Sqlite(_) => {
            // Encrypted like the practice's own file (SQLCipher), so the ratio compares like with like.
            let mut db = sqlx::SqliteConnection::connect_with(&keyed(&dir.join("raw.db"))).await.unwrap();
            db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE raw (v BLOB)")
                .await
                .unwrap();
            while started.elapsed() < Duration::from_secs(5) {
                let t = Instant::now();
                let mut tx = db.begin().await.unwrap();
                sqlx::query("INSERT INTO raw (v) VALUES (?)").bind(&payload).execute(&mut *tx).await.unwrap();
                tx.commit().await.unwrap();
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        Engine::Postgres(url) => {
            let mut db = sqlx::PgConnection::connect(url).await.unwrap();
            db.execute("CREATE TABLE raw_commit_rate (v BYTEA)").await.unwrap();
            while started.elapsed() < Duration::from_secs(5) {
                let t = Instant::now();
                let mut tx = db.begin().await.unwrap();
                sqlx::query("INSERT INTO raw_commit_rate (v) VALUES ($1)")
                    .bind(&payload)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            db.execute("DROP TABLE raw_commit_rate").await.unwrap();
        }
    }
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    (rate, at(0.5), at(0.99))
}

/// Fills the database with a large practice of another therapist: clients with an episode, sessions, and a
/// scored relationship check per session. Straight SQL: the point is the size the pages' queries run against.
async fn fill(engine: &Engine, therapist_email: &str, sessions: u64) -> Duration {
    let started = Instant::now();
    // E-mail addresses are sealed; accounts are found by their blind index, as sign-in finds them.
    let keys = alliance_store::Keyring::parse(BENCH_KEYS).unwrap();
    let index = keys.email_index(therapist_email);
    use alliance_store::cipher::{CLIENT_PSEUDONYM, RESPONSE_ANSWERS, RESPONSE_FLAGS};
    const SEALED: [(alliance_store::cipher::Field, &str, &str); 3] = [
        (CLIENT_PSEUDONYM, "id", "Filler"),
        (RESPONSE_ANSWERS, "administration_id", "{}"),
        (RESPONSE_FLAGS, "administration_id", r#"{"risks": [], "indicators": []}"#),
    ];
    let therapist: i64 = match engine {
        Engine::Sqlite(dir) => {
            let mut db = sqlx::SqliteConnection::connect_with(&keyed(&dir.join(DATABASE_FILE))).await.unwrap();
            let sql = "SELECT id FROM users WHERE email_index = ?";
            sqlx::query_scalar(sql).bind(&index).fetch_one(&mut db).await.unwrap()
        }
        Engine::Postgres(url) => {
            let mut db = sqlx::PgConnection::connect(url).await.unwrap();
            let sql = "SELECT id FROM users WHERE email_index = $1";
            sqlx::query_scalar(sql).bind(&index).fetch_one(&mut db).await.unwrap()
        }
    };
    let per_client = 40u64;
    let clients = sessions.div_ceil(per_client);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (t, f, measures, scores) = match engine {
        Engine::Sqlite(_) => (
            "1",
            "0",
            "'phq9,gad7'",
            "(administration_id, scale_id, value, answered, missing, prorated, band, concern)",
        ),
        Engine::Postgres(_) => (
            "TRUE",
            "FALSE",
            "'{phq9,gad7}'",
            "(administration_id, scale_id, position, value, answered, missing, prorated, band, concern)",
        ),
    };
    let position = if matches!(engine, Engine::Postgres(_)) { "0, " } else { "" };
    let statements = [
        format!(
            "INSERT INTO clients (therapist_id, pseudonym, contact, created_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {clients}) \
             SELECT {therapist}, '', NULL, {now} FROM n"
        ),
        format!(
            "INSERT INTO episodes (client_id, therapist_id, started_on, measures, created_at) \
             SELECT id, therapist_id, '2025-01-06', {measures}, {now} FROM clients \
             WHERE therapist_id = {therapist}"
        ),
        format!(
            "INSERT INTO therapy_sessions (episode_id, number, held_on, attended, created_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {per_client}) \
             SELECT e.id, n.i, '2025-06-02', {t}, {now} FROM episodes e CROSS JOIN n \
             WHERE e.therapist_id = {therapist}"
        ),
        format!(
            "INSERT INTO administrations (session_id, link_id, instrument_id, instrument_version, rater, position, \
             status, created_at, completed_at) \
             SELECT s.id, NULL, 'relationship-check', 1, 'client', 0, 'completed', {now}, {now} \
             FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id \
             WHERE e.therapist_id = {therapist}"
        ),
        format!(
            "INSERT INTO responses (administration_id, answers, flags, submitted_at) \
             SELECT a.id, '', '', {now} FROM administrations a JOIN therapy_sessions s ON s.id = a.session_id \
             JOIN episodes e ON e.id = s.episode_id \
             WHERE e.therapist_id = {therapist}"
        ),
        format!(
            "INSERT INTO scores {scores} \
             SELECT a.id, 'total', {position}4.0, 9, 0, {f}, NULL, {f} FROM administrations a \
             JOIN therapy_sessions s ON s.id = a.session_id JOIN episodes e ON e.id = s.episode_id \
             WHERE e.therapist_id = {therapist}"
        ),
    ];
    match engine {
        Engine::Sqlite(dir) => {
            let mut db = sqlx::SqliteConnection::connect_with(&keyed(&dir.join(DATABASE_FILE))).await.unwrap();
            db.execute("PRAGMA busy_timeout = 60000").await.unwrap();
            let mut tx = db.begin().await.unwrap();
            for s in &statements {
                tx.execute(s.as_str()).await.unwrap();
            }
            // Pseudonyms and answers are sealed per row (the row id is part of the seal), as the store writes them.
            for (field, id_column, plain) in SEALED {
                let ids: Vec<i64> =
                    sqlx::query_scalar(&format!("SELECT {id_column} FROM {} WHERE {} = ''", field.table, field.column))
                        .fetch_all(&mut *tx)
                        .await
                        .unwrap();
                let sql = format!("UPDATE {} SET {} = ? WHERE {id_column} = ?", field.table, field.column);
                for id in ids {
                    sqlx::query(&sql).bind(keys.seal(field, id, plain)).bind(id).execute(&mut *tx).await.unwrap();
                }
            }
            tx.commit().await.unwrap();
        }
        Engine::Postgres(url) => {
            let mut db = sqlx::PgConnection::connect(url).await.unwrap();
            let mut tx = db.begin().await.unwrap();
            for s in &statements {
                tx.execute(s.as_str()).await.unwrap();
            }
            for (field, id_column, plain) in SEALED {
                let ids: Vec<i64> =
                    sqlx::query_scalar(&format!("SELECT {id_column} FROM {} WHERE {} = ''", field.table, field.column))
                        .fetch_all(&mut *tx)
                        .await
                        .unwrap();
                let sql = format!(
                    "UPDATE {table} t SET {column} = v.sealed FROM unnest($1::bigint[], $2::text[]) AS v(id, sealed)                      WHERE t.{id_column} = v.id",
                    table = field.table,
                    column = field.column
                );
                for chunk in ids.chunks(50_000) {
                    let sealed: Vec<String> = chunk.iter().map(|id| keys.seal(field, *id, plain)).collect();
                    sqlx::query(&sql).bind(chunk).bind(&sealed).execute(&mut *tx).await.unwrap();
                }
            }
            tx.commit().await.unwrap();
            db.execute("VACUUM ANALYZE").await.unwrap();
        }
    }
    started.elapsed()
}

/// One wrk run at a fixed rate; returns (requests/s achieved, p50 ms, p99 ms, non-2xx, requests).
fn wrk_at(
    url: &str,
    requests: &Path,
    rate: u32,
    connections: u32,
    seconds: u64,
    dir: &Path,
) -> (f64, f64, f64, u64, u64) {
    let name = requests.file_stem().and_then(|n| n.to_str()).unwrap_or("requests");
    // Each connection waits `interval` between its requests: together about `rate` per second while the
    // server keeps up (wrk measures latency from each request's start; a server that falls behind shows as a
    // lower achieved rate).
    let interval = (f64::from(connections) * 1000.0 / f64::from(rate)).max(0.0).round() as u64;
    let script = dir.join(format!("submit-{name}.lua"));
    std::fs::write(
        &script,
        format!(
            r#"local requests = {{}}
for line in io.lines("{}") do
  local token, body = line:match("^(%S+) (.+)$")
  requests[#requests + 1] = {{ path = "/c/" .. token, body = body }}
end
local i = 0
-- Random waits averaging the interval: with a fixed one, connections that started together stay in step and the
-- server sees bursts of every connection at once instead of an even rate.
math.randomseed(os.time())
function delay() return math.random(0, 2 * {interval}) end
request = function()
  i = i + 1
  local r = requests[i]
  if r == nil then return wrk.format("GET", "/healthz") end
  return wrk.format("POST", r.path, {{ ["Content-Type"] = "application/x-www-form-urlencoded" }}, r.body)
end
"#,
            requests.display()
        ),
    )
    .unwrap();
    let out = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "-s"])
        .arg(&script)
        .arg(url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let number = |prefix: &str| -> f64 {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .map(|v| v.split_whitespace().next().unwrap_or("0").to_owned())
            .map_or(0.0, |v| milliseconds(&v))
    };
    let count = |prefix: &str| -> u64 {
        text.lines().find_map(|l| l.trim().strip_prefix(prefix)).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    };
    let total = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let rps =
        text.lines().find_map(|l| l.strip_prefix("Requests/sec:")).map_or(0.0, |v| v.trim().parse().unwrap_or(0.0));
    (rps, number("50%"), number("99%"), count("Non-2xx or 3xx responses:"), total)
}

/// wrk's durations ("812.00us", "1.23ms", "2.01s") in milliseconds.
fn milliseconds(v: &str) -> f64 {
    let split = v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len());
    let (n, unit) = v.split_at(split);
    let n: f64 = n.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

/// hey at a fixed rate against one page; returns (requests/s, p50 ms, p99 ms, non-200 responses). Quantiles
/// are computed here from hey's per-request CSV (its own summary leaves out high quantiles of small runs).
fn hey_at(url: &str, cookie: &str, rate: u32, seconds: u64) -> (f64, f64, f64, u64) {
    let workers = 10u32;
    let out = Command::new("hey")
        .args(["-z", &format!("{seconds}s"), "-c", &workers.to_string(), "-q", &(rate / workers).max(1).to_string()])
        .args(["-o", "csv", "-H", &format!("Cookie: {cookie}")])
        .arg(url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut latencies = Vec::new();
    let mut bad = 0;
    for row in text.lines().skip(1) {
        let fields: Vec<&str> = row.split(',').collect();
        let (Some(seconds), Some(status)) = (fields.first(), fields.get(6)) else { continue };
        latencies.push(seconds.parse::<f64>().unwrap_or(f64::NAN) * 1000.0);
        if *status != "200" {
            bad += 1;
        }
    }
    latencies.sort_by(f64::total_cmp);
    let at =
        |q: f64| latencies.get(((latencies.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or(f64::NAN);
    (latencies.len() as f64 / seconds as f64, at(0.5), at(0.99), bad)
}

/// CPU time (user and system) the process has used so far, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name; Linux counts 100 a second.
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
    };
    (kib("VmHWM:").unwrap_or(f64::NAN) / 1024.0, kib("VmRSS:").unwrap_or(f64::NAN) / 1024.0)
}

/// The session cookie of a fresh sign-in, for a load tool.
async fn session_cookie(url: &str, email: &str) -> String {
    let http =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http.get(format!("{url}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let r = http
        .post(format!("{url}/login"))
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("alliance_session="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned()
}

#[tokio::main]
async fn main() {
    let o = options();
    for tool in ["wrk", "hey"] {
        if !have(tool) {
            println!("{tool} is not installed (apt-get install wrk hey); skipping the load benchmark");
            return;
        }
    }
    let bin = binary();
    let dir = tempfile::tempdir_in(std::env::var_os("ALLIANCE_BENCH_DIR").unwrap_or_else(|| ".".into())).unwrap();
    let mut _scratch = None;
    let engine = match &o.database {
        Some(server) => {
            let (db, url) = ScratchDatabase::create(server).await;
            _scratch = Some(db);
            Engine::Postgres(url)
        }
        None => Engine::Sqlite(dir.path().join("data")),
    };
    let mut report = String::new();
    let _ = writeln!(
        report,
        "Load benchmark on {} ({} s per rate, {} connections, {} app server{})",
        engine.name(),
        o.seconds,
        o.connections,
        o.servers,
        if o.servers == 1 { "" } else { "s sharing the database" }
    );

    let (raw, raw_p50, raw_p99) = raw_commit_rate(&engine, dir.path()).await;
    let _ = writeln!(report, "raw durable commits: {raw:.0}/s, p50 {raw_p50:.2} ms, p99 {raw_p99:.2} ms");

    user_command(&bin, &engine, &["create-admin", "--email", ADMIN, "--name", "Load Admin"]);
    user_command(&bin, &engine, &["add", "--role", "therapist", "--email", THERAPIST, "--name", "Load Therapist"]);
    const FILLER: &str = "filler@load.example.org";
    // The submissions go to the clients of a third therapist, spread over many clients as in a practice, so that
    // the measured caseload stays the 40 clients above.
    const LOADER: &str = "loader@load.example.org";
    user_command(&bin, &engine, &["add", "--role", "therapist", "--email", LOADER, "--name", "Loader"]);
    user_command(&bin, &engine, &["add", "--role", "therapist", "--email", FILLER, "--name", "Filler"]);
    let took = fill(&engine, FILLER, o.sessions).await;
    let _ = writeln!(
        report,
        "stored beforehand: {} sessions of another therapist ({:.1} s to load)",
        o.sessions,
        took.as_secs_f64()
    );

    let log = dir.path().join("server.log");
    let server = Server::start(&bin, &engine, free_port(), &log).await;
    let therapist = Therapist::sign_in(&server.url).await;

    // The therapist's own caseload: 40 clients with 12 answered sessions each.
    let phone = reqwest::Client::new();
    let mut first_client = 0;
    for c in 0..40 {
        let (client, episode) = therapist.new_client(&format!("Client {c:02}")).await;
        if c == 0 {
            first_client = client;
        }
        for _ in 0..12 {
            let (_, token) = therapist.session_with_link(episode).await;
            let form = phone.get(format!("{}/c/{token}", server.url)).send().await.unwrap().text().await.unwrap();
            let r = phone
                .post(format!("{}/c/{token}", server.url))
                .body(body(&hidden(&form, "csrf")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "a caseload answer was refused");
        }
    }

    // Links for the submission runs, each with its form's token.
    let needed: u32 = o.rates.iter().map(|r| r * o.seconds as u32).sum::<u32>() * 11 / 10;
    let loader = Therapist::sign_in_as(&server.url, LOADER).await;
    let mut episodes = Vec::new();
    for c in 0..200 {
        episodes.push(loader.new_client(&format!("Load {c:03}")).await.1);
    }
    let t = Instant::now();
    // Four makers at once, each on its own quarter of the clients (200 is a multiple of 4), so that no two
    // record a session in the same episode at the same time.
    let make = |worker: usize| {
        let (loader, phone, episodes, url) = (&loader, &phone, &episodes, &server.url);
        async move {
            let mut made = Vec::new();
            for n in (worker..needed as usize).step_by(4) {
                let (_, token) = loader.session_with_link(episodes[n % episodes.len()]).await;
                let form = phone.get(format!("{url}/c/{token}")).send().await.unwrap().text().await.unwrap();
                made.push((n, format!("{token} {}", body(&hidden(&form, "csrf")))));
            }
            made
        }
    };
    let (a, b, c, d) = tokio::join!(make(0), make(1), make(2), make(3));
    let mut made: Vec<(usize, String)> = [a, b, c, d].into_iter().flatten().collect();
    made.sort_by_key(|(n, _)| *n);
    let lines: Vec<String> = made.into_iter().map(|(_, line)| line).collect();
    let _ = writeln!(report, "{needed} links made in {:.0} s", t.elapsed().as_secs_f64());
    // The other app servers, started now so that they serve nothing but the measured submissions.
    let mut others = Vec::new();
    for n in 1..o.servers {
        others.push(Server::start(&bin, &engine, free_port(), &dir.path().join(format!("server{n}.log"))).await);
    }
    let servers: Vec<&Server> = std::iter::once(&server).chain(&others).collect();
    let cpu_of_all = || servers.iter().map(|s| cpu_seconds(s.child.id())).sum::<f64>();

    let worst = if o.servers == 1 { "" } else { " (worst server)" };
    let _ = writeln!(
        report,
        "\n| target rate | achieved /s | p50 ms{worst} | p99 ms{worst} | non-2xx | sent | server CPU ms each |\n|---|---|---|---|---|---|---|"
    );
    let mut offset = 0usize;
    let mut acknowledged = 0u64;
    for &rate in &o.rates {
        let count = (rate as usize * o.seconds as usize * 11 / 10).min(lines.len() - offset);
        let share =
            |n: usize| lines[offset..offset + count].iter().skip(n).step_by(o.servers).cloned().collect::<Vec<_>>();
        let files: Vec<_> = (0..o.servers)
            .map(|n| {
                let file = dir.path().join(format!("requests-{rate}-{n}.txt"));
                std::fs::write(&file, share(n).join("\n")).unwrap();
                file
            })
            .collect();
        offset += count;
        let cpu_before = cpu_of_all();
        // One wrk per server at its share of the rate, all at once.
        let runs: Vec<(f64, f64, f64, u64, u64)> = std::thread::scope(|scope| {
            let (rate, connections, seconds, folder) =
                (rate / o.servers as u32, o.connections / o.servers as u32, o.seconds, dir.path());
            let handles: Vec<_> = servers
                .iter()
                .zip(&files)
                .map(|(s, file)| scope.spawn(move || wrk_at(&s.url, file, rate, connections, seconds, folder)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let rps: f64 = runs.iter().map(|r| r.0).sum();
        let p50 = runs.iter().map(|r| r.1).fold(0.0, f64::max);
        let p99 = runs.iter().map(|r| r.2).fold(0.0, f64::max);
        let (bad, total) = (runs.iter().map(|r| r.3).sum::<u64>(), runs.iter().map(|r| r.4).sum::<u64>());
        let cpu = (cpu_of_all() - cpu_before) * 1000.0 / total.max(1) as f64;
        acknowledged += total - bad;
        let row = format!("| {rate} | {rps:.0} | {p50:.2} | {p99:.2} | {bad} | {total} | {cpu:.2} |");
        println!("{row}");
        let _ = writeln!(report, "{row}");
    }
    let _ = writeln!(report);
    for (n, s) in servers.iter().enumerate() {
        let (peak, now) = peak_memory_mib(s.child.id());
        let _ = writeln!(report, "server {n} memory: peak {peak:.0} MiB, now {now:.0} MiB");
    }

    // Every acknowledged submission is stored (the caseload's 480 answers were stored before).
    let used = used_links(&engine).await - 480;
    let _ = writeln!(report, "acknowledged submissions: {acknowledged}; links used in the database: {used}");
    assert!(used >= acknowledged as i64, "an acknowledged submission is missing");

    let cookie = session_cookie(&server.url, THERAPIST).await;
    let _ = writeln!(
        report,
        "\n| page ({} sessions stored) | rate | achieved /s | p50 ms | p99 ms | not 200 |\n|---|---|---|---|---|---|",
        o.sessions
    );
    let mut first_views = Vec::new();
    for (name, path) in [("caseload /", "/".to_owned()), ("client page", format!("/clients/{first_client}"))] {
        // The first view computes every client's overview; later ones use those kept (see `overview_cache`).
        let page = reqwest::Client::new();
        let started = Instant::now();
        let r = page.get(format!("{}{path}", server.url)).header("Cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
        first_views.push(format!("{name} {:.1} ms", started.elapsed().as_secs_f64() * 1000.0));
        let (rps, p50, p99, bad) = hey_at(&format!("{}{path}", server.url), &cookie, o.page_rate, o.seconds);
        let _ = writeln!(report, "| {name} | {} | {rps:.0} | {p50:.2} | {p99:.2} | {bad} |", o.page_rate);
    }
    let _ = writeln!(report, "\nfirst view, before the runs above: {}", first_views.join(", "));
    let (peak, _) = peak_memory_mib(server.child.id());
    let _ = writeln!(report, "\nserver memory after the pages: peak {peak:.0} MiB");
    println!("\n{report}");
}

async fn used_links(engine: &Engine) -> i64 {
    let sql = "SELECT count(*) FROM links WHERE used_at IS NOT NULL";
    match engine {
        Engine::Sqlite(dir) => {
            let mut db = sqlx::SqliteConnection::connect_with(&keyed(&dir.join(DATABASE_FILE))).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut db).await.unwrap()
        }
        Engine::Postgres(url) => {
            let mut db = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut db).await.unwrap()
        }
    }
}

/// A direct connection to an SQLCipher file with the benches' key, as the server opens it.
fn keyed(path: &Path) -> sqlx::sqlite::SqliteConnectOptions {
    let keys = alliance_store::Keyring::parse(BENCH_KEYS).unwrap();
    alliance_store::SqliteStore::connect_options(path, &keys).create_if_missing(true)
}

fn body(csrf: &str) -> String {
    let mut b = format!("csrf={csrf}");
    for id in ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2", "understood", "respected", "genuine"] {
        let _ = write!(b, "&relationship-check.{id}=4");
    }
    b.push_str("&relationship-check.rupture=no");
    for i in 1..=9 {
        let _ = write!(b, "&phq9.{i}={}", if i == 9 { 0 } else { 1 });
    }
    for i in 1..=7 {
        let _ = write!(b, "&gad7.{i}=1");
    }
    b
}
