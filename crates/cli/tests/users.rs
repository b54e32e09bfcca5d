//! Account administration from the command line.

use crate::alliance;

#[test]
fn the_first_administrator_then_accounts_without_half_made_ones() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let admin =
        alliance(&["user", "create-admin", "--data", data, "--email", "Boss@Example.org", "--name", "Boss"]).ok();
    assert!(admin.stdout.contains("Password, shown only now:"), "{}", admin.stdout);
    alliance(&["user", "create-admin", "--data", data, "--email", "two@example.org", "--name", "Two"])
        .refused()
        .says(&["accounts already exist"]);
    let args = ["user", "add", "--data", data, "--email", "t@example.org", "--name", "T", "--role", "therapist"];
    let mut with_bad_supervisor = args.to_vec();
    with_bad_supervisor.extend(["--supervisor", "boss@example.org"]);
    alliance(&with_bad_supervisor).refused().says(&["nothing was created"]);
    alliance(&args).ok();
    alliance(&args).refused().says(&["already has an account"]);
    alliance(&["user", "add", "--data", data, "--email", "x@example.org", "--name", "X", "--role", "wizard"]).refused();
}

#[cfg(unix)]
#[test]
fn the_database_is_private_and_an_existing_folder_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let existing = dir.path().to_str().unwrap();
    alliance(&["user", "create-admin", "--data", existing, "--email", "a@example.org", "--name", "A"]).ok();
    assert_eq!(mode(dir.path()), 0o755, "a folder that existed is left as it was");
    assert_eq!(mode(&dir.path().join("alliance.db")), 0o600);
    let fresh = dir.path().join("new");
    alliance(&["user", "create-admin", "--data", fresh.to_str().unwrap(), "--email", "a@example.org", "--name", "A"])
        .ok();
    assert_eq!(mode(&fresh), 0o700, "a folder Alliance creates is private");
}

#[test]
fn serve_refuses_inconsistent_signal_settings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    alliance(&["serve", "--data", data, "--bind", "127.0.0.1:0", "--yellow-level", "0.7", "--red-level", "0.5"])
        .refused()
        .says(&["signal settings", "red level above the yellow"]);
    alliance(&["serve", "--data", data, "--bind", "127.0.0.1:0", "--discrepancy-points=-1"]).refused();
}

/// Issue 14, finding 5: a password given on standard input meets the web forms' policy (a breached one is refused).
#[test]
fn a_chosen_password_meets_the_policy() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_alliance"))
            .args(["user", "create-admin", "--data", data.to_str().unwrap(), "--email", "ida@example.org"])
            .args(["--name", "Ida", "--password-stdin"])
            .env_remove("ALLIANCE_KEYS")
            .env_remove("ALLIANCE_KEY_FILE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    for weak in ["starwars2020!", "ida@example.org!", "password1234"] {
        let out = run(weak);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains("the password is refused, nothing was created"), "{stderr}");
    }
    let out = run("violet harbour crane 58 tiles");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
