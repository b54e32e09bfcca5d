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

/// Issue 15: the last administrator, locked out (password forgotten, phone lost), is let back in from the command
/// line: a new password shown once and to be replaced, the second factor and its codes gone and to be set up
/// again, every sign-in ended, the reset in the audit log. New accounts replace the password they were given.
#[test]
fn the_last_administrator_is_let_back_in_from_the_command_line() {
    use alliance_store::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    alliance(&["user", "create-admin", "--data", d, "--email", "only@example.org", "--name", "Only"])
        .ok()
        .prints(&["It is replaced at the first sign-in"]);
    alliance(&["user", "add", "--data", d, "--email", "t@example.org", "--name", "T", "--role", "therapist"])
        .ok()
        .prints(&["It is replaced at the first sign-in"]);
    let open = || async {
        let keys = std::fs::read_to_string(data.join("keys").join("alliance.keys")).unwrap();
        alliance_store::SqliteStore::open(&data.join("alliance.db"), &alliance_store::Keyring::parse(&keys).unwrap())
            .await
            .unwrap()
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let admin = runtime.block_on(async {
        let store = open().await;
        let admin = store.user_by_email("only@example.org").await.unwrap().unwrap();
        assert!(admin.must_change_password, "a generated password is replaced");
        store.begin_totp(admin.id, &[1; 20], time::OffsetDateTime::now_utc()).await.unwrap();
        assert!(store.accept_totp_step(admin.id, 1, true).await.unwrap());
        let codes = [vec![2; 43]];
        let event = alliance_store::AuditEvent::system(time::OffsetDateTime::now_utc(), "t", "account", "test");
        store.replace_recovery_codes(admin.id, &codes, time::OffsetDateTime::now_utc(), event).await.unwrap();
        store.close().await;
        admin
    });

    let reset = alliance(&["user", "reset-access", "--data", d, "--email", "ONLY@example.org"]).ok().prints(&[
        "New password, shown only now:",
        "They replace it at their next sign-in",
        "second factor was removed",
    ]);
    let password = reset.stdout.lines().find_map(|l| l.split_once("shown only now: ")).unwrap().1.trim().to_owned();
    runtime.block_on(async {
        let store = open().await;
        let after = store.user(admin.id).await.unwrap().unwrap();
        assert!(after.must_change_password && after.must_enrol_second_factor);
        assert_ne!(after.password_hash, admin.password_hash);
        assert!(alliance_web::verify_password(&password, &after.password_hash), "the shown password is the new one");
        assert!(store.totp_factor(admin.id).await.unwrap().is_none());
        assert_eq!(store.recovery_codes_left(admin.id).await.unwrap(), 0);
        let audit = store.audit_events(100).await.unwrap();
        let entry = audit.iter().find(|e| e.action == "access-reset").expect("audited");
        assert_eq!((entry.object_id, entry.actor), (Some(admin.id.0), None));
        store.close().await;
    });

    alliance(&["user", "reset-access", "--data", d, "--email", "nobody@example.org"])
        .refused()
        .says(&["has no account", "nothing was changed"]);
    alliance(&["user", "reset-access", "--data", d, "--email", "not an address"]).refused();
    let elsewhere = dir.path().join("elsewhere");
    alliance(&["user", "reset-access", "--data", elsewhere.to_str().unwrap(), "--email", "only@example.org"])
        .refused()
        .says(&["no practice at"]);
    assert!(!elsewhere.join("keys").exists(), "no stray practice or key file is made");
}

#[test]
fn a_token_for_automation_is_made_from_the_command_line() {
    use alliance_store::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    alliance(&["user", "create-admin", "--data", d, "--email", "only@example.org", "--name", "Only"]).ok();
    alliance(&["user", "add", "--data", d, "--email", "t@example.org", "--name", "T", "--role", "therapist"]).ok();
    let token_args = |extra: &[&'static str]| {
        let mut args = vec!["user", "token", "--data", d, "--email", "t@example.org", "--name", "ci"];
        args.extend_from_slice(extra);
        args
    };
    // Nothing is made from bad arguments.
    for bad in [&["--days", "0"][..], &["--days", "366"], &["--scope", "all"]] {
        alliance(&token_args(bad)).refused().says(&["nothing was made"]);
    }
    alliance(&["user", "token", "--data", d, "--email", "nobody@example.org", "--name", "ci"])
        .refused()
        .says(&["has no account", "nothing was made"]);

    let made = alliance(&token_args(&["--scope", "read-write", "--days", "2"])).ok();
    let token = made.stdout.trim().to_owned();
    assert!(token.starts_with("alliance_pat_") && !token.contains(' '), "only the token is printed: {token}");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let keys = std::fs::read_to_string(data.join("keys").join("alliance.keys")).unwrap();
        let keys = alliance_store::Keyring::parse(&keys).unwrap();
        let store = alliance_store::SqliteStore::open(&data.join("alliance.db"), &keys).await.unwrap();
        let user = store.user_by_email("t@example.org").await.unwrap().unwrap();
        let tokens = store.api_tokens(user.id).await.unwrap();
        assert_eq!((tokens.len(), tokens[0].name.as_str()), (1, "ci"));
        assert_eq!(tokens[0].scope, alliance_store::TokenScope::ReadWrite);
        let lifetime = tokens[0].expires_at - tokens[0].created_at;
        assert_eq!(lifetime, time::Duration::days(2));
        // Stored as its hash: the hash of the printed token finds it.
        let now = time::OffsetDateTime::now_utc();
        let found = store.use_api_token(&alliance_web::hash_token(&token), now).await.unwrap();
        assert_eq!(found.map(|(_, u)| u.id), Some(user.id));
        let audit = store.audit_events(100).await.unwrap();
        let entry = audit.iter().find(|e| e.action == "api-token-create").expect("audited");
        assert_eq!((entry.object_id, entry.purpose.as_str()), (Some(tokens[0].id), "command line"));
        store.close().await;
    });
}
