//! One practice, one holder (docs/ARCHITECTURE.md#one-holder), and key changes under a running server, as an
//! operator meets them: a second server, a rekey and a copy to another database are refused while one serves, a rotation is taken up by the
//! server without a restart, and `/readyz` says when the keys no longer open the data.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::outage::{Server, free_port, until};
use crate::{alliance, alliance_with_env, path_str};

fn serve_sqlite(data: &Path, port: u16, env: &[(&str, &str)]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["serve", "--data", path_str(data), "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("ALLIANCE_LOG")
        .env_remove("ALLIANCE_KEYS")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Server(child)
}

/// The first administrator's password.
fn create_admin(data: &str) -> String {
    let run = alliance(&["user", "create-admin", "--data", data, "--email", "a@example.org", "--name", "A"]).ok();
    run.stdout.lines().find_map(|l| l.split_once("Password, shown only now:")).unwrap().1.trim().to_owned()
}

async fn sign_in(http: &reqwest::Client, base: &str, password: &str) -> reqwest::Response {
    let login = http.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = login.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    http.post(format!("{base}/login"))
        .form(&[("csrf", csrf.as_str()), ("email", "a@example.org"), ("password", password)])
        .send()
        .await
        .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(20)).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_a_rekey_and_a_copy_are_refused_while_one_serves() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    create_admin(d);
    let port = free_port();
    let server = serve_sqlite(&data, port, &[]);
    until(&client(), &format!("http://127.0.0.1:{port}/readyz"), 200, Duration::from_secs(30)).await;

    let pid = server.0.id().to_string();
    let second = alliance(&["serve", "--data", d, "--bind", "127.0.0.1:0"]).refused();
    second.says(&["a server (process", &pid, "alliance.db.lock", "stop it first"]);
    let key_file = data.join("keys").join("alliance.keys");
    let keys_before = std::fs::read(&key_file).unwrap();
    alliance(&["keys", "rekey", "--data", d]).refused().says(&["a server (process", &pid, "stop it first"]);
    assert_eq!(std::fs::read(&key_file).unwrap(), keys_before, "the refused rekey changed no key");
    // A copy to another engine is refused too: what the server wrote after a table was copied would be lost.
    let source = format!("sqlite:{}", path_str(&data.join("alliance.db")));
    let copy = dir.path().join("copy.db");
    let target = format!("sqlite:{}", path_str(&copy));
    let migrate = ["migrate-store", "--from", &source, "--to", &target, "--data", d];
    alliance(&migrate).refused().says(&["a server (process", &pid, "stop it first"]);
    assert!(!copy.exists(), "the refused copy made no database");
    alliance(&["migrate-store", "--from", &source, "--to", &source, "--data", d])
        .refused()
        .says(&["the same database"]);

    drop(server);
    alliance(&["keys", "rekey", "--data", d]).ok();
    alliance(&migrate).ok();
    assert!(copy.is_file(), "copied once the server stopped");
    assert_ne!(std::fs::read(&key_file).unwrap(), keys_before, "rekeyed once the server stopped");
    // The server is gone and its lock with it: serving again works.
    let port = free_port();
    let _again = serve_sqlite(&data, port, &[]);
    until(&client(), &format!("http://127.0.0.1:{port}/readyz"), 200, Duration::from_secs(30)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_is_taken_up_by_the_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    let password = create_admin(d);
    let port = free_port();
    let _server = serve_sqlite(&data, port, &[]);
    let base = format!("http://127.0.0.1:{port}");
    let http = client();
    until(&http, &format!("{base}/readyz"), 200, Duration::from_secs(30)).await;

    alliance(&["keys", "rotate", "--data", d]).ok();
    // Every sealed field is under v2 now, which the server did not have when it started.
    let r = sign_in(&http, &base, &password).await;
    assert_eq!((r.status().as_u16(), r.url().path()), (200, "/account"), "signed in after the rotation");
    crate::replace_given_password(&http, &base, &r.text().await.unwrap(), &password).await;
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);
    let users = http.get(format!("{base}/admin/users")).send().await.unwrap().text().await.unwrap();
    assert!(users.contains("a@example.org"), "the rotated e-mail address opens");
}

/// Keys from ALLIANCE_KEYS cannot change under a running server: a rotation made with the key file elsewhere
/// leaves it unable to open the data, and `/readyz` says so (a load balancer takes it out) without saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_when_the_keys_no_longer_open_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    create_admin(d);
    let keys = std::fs::read_to_string(data.join("keys").join("alliance.keys")).unwrap();
    let port = free_port();
    let _server = serve_sqlite(&data, port, &[("ALLIANCE_KEYS", &keys)]);
    let http = client();
    let ready = format!("http://127.0.0.1:{port}/readyz");
    until(&http, &ready, 200, Duration::from_secs(30)).await;
    alliance(&["keys", "rotate", "--data", d]).ok();
    let r = http.get(&ready).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let body = r.text().await.unwrap();
    assert!(body.contains("not ready") && !body.contains("v2"), "{body}");
}

#[test]
fn an_invalid_log_filter_is_refused() {
    for filter in ["debugg", "info,alliance_web=loud", "=info"] {
        let run = alliance_with_env(&["--version"], &[("ALLIANCE_LOG", filter)]);
        assert!(!run.success, "{filter:?} was accepted");
        assert!(run.stderr.starts_with("error: ALLIANCE_LOG:"), "{filter:?}: {}", run.stderr);
    }
    for filter in ["", "warn", "info,sqlx=warn", "DEBUG", "alliance_web=debug"] {
        alliance_with_env(&["--version"], &[("ALLIANCE_LOG", filter)]).ok();
    }
}

/// The access log: one line per request with method, route template, status, duration and request id; never the
/// client's token, address or anything they typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_log_names_routes_not_people() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_admin(path_str(&data));
    let port = free_port();
    let log = dir.path().join("server.log");
    let child = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["serve", "--data", path_str(&data), "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("ALLIANCE_LOG")
        .env_remove("ALLIANCE_KEYS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let server = Server(child);
    let http = client();
    let base = format!("http://127.0.0.1:{port}");
    until(&http, &format!("{base}/readyz"), 200, Duration::from_secs(30)).await;
    let token = "Zt0k3nZt0k3nZt0k3nZt0k3nZt0k3nZt0k3nZt0k3nZ";
    let r = http.get(format!("{base}/c/{token}?secret=1")).send().await.unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    let line = text.lines().find(|l| l.contains(&id) && l.contains("alliance::access")).expect("an access line");
    assert!(line.contains("route=/c/{token}") && line.contains("method=GET") && line.contains("status="), "{line}");
    assert!(line.contains(" ms="), "{line}");
    assert!(!text.contains(token) && !text.contains("secret=1"), "{text}");
    for access in text.lines().filter(|l| l.contains("alliance::access")) {
        assert!(!access.contains("127.0.0.1"), "no address in the access log: {access}");
    }
    // The start-up line names the address actually bound, besides the public one.
    assert!(text.contains(&format!("bound=127.0.0.1:{port}")), "{text}");
}

/// On PostgreSQL the data folder holds only the key file. A command run without it, or with another folder, is
/// refused and leaves no stray key file: keys are made only with a practice that does not exist yet.
#[test]
fn no_stray_key_file_beside_a_postgres_practice() {
    let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else {
        eprintln!("runs in the PostgreSQL step only (set ALLIANCE_TEST_DATABASE_URL)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let name = format!("alliance_test_cli_stray_{}", std::process::id());
    let url = runtime.block_on(alliance_store::PostgresStore::create_database(&server, &name)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (first, other) = (dir.path().join("first"), dir.path().join("other"));
    let account = ["--email", "a@example.org", "--name", "A"];
    let mut create = vec!["user", "create-admin", "--database", &url, "--data", path_str(&first)];
    create.extend(account);
    alliance(&create).ok();
    assert!(first.join("keys").join("alliance.keys").is_file());

    let add = |data: Option<&Path>| {
        let mut args = vec!["user", "add", "--database", &url, "--role", "therapist", "--email", "t@example.org"];
        args.extend(["--name", "T"]);
        if let Some(data) = data {
            args.extend(["--data", path_str(data)]);
        }
        alliance(&args)
    };
    add(Some(&other)).refused().says(&["no key file at", "--key-file"]);
    assert!(!other.join("keys").exists(), "no stray key file");
    add(None).refused().says(&["--data DIR", "--key-file"]);
    alliance(&["serve", "--database", &url, "--data", path_str(&other)]).refused().says(&["no key file at"]);
    assert!(!other.join("keys").exists(), "no stray key file");
    add(Some(&first)).ok();
    runtime.block_on(alliance_store::PostgresStore::drop_database(&server, &name)).unwrap();
}
