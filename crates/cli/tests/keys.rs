//! The key file and `alliance keys ...`, run as an operator would.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::{alliance, path_str};

fn create_admin(data: &str, extra: &[&str]) -> crate::Run {
    let mut args = vec!["user", "create-admin", "--data", data, "--email", "boss@example.org", "--name", "Boss"];
    args.extend_from_slice(extra);
    alliance(&args)
}

fn key_lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file).unwrap().lines().filter(|l| !l.starts_with('#')).map(str::to_owned).collect()
}

#[cfg(unix)]
#[test]
fn the_key_file_is_created_private_and_a_readable_one_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_admin(path_str(&data), &[]).ok();
    let file = data.join("keys").join("alliance.keys");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&file), mode(&data.join("keys"))), (0o600, 0o700));
    let lines = key_lines(&file);
    assert!(lines[0].starts_with("db ") && lines[1].starts_with("v1 ") && lines.len() == 2, "{lines:?}");

    let add =
        ["user", "add", "--data", path_str(&data), "--email", "t@example.org", "--name", "T", "--role", "therapist"];
    for readable in [0o640, 0o604, 0o620] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(readable)).unwrap();
        alliance(&add).refused().says(&["can be read or changed by other users", "chmod 600"]);
        alliance(&["serve", "--data", path_str(&data), "--bind", "127.0.0.1:0"]).refused().says(&["chmod 600"]);
    }
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    alliance(&add).ok();
}

#[test]
fn a_missing_or_wrong_key_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    create_admin(d, &[]).ok();
    let file = data.join("keys").join("alliance.keys");
    let kept = dir.path().join("kept.keys");
    std::fs::rename(&file, &kept).unwrap();
    let add = ["user", "add", "--data", d, "--email", "t@example.org", "--name", "T", "--role", "therapist"];
    // The default key file is gone: not silently replaced by a new one.
    alliance(&add).refused().says(&["no key file", "cannot be opened without the key file"]);
    assert!(!file.exists());
    // Another practice's keys.
    let other = tempfile::tempdir().unwrap();
    create_admin(path_str(other.path()), &[]).ok();
    let other_keys = other.path().join("keys").join("alliance.keys");
    let mut wrong = add.to_vec();
    wrong.extend(["--key-file", path_str(&other_keys)]);
    alliance(&wrong).refused().says(&["wrong key or not an Alliance database"]);
    let other_before = std::fs::read(&other_keys).unwrap();
    alliance(&["keys", "rotate", "--data", d, "--key-file", path_str(&other_keys)])
        .refused()
        .says(&["wrong key or not an Alliance database"]);
    assert_eq!(std::fs::read(&other_keys).unwrap(), other_before, "a refused rotation adds no key");
    alliance(&["keys", "rotate", "--data", d]).refused().says(&["no key file"]);
    // Malformed keys in the environment are named, not echoed.
    let out = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(add)
        .env("ALLIANCE_KEYS", "db c2VjcmV0\nv1 c2VjcmV0\n")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success() && stderr.contains("ALLIANCE_KEYS") && stderr.contains("32 bytes"), "{stderr}");
    assert!(!stderr.contains("c2VjcmV0"), "{stderr}");
    // The right keys, from a file elsewhere and from the environment: all is there.
    let mut right = add.to_vec();
    right.extend(["--key-file", path_str(&kept)]);
    alliance(&right).ok();
    let out = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["user", "add", "--data", d, "--email", "u@example.org", "--name", "U", "--role", "therapist"])
        .env("ALLIANCE_KEYS", std::fs::read_to_string(&kept).unwrap())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn rotate_then_retire_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    create_admin(d, &[]).ok();
    alliance(&["user", "add", "--data", d, "--email", "t@example.org", "--name", "Tess", "--role", "therapist"]).ok();
    let file = data.join("keys").join("alliance.keys");
    let before = key_lines(&file);

    alliance(&["keys", "retire", "v1", "--data", d]).refused().says(&["newest key version"]);
    let rotated = alliance(&["keys", "rotate", "--data", d]).ok();
    assert!(
        rotated.stdout.contains("New key v2") && rotated.stdout.contains("4 fields re-encrypted"),
        "{}",
        rotated.stdout
    );
    let after = key_lines(&file);
    assert_eq!(&after[..2], &before[..], "the database secret and v1 are kept");
    assert!(after[2].starts_with("v2 ") && after.len() == 3);

    alliance(&["keys", "retire", "v1", "--data", d]).ok();
    let retired = key_lines(&file);
    assert_eq!(retired, vec![after[0].clone(), after[2].clone()]);
    alliance(&["keys", "retire", "v1", "--data", d]).refused().says(&["v1 is not in the key file"]);
    alliance(&["keys", "retire", "one", "--data", d]).refused().says(&["not a key version"]);
    // Everything still opens: the accounts are found by address.
    alliance(&["user", "add", "--data", d, "--email", "T@example.org", "--name", "T", "--role", "therapist"])
        .refused()
        .says(&["already has an account"]);
    let mut supervised =
        vec!["user", "add", "--data", d, "--email", "s@example.org", "--name", "S", "--role", "therapist"];
    supervised.extend(["--supervisor", "boss@example.org"]);
    alliance(&supervised).refused().says(&["is not a supervisor"]);

    // Both key operations are in the audit log, with the version as their object.
    let log = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let keys = alliance_store::Keyring::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let store = alliance_store::SqliteStore::open(&data.join("alliance.db"), &keys).await.unwrap();
        let log = alliance_store::prelude::AuditLog::audit_events(&store, 10).await.unwrap();
        store.close().await;
        log
    });
    let keyed: Vec<(&str, Option<i64>)> =
        log.iter().filter(|e| e.object_kind == "field-key").map(|e| (e.action.as_str(), e.object_id)).collect();
    assert_eq!(keyed, [("retire", Some(1)), ("rotate", Some(2))]);

    // A second rotation: v2 can go in turn.
    alliance(&["keys", "rotate", "--data", d]).ok();
    alliance(&["keys", "retire", "v2", "--data", d]).ok();
    assert!(key_lines(&file)[1].starts_with("v3 "));
}

/// Several servers on one database: the new key goes to the key file first (to be copied to every server), and
/// the rotation then re-encrypts under that key rather than adding another.
#[test]
fn a_staged_key_is_the_one_the_rotation_uses() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    create_admin(d, &[]).ok();
    let file = data.join("keys").join("alliance.keys");
    let staged = alliance(&["keys", "stage", "--data", d]).ok();
    assert!(staged.stdout.contains("Key v2 is in") && staged.stdout.contains("seals nothing yet"), "{}", staged.stdout);
    let with_v2 = key_lines(&file);
    assert!(with_v2.len() == 3 && with_v2[2].starts_with("v2 "));
    alliance(&["keys", "retire", "v1", "--data", d]).refused().says(&["still encrypted under v1"]);
    // Staging again keeps the staged key.
    alliance(&["keys", "stage", "--data", d]).ok();
    assert_eq!(key_lines(&file), with_v2);
    let rotated = alliance(&["keys", "rotate", "--data", d]).ok();
    assert!(rotated.stdout.starts_with("Staged key v2 in"), "{}", rotated.stdout);
    assert_eq!(key_lines(&file), with_v2, "no v3");
    alliance(&["keys", "retire", "v1", "--data", d]).ok();
    // With nothing staged, a rotation adds a key.
    let rotated = alliance(&["keys", "rotate", "--data", d]).ok();
    assert!(rotated.stdout.starts_with("New key v3 written to"), "{}", rotated.stdout);
}

#[test]
fn retire_refuses_while_a_field_uses_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    create_admin(d, &[]).ok();
    // A v2 added by hand, as a half-done rotation would leave it: v1 still seals the account.
    let file = data.join("keys").join("alliance.keys");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("v2 QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0NTY=\n");
    std::fs::write(&file, text).unwrap();
    alliance(&["keys", "retire", "v1", "--data", d])
        .refused()
        .says(&["2 fields are still encrypted under v1", "rotate"]);
    let mut from_env = Command::new(env!("CARGO_BIN_EXE_alliance"));
    from_env.args(["keys", "rotate", "--data", d]).env("ALLIANCE_KEYS", std::fs::read_to_string(&file).unwrap());
    let out = from_env.stdin(Stdio::null()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs the key file itself"));
}

#[test]
fn rekey_gives_the_database_a_new_page_key_and_recovers_from_an_interruption() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    create_admin(d, &[]).ok();
    let file = data.join("keys").join("alliance.keys");
    let pending = data.join("keys").join("alliance.keys.pending");
    let old_text = std::fs::read_to_string(&file).unwrap();
    let old = key_lines(&file);
    let out = alliance(&["keys", "rekey", "--data", d]).ok();
    assert!(out.stdout.contains("new page key"), "{}", out.stdout);
    // The rekey is in the rekeyed database's audit log.
    let log = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let keys = alliance_store::Keyring::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let store = alliance_store::SqliteStore::open(&data.join("alliance.db"), &keys).await.unwrap();
        let log = alliance_store::prelude::AuditLog::audit_events(&store, 10).await.unwrap();
        store.close().await;
        log
    });
    let rekeys: Vec<(&str, &str)> =
        log.iter().filter(|e| e.action == "rekey").map(|e| (e.object_kind.as_str(), e.purpose.as_str())).collect();
    assert_eq!(rekeys, [("database", "key-management")]);
    let new = key_lines(&file);
    assert!(new[0].starts_with("db ") && new[0] != old[0] && new[1] == old[1], "{old:?} {new:?}");
    assert!(!pending.exists() && !data.join("alliance.db.rekeyed").exists());
    // Accounts are still found by address (the e-mail index follows the new key), and the old key is refused.
    let again = ["user", "add", "--data", d, "--email", "BOSS@example.org", "--name", "B", "--role", "therapist"];
    alliance(&again).refused().says(&["already has an account"]);
    let old_file = dir.path().join("old.keys");
    std::fs::write(&old_file, &old_text).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&old_file, <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600))
        .unwrap();
    let mut with_old = again.to_vec();
    with_old.extend(["--key-file", path_str(&old_file)]);
    alliance(&with_old).refused().says(&["wrong key"]);

    // Interrupted after the database was swapped, before the key file was: refused with advice, then finished.
    std::fs::rename(&file, &pending).unwrap();
    std::fs::copy(&old_file, &file).unwrap();
    alliance(&again).refused().says(&["interrupted", "alliance keys rekey"]);
    let out = alliance(&["keys", "rekey", "--data", d]).ok();
    assert!(out.stdout.contains("Finished an interrupted rekey"), "{}", out.stdout);
    assert_eq!(key_lines(&file), new);
    alliance(&again).refused().says(&["already has an account"]);

    // Interrupted before the swap: the pending keys never applied, so it starts over.
    std::fs::copy(&old_file, &pending).unwrap();
    alliance(&["keys", "rekey", "--data", d]).ok();
    assert!(!pending.exists());
    assert!(key_lines(&file)[0] != new[0]);
    alliance(&again).refused().says(&["already has an account"]);
    alliance(&["keys", "rekey", "--data", d, "--database", "postgres://x@127.0.0.1:1/x"]).refused().says(&["SQLite"]);
}

/// Issue 15: `retire` did not say that backups still needed the retired key. With --backup-dir it refuses while a
/// backup there needs the version (or, made by an earlier release, does not say), naming each file and when it
/// was made; --force retires anyway, with a warning; without --backup-dir it warns that nothing was checked.
#[test]
fn retire_refuses_while_a_backup_in_the_backup_folder_needs_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    create_admin(d, &[]).ok();
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let (backup, key) = (backups.join("monday.backup"), dir.path().join("backup.key"));
    alliance(&["backup", "--data", d, "--to", path_str(&backup), "--backup-key-file", path_str(&key), "--new-key"])
        .ok();
    std::fs::write(backups.join("notes.txt"), "not a backup").unwrap();
    alliance(&["keys", "rotate", "--data", d]).ok();
    let b = path_str(&backups);
    let refused = alliance(&["keys", "retire", "v1", "--data", d, "--backup-dir", b]).refused().says(&[
        "1 backup(s) may need v1",
        &backup.display().to_string(),
        "--force",
    ]);
    let made = refused.stderr.split("(made ").nth(1).unwrap_or_default();
    assert!(made.len() > 20 && &made[10..11] == "T" && &made[19..20] == "Z", "RFC 3339: {}", refused.stderr);
    assert!(key_lines(&data.join("keys").join("alliance.keys")).iter().any(|l| l.starts_with("v1 ")), "v1 is kept");

    // A backup made after the rotation needs only v2; the one before still blocks.
    let (tuesday, earlier) = (backups.join("tuesday.backup"), backups.join("earlier-release.backup"));
    alliance(&["backup", "--data", d, "--to", path_str(&tuesday), "--backup-key-file", path_str(&key)]).ok();
    std::fs::remove_file(&backup).unwrap();
    // A backup from a release that did not record key versions: unknown, so it blocks too.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures");
    std::fs::copy(fixtures.join("format-1.backup"), &earlier).unwrap();
    alliance(&["keys", "retire", "v1", "--data", d, "--backup-dir", b])
        .refused()
        .says(&["earlier-release.backup", "key versions not recorded"]);
    let forced = alliance(&["keys", "retire", "v1", "--data", d, "--backup-dir", b, "--force"]).ok();
    assert!(forced.stderr.contains("retired anyway"), "{}", forced.stderr);
    assert!(!key_lines(&data.join("keys").join("alliance.keys")).iter().any(|l| l.starts_with("v1 ")));

    // Without --backup-dir: retired, with a warning that no backup was checked.
    std::fs::remove_file(&earlier).unwrap();
    alliance(&["keys", "rotate", "--data", d]).ok();
    alliance(&["keys", "retire", "v2", "--data", d, "--backup-dir", b]).refused().says(&["tuesday.backup"]);
    // `serve`'s configuration file names the folder just as well.
    let config = dir.path().join("alliance.toml");
    std::fs::write(&config, format!("backup-dir = \"{b}\"\n")).unwrap();
    alliance(&["keys", "retire", "v2", "--data", d, "--config", path_str(&config)]).refused().says(&["tuesday.backup"]);
    let unchecked = alliance(&["keys", "retire", "v2", "--data", d]).ok();
    assert!(unchecked.stderr.contains("no --backup-dir given"), "{}", unchecked.stderr);
    alliance(&["keys", "retire", "v3", "--data", d, "--backup-dir", path_str(&dir.path().join("none"))])
        .refused()
        .says(&["does not exist"]);
}
