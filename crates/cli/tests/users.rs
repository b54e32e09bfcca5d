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
