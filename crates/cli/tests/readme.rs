//! The README's set-up commands, run as written: the first commands of *Running a practice*, and the PostgreSQL
//! role and database set-up. Only the paths, names and the password are put in for the test; if the README's
//! words stop working, this fails.

use std::path::Path;

use crate::{alliance, path_str};

pub(crate) fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap()
}

/// The lines of the first fenced block after `heading`, up to its closing fence.
pub(crate) fn block_after(text: &str, heading: &str) -> Vec<String> {
    let after = &text[text.find(heading).unwrap_or_else(|| panic!("no {heading:?} in the README"))..];
    let start = after.find("```").unwrap();
    let body = &after[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let end = body.find("\n```").unwrap();
    body[..end].lines().map(str::to_owned).collect()
}

/// Splits a shell command line into words, honouring double quotes (all the README's commands need).
fn words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The README's `alliance` commands of a block, with `/srv/alliance` put in as `data`.
fn commands(block: &[String], data: &Path) -> Vec<Vec<String>> {
    block
        .iter()
        .filter_map(|line| line.strip_prefix("./target/release/alliance "))
        .map(|line| words(&line.replace("/srv/alliance", path_str(data))))
        .collect()
}

#[test]
fn running_a_practice_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("srv-alliance");
    let block = block_after(&readme(), "## Running a practice");
    assert_eq!(block[0], "cargo build --release -p alliance", "the test runs the binary cargo built");
    let commands = commands(&block, &data);
    assert_eq!(commands.len(), 2, "{block:?}");
    assert_eq!(&commands[0][..2], ["user", "create-admin"]);
    let args: Vec<&str> = commands[0].iter().map(String::as_str).collect();
    let made = alliance(&args).ok();
    assert!(made.stdout.contains("Password, shown only now:"), "{}", made.stdout);
    // `serve` as written, checked rather than left running.
    assert_eq!(commands[1][0], "serve");
    let mut args: Vec<&str> = commands[1].iter().map(String::as_str).collect();
    args.push("--check");
    let checked = alliance(&args).ok();
    assert!(checked.stdout.contains("opens with the keys"), "{}", checked.stdout);
}

/// The README's command for a locked-out last administrator, on the practice its first commands made; and the
/// version line the README quotes is the one this build prints.
#[test]
fn getting_back_in_and_the_version_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("srv-alliance");
    let text = readme();
    let first = commands(&block_after(&text, "## Running a practice"), &data);
    let args: Vec<&str> = first[0].iter().map(String::as_str).collect();
    alliance(&args).ok();
    let block = block_after(&text, "**Getting back into an account.**");
    let reset: Vec<Vec<String>> = block
        .iter()
        .filter_map(|line| line.strip_prefix("alliance "))
        .map(|line| words(&line.replace("/srv/alliance", path_str(&data))))
        .collect();
    assert_eq!(reset.len(), 1, "{block:?}");
    let mut args: Vec<&str> = reset[0].iter().map(String::as_str).collect();
    assert_eq!(&args[..2], ["user", "reset-access"]);
    // The README's address is the one its first command created.
    let email = first[0].iter().skip_while(|w| *w != "--email").nth(1).unwrap().clone();
    if let Some(at) = args.iter().position(|w| *w == "--email") {
        args[at + 1] = &email;
    }
    let out = alliance(&args).ok();
    assert!(out.stdout.contains("New password, shown only now:"), "{}", out.stdout);

    let version = alliance(&["--version"]).ok();
    let line = version.stdout.trim();
    assert!(text.contains(&format!("`{line}`")), "the README quotes {line:?}");
}

/// The README's SQL, run as the superuser of the tests' PostgreSQL server, with the role and database renamed
/// (the test server has its own `alliance` role); then the first administrator as the README says, as that role.
#[test]
fn postgres_set_up_as_the_readme_says() {
    let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else {
        eprintln!("runs in the PostgreSQL step only (set ALLIANCE_TEST_DATABASE_URL)");
        return;
    };
    let text = readme();
    let block = block_after(&text, "Set up the role and the database once");
    let sql: Vec<&str> = block
        .iter()
        .map(String::as_str)
        .skip_while(|l| !l.contains("<<'SQL'"))
        .skip(1)
        .take_while(|l| *l != "SQL")
        .collect();
    assert_eq!(sql.len(), 2, "{block:?}");
    let name = format!("alliance_readme_{}", std::process::id());
    let password = "a-test-password-of-some-length";
    let statements: Vec<String> =
        sql.iter().map(|s| s.replace("alliance", &name).replace("choose-a-long-random-password", password)).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let run = |statements: Vec<String>| {
        runtime.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&server).await.unwrap();
            for statement in statements {
                sqlx::raw_sql(&statement).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
        })
    };
    run(statements);
    let host = server.split('@').nth(1).unwrap().split('/').next().unwrap();
    let url = format!("postgres://{name}:{password}@{host}/{name}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let made = alliance(&[
        "user",
        "create-admin",
        "--database",
        &url,
        "--data",
        path_str(&data),
        "--email",
        "a@example.org",
        "--name",
        "A",
    ]);
    let checked = alliance(&["serve", "--database", &url, "--data", path_str(&data), "--check"]);
    run(vec![format!("DROP DATABASE {name}"), format!("DROP ROLE {name}")]);
    made.ok();
    assert!(checked.ok().stdout.contains("PostgreSQL answers, the keys open it"));
}
