//! Staff pages at scale (issue 13, item 5): every page a therapist, supervisor, researcher and administrator
//! can reach, on the demo practice of 1,000 clients (10,761 sessions at the default seed; `--clients 1115` makes
//! the 12,000), with its server time (p50, p99, max over N sequential requests) and its HTML size,
//! against the target "p99 under 100 ms and HTML under 200 KB".
//!
//! `cargo bench -p alliance --bench pages -- [--clients 1000] [--requests 50] [--probe 100] [--strict]`
//!
//! It builds nothing: it runs the release binary next to it (`target/release/alliance`) or `ALLIANCE_BIN`,
//! as `alliance demo` on a free loopback port in a new folder, signs in each role over HTTP and finds the pages
//! by following the links of each role's pages. See `benches/README.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::panic)]

mod support;

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The target of issue 13, item 5.
const TARGET_P99_MS: f64 = 100.0;
const TARGET_KB: f64 = 200.0;
/// Every request's own limit: a page that takes longer is reported as failed, never waited for.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

struct Options {
    clients: u16,
    seed: u64,
    requests: usize,
    warmup: usize,
    /// At most this many distinct pages per route are requested once while the links are followed.
    probe: usize,
    strict: bool,
    startup_timeout: Duration,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench -p alliance --bench pages -- [--clients N] [--seed N] [--requests N] [--warmup N] \
         [--probe N] [--startup-timeout SECONDS] [--strict]"
    );
    std::process::exit(2)
}

fn options() -> Options {
    let mut o = Options {
        clients: 1000,
        seed: 2026,
        requests: 50,
        warmup: 3,
        probe: 100,
        strict: false,
        startup_timeout: Duration::from_secs(900),
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(flag) = args.next() {
        let mut number = || -> u64 { args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()) };
        match flag.as_str() {
            "--clients" => o.clients = u16::try_from(number()).unwrap_or_else(|_| usage()),
            "--seed" => o.seed = number(),
            "--requests" => o.requests = usize::try_from(number()).unwrap_or_else(|_| usage()).max(1),
            "--warmup" => o.warmup = usize::try_from(number()).unwrap_or_else(|_| usage()),
            "--probe" => o.probe = usize::try_from(number()).unwrap_or_else(|_| usage()).max(1),
            "--startup-timeout" => o.startup_timeout = Duration::from_secs(number()),
            "--strict" => o.strict = true,
            _ => usage(),
        }
    }
    o
}

/// `alliance demo`, its output in files (never a pipe that could fill up or close under it), killed when
/// dropped: on every path out of this bench, panics included. Its data folder goes after it.
struct Demo {
    child: Child,
    url: String,
    out: PathBuf,
    err: PathBuf,
    /// "N clients, M sessions" as the demo printed it.
    practice: String,
    accounts: HashMap<String, (String, String)>,
    _dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Demo {
    fn start(bin: &Path, o: &Options) -> Demo {
        let parent = std::env::var_os("ALLIANCE_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
        let mut folder = tempfile::Builder::new();
        folder.prefix("alliance-pages-");
        #[cfg(unix)]
        folder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir =
            folder.tempdir_in(&parent).unwrap_or_else(|e| panic!("cannot make a folder in {}: {e}", parent.display()));
        let data = dir.path().join("data");
        let (out, err) = (dir.path().join("demo.out"), dir.path().join("demo.err"));
        let port = support::free_port();
        let child = Command::new(bin)
            .arg("demo")
            .args(["--clients", &o.clients.to_string(), "--seed", &o.seed.to_string()])
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .arg("--data")
            .arg(&data)
            .env("NO_COLOR", "1")
            .env("ALLIANCE_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut demo = Demo {
            child,
            url: format!("http://127.0.0.1:{port}"),
            out,
            err,
            practice: String::new(),
            accounts: HashMap::new(),
            _dir: dir,
        };
        let started = Instant::now();
        let mut told = Instant::now();
        loop {
            let text = std::fs::read_to_string(&demo.out).unwrap_or_default();
            if text.contains("Press Ctrl+C to stop") {
                demo.read_banner(&text);
                eprintln!("demo ready in {:.0} s: {}", started.elapsed().as_secs_f64(), demo.practice);
                return demo;
            }
            if let Ok(Some(status)) = demo.child.try_wait() {
                panic!("alliance demo exited ({status}) before it was ready:\n{}\n{}", text, tail(&demo.err, 20));
            }
            if started.elapsed() > o.startup_timeout {
                panic!(
                    "alliance demo was not ready within {} s (--startup-timeout):\n{}\n{}",
                    o.startup_timeout.as_secs(),
                    text,
                    tail(&demo.err, 20)
                );
            }
            if told.elapsed() > Duration::from_secs(15) {
                eprintln!("  building the demo practice ... {:.0} s", started.elapsed().as_secs_f64());
                told = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// "Alliance demo clinic: 1000 clients, 12050 sessions, ready in 44.1 s" and
    /// "  therapist      therapist1@demo.invalid    password PW   (Name)".
    fn read_banner(&mut self, text: &str) {
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("Alliance demo clinic: ") {
                self.practice = rest.split(", ready").next().unwrap_or(rest).to_owned();
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [role, email, "password", password, ..] = words.as_slice()
                && email.contains('@')
            {
                // The first account of each role (therapist1 for therapists).
                self.accounts.entry((*role).to_owned()).or_insert(((*email).to_owned(), (*password).to_owned()));
            }
        }
    }
}

/// One request: status, `Location`, body, time from sending to the last byte of the body.
struct Fetched {
    status: u16,
    location: Option<String>,
    body: String,
    elapsed: Duration,
}

async fn fetch(http: &reqwest::Client, url: &str) -> Result<Fetched, String> {
    let started = Instant::now();
    let response = http.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
    let status = response.status().as_u16();
    let location = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).map(str::to_owned);
    let body = response.text().await.map_err(|e| format!("GET {url}: reading the body: {e}"))?;
    Ok(Fetched { status, location, body, elapsed: started.elapsed() })
}

/// A client of its own per role (its own cookies), redirects not followed so that a redirect is seen as one.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Password sign-in as a browser does it: the form's anti-forgery token from `/login` (and its cookie), then the
/// form. The demo's accounts have no second factor; one that asks for a code is reported, not worked around.
async fn sign_in(base: &str, email: &str, password: &str) -> reqwest::Client {
    let http = http_client();
    let page = fetch(&http, &format!("{base}/login")).await.unwrap_or_else(|e| panic!("{e}"));
    let csrf = support::hidden(&page.body, "csrf");
    let response = http
        .post(format!("{base}/login"))
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("signing in as {email}: {e}"));
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if status.is_success() && body.contains("action=\"/login/code\"") {
        panic!("{email} asks for a second factor (TOTP); the demo's accounts have none");
    }
    if !status.is_redirection() {
        panic!("{email} could not sign in: {status}");
    }
    http
}

/// A link target on the same site: an absolute path, or `?query` on the current page's path. Fragments are
/// dropped; static files, client links and the sign-in and -out addresses are not pages to follow.
fn resolve(raw: &str, current_path: &str) -> Option<String> {
    let raw = unescape(raw);
    let raw = raw.split('#').next().unwrap_or_default();
    let url = if raw.starts_with('?') {
        format!("{current_path}{raw}")
    } else if raw.starts_with('/') && !raw.starts_with("//") {
        raw.to_owned()
    } else {
        return None;
    };
    const NOT_PAGES: [&str; 9] =
        ["/static/", "/c/", "/login", "/logout", "/reset/", "/healthz", "/readyz", "/metrics", "/.well-known/"];
    (!NOT_PAGES.iter().any(|p| url.starts_with(p))).then_some(url)
}

/// An attribute's text as the browser reads it: askama writes `&` as `&#38;`, `'` as `&#39;`.
fn unescape(raw: &str) -> String {
    const ENTITIES: [(&str, &str); 8] = [
        ("&#38;", "&"),
        ("&#x26;", "&"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
    ];
    let mut text = raw.to_owned();
    for (entity, character) in ENTITIES {
        text = text.replace(entity, character);
    }
    // Last, so that `&amp;#38;` stays the text `&#38;`.
    text.replace("&amp;", "&")
}

/// Every `href` and `hx-get` of a page (the staff header loads `/alerts` with `hx-get`).
fn links(html: &str, current: &str) -> Vec<String> {
    let current_path = current.split('?').next().unwrap_or(current);
    let mut found = Vec::new();
    for attribute in ["href=\"", "hx-get=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            let Some(end) = rest.find('"') else { break };
            if let Some(url) = resolve(&rest[..end], current_path) {
                found.push(url);
            }
            rest = &rest[end..];
        }
    }
    found
}

/// The route a URL belongs to: numbers in the path become `{id}`, page numbers and cursors `N`.
fn route_of(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let path: Vec<&str> = path.split('/').map(|s| if is_number(s) { "{id}" } else { s }).collect();
    let mut route = path.join("/");
    if !query.is_empty() {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k @ ("page" | "before"), v)) if is_number(v) => format!("{k}=N"),
                Some((k, v)) if is_number(v) => format!("{k}={{id}}"),
                _ => pair.to_owned(),
            })
            .collect();
        route = format!("{route}?{}", pairs.join("&"));
    }
    route
}

struct Probe {
    url: String,
    status: u16,
    ms: f64,
    bytes: usize,
}

/// Follows the role's links from its start pages, breadth first, requesting each distinct page once and at most
/// `cap` pages per route. Returns the routes in the order found, with their pages.
async fn crawl(http: &reqwest::Client, base: &str, seeds: &[&str], cap: usize) -> Vec<(String, Vec<Probe>)> {
    let mut queue: VecDeque<String> = seeds.iter().map(|s| (*s).to_owned()).collect();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut routes: Vec<(String, Vec<Probe>)> = Vec::new();
    let mut told = Instant::now();
    let mut requested = 0usize;
    while let Some(url) = queue.pop_front() {
        let route = route_of(&url);
        let index = match routes.iter().position(|(r, _)| *r == route) {
            Some(i) => i,
            None => {
                routes.push((route, Vec::new()));
                routes.len() - 1
            }
        };
        if routes[index].1.len() >= cap {
            continue;
        }
        requested += 1;
        if told.elapsed() > Duration::from_secs(10) {
            eprintln!("    {requested} pages requested, {} routes, {} links waiting", routes.len(), queue.len());
            told = Instant::now();
        }
        let page = match fetch(http, &format!("{base}{url}")).await {
            Ok(page) => page,
            Err(e) => {
                eprintln!("    {e}");
                routes[index].1.push(Probe { url, status: 0, ms: REQUEST_TIMEOUT.as_secs_f64() * 1000.0, bytes: 0 });
                continue;
            }
        };
        let mut next = Vec::new();
        if (300..400).contains(&page.status) {
            next.extend(page.location.as_deref().and_then(|l| resolve(l, &url)));
        } else if page.status == 200 {
            next = links(&page.body, &url);
        }
        for link in next {
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
        let ms = page.elapsed.as_secs_f64() * 1000.0;
        routes[index].1.push(Probe { url, status: page.status, ms, bytes: page.body.len() });
    }
    routes
}

struct Measured {
    page: String,
    role: &'static str,
    p50: f64,
    p99: f64,
    max: f64,
    kb: f64,
    failed: Option<String>,
}

impl Measured {
    fn within(&self) -> bool {
        self.failed.is_none() && self.p99 < TARGET_P99_MS && self.kb < TARGET_KB
    }
}

/// The value at quantile `q` by the nearest-rank rule (with 50 requests, p99 is the slowest one).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// `warmup` requests, then `requests` sequential ones, each timed from sending to the body's last byte.
async fn measure(http: &reqwest::Client, base: &str, url: &str, o: &Options) -> Result<(Vec<f64>, usize), String> {
    let mut times = Vec::with_capacity(o.requests);
    let mut bytes = 0;
    for i in 0..o.warmup + o.requests {
        let page = fetch(http, &format!("{base}{url}")).await?;
        if page.status != 200 {
            return Err(format!("GET {url}: {}", page.status));
        }
        bytes = bytes.max(page.body.len());
        if i >= o.warmup {
            times.push(page.elapsed.as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times, bytes))
}

/// The pages of a route that are measured: the first one found (the first client on the caseload, page 2 of a
/// list), the largest, and the slowest when its one request was over the target.
fn chosen(probes: &[Probe]) -> Vec<(&Probe, &'static str)> {
    let ok: Vec<&Probe> = probes.iter().filter(|p| p.status == 200).collect();
    let Some(first) = ok.first() else { return vec![] };
    let mut out = vec![(*first, if ok.len() > 1 { "first found" } else { "" })];
    if let Some(largest) = ok.iter().max_by_key(|p| p.bytes)
        && largest.url != first.url
    {
        out.push((largest, "largest"));
    }
    if let Some(slowest) = ok.iter().max_by(|a, b| a.ms.total_cmp(&b.ms))
        && slowest.ms > TARGET_P99_MS
        && out.iter().all(|(p, _)| p.url != slowest.url)
    {
        out.push((slowest, "slowest once"));
    }
    out
}

struct RoleRun {
    role: &'static str,
    found: Vec<Found>,
}

/// A route found by following links: how many of its pages were requested once, their median and slowest time
/// (of those answered 200), the largest, and the other answers (a redirect, a refusal).
struct Found {
    route: String,
    pages: usize,
    median: String,
    max: String,
    kb: f64,
    other: String,
}

async fn run_role(
    demo: &Demo,
    role: &'static str,
    seeds: &[&str],
    o: &Options,
    measured: &mut Vec<Measured>,
) -> RoleRun {
    let (email, password) = demo.accounts.get(role).unwrap_or_else(|| panic!("the demo printed no {role} account"));
    eprintln!("{role}: signing in as {email}, following links (at most {} pages per route)", o.probe);
    let http = sign_in(&demo.url, email, password).await;
    let routes = crawl(&http, &demo.url, seeds, o.probe).await;
    let mut found = Vec::new();
    for (route, probes) in &routes {
        let mut times: Vec<f64> = probes.iter().filter(|p| p.status == 200).map(|p| p.ms).collect();
        times.sort_by(f64::total_cmp);
        let kb = probes.iter().map(|p| p.bytes).max().unwrap_or(0) as f64 / 1000.0;
        let mut statuses: Vec<u16> = probes.iter().map(|p| p.status).filter(|s| *s != 200).collect();
        statuses.sort_unstable();
        let other: Vec<String> = statuses
            .chunk_by(|a, b| a == b)
            .map(|same| match same[0] {
                0 => format!("{} × no answer", same.len()),
                status => format!("{} × {status}", same.len()),
            })
            .collect();
        let (median, max) = match times.last() {
            Some(max) => (format!("{:.1}", quantile(&times, 0.5)), format!("{max:.1}")),
            None => ("–".to_owned(), "–".to_owned()),
        };
        found.push(Found { route: route.clone(), pages: probes.len(), median, max, kb, other: other.join(", ") });
        for (probe, note) in chosen(probes) {
            let label = if note.is_empty() { probe.url.clone() } else { format!("{} ({note})", probe.url) };
            eprintln!("  {role} {label}: {} requests", o.warmup + o.requests);
            let m = match measure(&http, &demo.url, &probe.url, o).await {
                Ok((times, bytes)) => Measured {
                    page: label,
                    role,
                    p50: quantile(&times, 0.5),
                    p99: quantile(&times, 0.99),
                    max: times[times.len() - 1],
                    kb: bytes as f64 / 1000.0,
                    failed: None,
                },
                Err(e) => Measured { page: label, role, p50: 0.0, p99: 0.0, max: 0.0, kb: 0.0, failed: Some(e) },
            };
            measured.push(m);
        }
    }
    RoleRun { role, found }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let o = options();
    let bin = support::binary();
    eprintln!("starting {} demo --clients {} (about 45 s at 1,000 clients on 2 idle cores)", bin.display(), o.clients);
    let demo = Demo::start(&bin, &o);
    let mut measured = Vec::new();
    // Start pages: `/` (each role's home or its redirect) and, for the administrator, the forms' GET answers
    // that no link leads to: a client search for break-glass (a therapist's name: many matches) and a filtered
    // audit log.
    let plans: [(&'static str, &[&str]); 4] = [
        ("therapist", &["/"]),
        ("supervisor", &["/"]),
        ("researcher", &["/"]),
        ("administrator", &["/", "/admin/client-lookup?find=Reed", "/admin/audit?action=sign-in"]),
    ];
    let mut runs = Vec::new();
    for (role, seeds) in plans {
        runs.push(run_role(&demo, role, seeds, &o, &mut measured).await);
    }
    let demo_log = tail(&demo.err, 5);
    let practice = demo.practice.clone();
    drop(demo);

    println!();
    println!(
        "## Staff pages, demo practice of {practice} (seed {}), {} sequential requests per page after {} warm-up",
        o.seed, o.requests, o.warmup
    );
    println!();
    println!("Time: from sending the request to the last byte of the body, over loopback (the server's time plus");
    println!("loopback and the client's parsing, which is small). KB: the uncompressed HTML, 1 KB = 1,000 bytes.");
    println!();
    println!("| page | role | p50 ms | p99 ms | max ms | KB | within target |");
    println!("|---|---|---:|---:|---:|---:|---|");
    for m in &measured {
        let verdict = match &m.failed {
            Some(e) => format!("failed: {e}"),
            None if m.within() => "yes".to_owned(),
            None => {
                let mut why = Vec::new();
                if m.p99 >= TARGET_P99_MS {
                    why.push("p99");
                }
                if m.kb >= TARGET_KB {
                    why.push("size");
                }
                format!("**no** ({})", why.join(", "))
            }
        };
        println!(
            "| `{}` | {} | {:.1} | {:.1} | {:.1} | {:.1} | {verdict} |",
            m.page, m.role, m.p50, m.p99, m.max, m.kb
        );
    }
    println!();
    println!("Routes found by following links, each of their pages requested once (at most {} per route):", o.probe);
    println!();
    println!("| role | route | pages | median ms | max ms | max KB | not 200 |");
    println!("|---|---|---:|---:|---:|---:|---|");
    for run in &runs {
        for f in &run.found {
            println!(
                "| {} | `{}` | {} | {} | {} | {:.1} | {} |",
                run.role, f.route, f.pages, f.median, f.max, f.kb, f.other
            );
        }
    }
    let failing: Vec<&Measured> = measured.iter().filter(|m| !m.within()).collect();
    println!();
    println!(
        "{} of {} pages within the target (p99 < {TARGET_P99_MS} ms, HTML < {TARGET_KB} KB).",
        measured.len() - failing.len(),
        measured.len()
    );
    if !demo_log.trim().is_empty() {
        eprintln!("last lines of the demo's log:\n{demo_log}");
    }
    if o.strict && !failing.is_empty() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
