//! `alliance serve --config FILE`: the command line beats the environment, which beats the file, which beats
//! the default; a bad file is refused with one line that names it, and a password never shows.

use crate::{alliance, alliance_with_env as with_env};

/// Writes a private file (a world-readable one with a database URL draws a warning line).
fn file(dir: &std::path::Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path.to_str().unwrap().to_owned()
}

fn setting<'a>(report: &'a str, id: &str) -> &'a str {
    report.lines().find(|l| l.starts_with(&format!("{id} = "))).unwrap_or_else(|| panic!("no {id} in:\n{report}"))
}

#[test]
fn the_command_line_beats_the_environment_which_beats_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = file(
        dir.path(),
        "alliance.toml",
        format!(
            "# a comment\nbind = \"127.0.0.1:9001\"\nyellow-level = 0.6\nred-level = 0.95\nsecure-cookies = true\n\
             missed-in-a-row = 3\ntrusted-proxies = \"127.0.0.1,10.0.0.0/8\"\nheader-timeout = 5\ndata = \"{}\"\n",
            data.display()
        )
        .as_bytes(),
    );
    // `serve` never makes a practice: the first administrator's command does.
    alliance(&["user", "create-admin", "--data", data.to_str().unwrap(), "--email", "a@example.org", "--name", "A"])
        .ok();
    let run = with_env(
        &["serve", "--config", &config, "--check", "--bind", "127.0.0.1:9002"],
        &[("ALLIANCE_YELLOW_LEVEL", "0.65"), ("ALLIANCE_MISSED_IN_A_ROW", "4")],
    )
    .ok();
    let report = run.stdout;
    assert_eq!(setting(&report, "bind"), "bind = 127.0.0.1:9002 (CommandLine)");
    assert_eq!(setting(&report, "yellow-level"), "yellow-level = 0.65 (Environment)");
    assert_eq!(setting(&report, "missed-in-a-row"), "missed-in-a-row = 4 (Environment)");
    assert_eq!(setting(&report, "red-level"), "red-level = 0.95 (File)");
    assert_eq!(setting(&report, "secure-cookies"), "secure-cookies = true (File)");
    assert_eq!(setting(&report, "discrepancy-points"), "discrepancy-points = 4 (Default)");
    assert_eq!(setting(&report, "trusted-proxies"), "trusted-proxies = 127.0.0.1, 10.0.0.0/8 (File)");
    assert_eq!(setting(&report, "header-timeout"), "header-timeout = 5 (File)");
    assert_eq!(setting(&report, "body-timeout"), "body-timeout = 30 (Default)");
    assert_eq!(setting(&report, "max-connections"), "max-connections = 512 (Default)");
    assert!(
        report.contains(&format!("SQLite file {} opens with the keys", data.join("alliance.db").display())),
        "{report}"
    );

    // The environment can name the file too.
    let run = with_env(&["serve", "--check"], &[("ALLIANCE_CONFIG", &config)]).ok();
    assert_eq!(setting(&run.stdout, "bind"), "bind = 127.0.0.1:9001 (File)");
}

#[test]
fn a_bad_configuration_file_is_refused_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(String, Vec<&str>)> = vec![
        (file(d, "typo.toml", b"bnd = \"127.0.0.1:1\"\n"), vec!["typo.toml", "unknown setting `bnd`"]),
        (file(d, "syntax.toml", b"bind = \"127.0.0.1:1\"\nred-level = \n"), vec!["syntax.toml", "line 2"]),
        (file(d, "flag.toml", b"secure-cookies = \"yes\"\n"), vec!["secure-cookies", "true or false"]),
        (file(d, "table.toml", b"[bind]\nport = 1\n"), vec!["bind", "must be a string"]),
        (file(d, "self.toml", b"config = \"other.toml\"\n"), vec!["unknown setting `config`"]),
        (file(d, "binary.toml", &[0xff, 0xfe, 0x00, 0x62]), vec!["not UTF-8"]),
        (file(d, "huge.toml", "# padding\n".repeat(10_000).as_bytes()), vec!["larger than"]),
        (d.join("missing.toml").to_str().unwrap().to_owned(), vec!["cannot read", "missing.toml"]),
        (d.to_str().unwrap().to_owned(), vec!["is not a file"]),
    ];
    for (path, says) in cases {
        alliance(&["serve", "--config", &path, "--check"]).refused().says(&says);
    }
    // A wrong value is refused by the same rules as on the command line.
    let bad = file(d, "range.toml", b"red-level = 0.5\nyellow-level = 0.7\n");
    alliance(&["serve", "--config", &bad, "--check"]).refused().says(&["signal settings"]);
    // A trusted proxy that is no address is refused (clap's own message, with its usage hint).
    let proxy = file(d, "proxy.toml", b"trusted-proxies = \"127.0.0.1,localhost\"\n");
    let run = alliance(&["serve", "--config", &proxy, "--check"]);
    assert!(!run.success && run.stderr.contains("`localhost` is neither an IP address"), "{}", run.stderr);
}

/// Every name `serve --check` prints is one the config file takes: its report, less the sources, is a valid file.
#[test]
fn the_check_prints_the_names_the_file_takes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    alliance(&["user", "create-admin", "--data", data.to_str().unwrap(), "--email", "a@example.org", "--name", "A"])
        .ok();
    let run = alliance(&["serve", "--check", "--data", data.to_str().unwrap(), "--backup-every", "12"]).ok();
    assert!(run.stdout.contains("backup-every = 12 (CommandLine)"), "{}", run.stdout);
    let mut toml = String::new();
    for line in run.stdout.lines().filter(|l| l.contains(" = ")) {
        let (name, rest) = line.split_once(" = ").unwrap();
        let value = rest.rsplit_once(" (").unwrap().0;
        let literal = if matches!(value, "true" | "false") { value.to_owned() } else { format!("\"{value}\"") };
        toml.push_str(&format!("{name} = {literal}\n"));
    }
    assert!(toml.contains("data = ") && toml.contains("bind = "), "{toml}");
    let config = file(dir.path(), "printed.toml", toml.as_bytes());
    alliance(&["serve", "--config", &config, "--check"]).ok();
}

/// `serve --check` opens what `serve` would, and refuses what `serve` would refuse.
#[test]
fn the_check_refuses_what_serve_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    alliance(&["user", "create-admin", "--data", d, "--email", "a@example.org", "--name", "A"]).ok();
    let run = alliance(&["serve", "--check", "--data", d]).ok();
    assert!(run.stdout.contains("opens with the keys"), "{}", run.stdout);
    let key_file = data.join("keys").join("alliance.keys");
    let keys = std::fs::read_to_string(&key_file).unwrap();
    // Another practice's key.
    let other = file(dir.path(), "other.keys", alliance_store::Keyring::generate().to_file_text().as_bytes());
    alliance(&["serve", "--check", "--data", d, "--key-file", &other]).refused().says(&["wrong key"]);
    // A scheduled backup without its key.
    let backups = dir.path().join("backups");
    alliance(&["serve", "--check", "--data", d, "--backup-dir", backups.to_str().unwrap()])
        .refused()
        .says(&["backup key"]);
    // A key file others can read, then none at all.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        alliance(&["serve", "--check", "--data", d]).refused().says(&["chmod 600"]);
    }
    std::fs::remove_file(&key_file).unwrap();
    alliance(&["serve", "--check", "--data", d]).refused().says(&["no key file"]);
    std::fs::write(&key_file, keys).unwrap();
    // No data folder named, or one without a practice: nothing is guessed or made.
    let elsewhere = dir.path().join("typo");
    for args in
        [vec!["serve", "--check"], vec!["serve"], vec!["serve", "--check", "--data", elsewhere.to_str().unwrap()]]
    {
        alliance(&args).refused().says(&["--data"]);
    }
    alliance(&["serve", "--data", elsewhere.to_str().unwrap()]).refused().says(&["no practice at", "create-admin"]);
    assert!(!elsewhere.exists(), "no folder was made");
}

#[test]
fn a_database_password_in_the_file_never_shows() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: the connection fails, and the error must not carry the password.
    let config = file(dir.path(), "db.toml", b"database = \"postgres://alliance:Sw0rdf1sh-9@127.0.0.1:1/alliance\"\n");
    let run = alliance(&["serve", "--config", &config, "--check"]).refused();
    assert!(!run.stderr.contains("Sw0rdf1sh"), "{}", run.stderr);
    if let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") {
        // A database of its own on the test server, dropped afterwards.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let name = format!("alliance_test_cli_config_{}", std::process::id());
        let url = runtime.block_on(alliance_store::PostgresStore::create_database(&server, &name)).unwrap();
        let keys = file(dir.path(), "alliance.keys", alliance_store::Keyring::generate().to_file_text().as_bytes());
        let config = file(dir.path(), "real.toml", format!("database = \"{url}\"\nkey-file = \"{keys}\"\n").as_bytes());
        let run = alliance(&["serve", "--config", &config, "--check"]);
        runtime.block_on(alliance_store::PostgresStore::drop_database(&server, &name)).unwrap();
        let run = run.ok();
        assert!(run.stdout.contains("PostgreSQL answers"), "{}", run.stdout);
        let password = url.split("://").nth(1).and_then(|r| r.split('@').next()).and_then(|c| c.split(':').nth(1));
        if let Some(password) = password {
            assert!(!run.stdout.contains(password), "{}", run.stdout);
            assert!(run.stdout.contains(":***@"), "{}", run.stdout);
        }
    }
}

/// Sending clients' links: the settings are read from the file like any other, the webhook's token never shows,
/// and a value out of range or hostile is refused with a reason before anything starts.
#[test]
fn link_delivery_settings_are_read_and_bad_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data");
    alliance(&["user", "create-admin", "--data", data.to_str().unwrap(), "--email", "a@example.org", "--name", "A"])
        .ok();
    let good = format!(
        "data = \"{}\"\nlink-expiry-days = 5\nlink-reminder-days = 2\nsms-webhook-url = \"https://sms.example.org/send\"\n\
         sms-webhook-token = \"s3cret-token\"\n",
        data.display()
    );
    let config = file(d, "links.toml", good.as_bytes());
    let run = alliance(&["serve", "--config", &config, "--check"]).ok();
    assert_eq!(setting(&run.stdout, "link-expiry-days"), "link-expiry-days = 5 (File)");
    assert_eq!(setting(&run.stdout, "link-reminder-days"), "link-reminder-days = 2 (File)");
    assert_eq!(setting(&run.stdout, "sms-webhook-token"), "sms-webhook-token = *** (File)");
    assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"));
    let long = format!("sms-webhook-url = \"https://sms.example.org/{}\"\n", "a".repeat(5000));
    let cases: Vec<(&str, &str, &str)> = vec![
        ("expiry.toml", "link-expiry-days = 40\n", "a link lasts from 1 to 14 days"),
        ("order.toml", "link-expiry-days = 2\nlink-reminder-days = 2\n", "before the link expires"),
        ("plain.toml", "sms-webhook-url = \"http://sms.example.org/send\"\n", "only to this machine"),
        ("long.toml", &long, "longer than"),
        (
            "token.toml",
            "sms-webhook-url = \"https://s.example.org\"\nsms-webhook-token = \"a\\r\\nX: y\"\n",
            "punctuation only",
        ),
    ];
    for (name, content, says) in cases {
        let path = file(d, name, content.as_bytes());
        alliance(&["serve", "--config", &path, "--check"]).refused().says(&[says]);
    }
    // Not a number at all: clap's own message names the setting.
    let negative = file(d, "negative.toml", b"link-reminder-days = -1\n");
    let run = alliance(&["serve", "--config", &negative, "--check"]);
    assert!(!run.success && run.stderr.contains("--link-reminder-days"), "{}", run.stderr);
}
