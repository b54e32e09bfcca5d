//! The restore drill (`tests/ops/restore_drill.sh`): the README's *Disaster recovery* commands run as written on a
//! small practice in a throw-away folder, ending with `serve --check` on the restored practice. The script and
//! the README cannot drift apart: every command line of the README's block is in the script, word for word and in
//! the same order, and the script names the same folders.

use std::path::Path;
use std::process::Command;

use crate::readme::{block_after, readme};

fn script_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ops/restore_drill.sh")
}

#[test]
fn the_readme_disaster_recovery_commands_are_the_drills_word_for_word() {
    let block = block_after(&readme(), "### Disaster recovery");
    let script = std::fs::read_to_string(script_path()).unwrap();
    let script_lines: Vec<&str> = script.lines().map(str::trim).collect();
    // The first line names the folders; the script names the same ones, inside its throw-away folder.
    let folders = &block[0];
    let names: Vec<&str> = folders.split_whitespace().filter_map(|w| w.split_once('=').map(|(n, _)| n)).collect();
    assert_eq!(names, ["DATA", "BACKUP_KEY", "BACKUPS", "KEYSAFE", "OFFSITE"], "{folders}");
    for name in names {
        assert!(script.contains(&format!("{name}=$ROOT/")), "the drill does not set {name}");
    }
    let commands: Vec<&str> =
        block[1..].iter().map(|l| l.trim()).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert!(commands.len() >= 10, "{block:?}");
    assert!(commands.iter().any(|c| c.starts_with("alliance restore ") && c.contains("--to ")));
    assert!(commands.last().is_some_and(|c| c.starts_with("alliance serve ") && c.ends_with("--check")));
    let mut at = 0;
    for command in commands {
        let found = script_lines[at..].iter().position(|l| *l == command);
        let found =
            found.unwrap_or_else(|| panic!("the drill lacks (or has out of order) the README's line\n{command}"));
        at += found + 1;
    }
}

#[test]
fn the_restore_drill_passes() {
    let started = std::time::Instant::now();
    let out = Command::new("bash")
        .arg(script_path())
        .env("ALLIANCE_BIN", env!("CARGO_BIN_EXE_alliance"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the drill failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("opens with the keys") && stdout.contains("restore drill: passed"), "{stdout}");
    assert!(started.elapsed().as_secs() < 60, "the drill is meant to take seconds");
}
