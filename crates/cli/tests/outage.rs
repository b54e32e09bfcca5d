//! `alliance serve` on PostgreSQL while the database server stops and starts again: the app answers "try again"
//! (503) instead of hanging or crashing, and serves again by itself when the database is back, without a
//! restart. At start it waits for a database that is not up yet. Runs in CI's PostgreSQL step: it needs the
//! PostgreSQL programs and makes a cluster of its own with `.ci/postgres.sh`, so it can stop it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{alliance, path_str};

struct Cluster {
    url: String,
    dir: PathBuf,
    port: u16,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/postgres.sh")
}

impl Cluster {
    fn start() -> Cluster {
        let out = Command::new(script()).stderr(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "postgres.sh starts a cluster");
        let text = String::from_utf8(out.stdout).unwrap();
        let value = |name: &str| {
            let line = text.lines().find(|l| l.starts_with(&format!("export {name}="))).unwrap();
            line.split_once('=').unwrap().1.trim_matches('\'').to_owned()
        };
        let url = value("ALLIANCE_TEST_DATABASE_URL");
        let port = url.rsplit(':').next().unwrap().split('/').next().unwrap().parse().unwrap();
        Cluster { url, dir: PathBuf::from(value("ALLIANCE_TEST_POSTGRES_DIR")), port }
    }

    /// Runs pg_ctl as the cluster's owner (the `postgres` user when the tests run as root, as postgres.sh does).
    fn pg_ctl(&self, args: &[&str]) {
        let pg_ctl = format!("{}/pg_ctl", std::env::var("PG_BIN").unwrap_or("/usr/lib/postgresql/15/bin".into()));
        let root = Command::new("id").arg("-u").output().unwrap().stdout.starts_with(b"0");
        let mut command = if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", &pg_ctl]);
            c
        } else {
            Command::new(&pg_ctl)
        };
        let data = self.dir.join("data");
        let status = command.arg("-D").arg(&data).args(args).stdout(Stdio::null()).status().unwrap();
        assert!(status.success(), "pg_ctl {args:?}");
    }

    fn stop(&self) {
        // Immediate: like a crash or a pulled cable, no goodbye to the clients.
        self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
    }

    fn resume(&self) {
        let log = self.dir.join("server.log");
        self.pg_ctl(&["-l", path_str(&log), "-o", &format!("-p {}", self.port), "-w", "-t", "60", "start"]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).stderr(Stdio::null()).status();
    }
}

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(url: &str, data: &Path, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["serve", "--database", url, "--data", path_str(data), "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("ALLIANCE_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Server(child)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Polls `url` until it answers `status`, or fails after `limit`. Returns how long it took.
pub async fn until(http: &reqwest::Client, url: &str, status: u16, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(url).send().await
            && r.status().as_u16() == status
        {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{url} did not answer {status} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_rides_out_a_database_outage() {
    if std::env::var("ALLIANCE_TEST_DATABASE_URL").is_err() {
        eprintln!("runs in the PostgreSQL step only (set ALLIANCE_TEST_DATABASE_URL)");
        return;
    }
    let cluster = Cluster::start();
    // With PostgreSQL the data folder holds only the key file, which the first command makes.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    let admin = alliance(&[
        "user",
        "create-admin",
        "--database",
        &cluster.url,
        "--data",
        d,
        "--email",
        "a@example.org",
        "--name",
        "A",
    ])
    .ok();
    let password = admin.stdout.lines().find_map(|l| l.split_once("Password, shown only now:")).unwrap().1.trim();

    let port = free_port();
    let _server = serve(&cluster.url, &data, port);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(20)).build().unwrap();
    until(&http, &format!("{base}/readyz"), 200, Duration::from_secs(30)).await;
    let login = http.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = login.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = http
        .post(format!("{base}/login"))
        .form(&[("csrf", csrf.as_str()), ("email", "a@example.org"), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/account", "signed in");
    crate::replace_given_password(&http, &base, &r.text().await.unwrap(), password).await;

    cluster.stop();
    let noticed = until(&http, &format!("{base}/readyz"), 503, Duration::from_secs(10)).await;
    let started = Instant::now();
    let r = http.get(format!("{base}/admin/users")).send().await.unwrap();
    let refused_after = started.elapsed();
    assert_eq!(r.status(), 503, "a page during the outage says: try again");
    assert_eq!(r.headers().get("retry-after").unwrap(), "30");
    assert!(r.text().await.unwrap().contains("Nothing was saved"));
    assert!(refused_after < Duration::from_secs(8), "refused within the pool's wait, not hung: {refused_after:?}");

    cluster.resume();
    let back = until(&http, &format!("{base}/readyz"), 200, Duration::from_secs(30)).await;
    let r = http.get(format!("{base}/admin/users")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.url().path()), (200, "/admin/users"), "the same sign-in works again");
    eprintln!("outage noticed by /readyz in {noticed:?}; page refused in {refused_after:?}; back in {back:?}");

    // A server started while the database is down waits for it instead of giving up.
    cluster.stop();
    let port = free_port();
    let _late = serve(&cluster.url, &data, port);
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.resume();
    until(&http, &format!("http://127.0.0.1:{port}/readyz"), 200, Duration::from_secs(30)).await;
}
