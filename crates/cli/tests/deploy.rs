//! The files an operator deploys with (`deploy/`): the systemd unit passes `systemd-analyze verify` (where it is
//! installed) and keeps its sandboxing, the proxy configurations set the header `--trusted-proxies` reads, the
//! container runs unprivileged with its data on a volume, and the sample settings file is accepted by `serve`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{alliance, path_str};

fn deploy(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy").join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(deploy(name)).unwrap()
}

#[test]
fn the_systemd_unit_is_sandboxed_and_verifies() {
    let unit = read("alliance.service");
    for line in [
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ReadWritePaths=/var/lib/alliance",
        "CapabilityBoundingSet=\n",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter=@system-service",
        "MemoryDenyWriteExecute=yes",
        "UMask=0077",
    ] {
        assert!(unit.contains(line), "the unit lacks {line:?}");
    }
    // The only writable path is the data folder.
    let writable: Vec<&str> = unit.lines().filter(|l| l.starts_with("ReadWritePaths=")).collect();
    assert_eq!(writable, ["ReadWritePaths=/var/lib/alliance"]);

    let Some(analyze) =
        ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].into_iter().find(|p| Path::new(p).exists())
    else {
        eprintln!("systemd-analyze is not installed: the unit was not verified");
        return;
    };
    // `verify` checks that ExecStart's program exists: point it at the binary under test (the installed path,
    // /usr/local/bin/alliance, is the only difference).
    assert!(unit.contains("ExecStart=/usr/local/bin/alliance serve "));
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("alliance.service");
    let binary = env!("CARGO_BIN_EXE_alliance");
    std::fs::write(&copy, unit.replace("ExecStart=/usr/local/bin/alliance ", &format!("ExecStart={binary} "))).unwrap();
    let out = Command::new(analyze).args(["verify", "--man=no", path_str(&copy)]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Parse problems are warnings with exit status 0: any line about our unit fails the test.
    let ours: Vec<&str> = stderr.lines().filter(|l| l.contains("alliance.service")).collect();
    assert!(out.status.success() && ours.is_empty(), "systemd-analyze verify: {:?}\n{stderr}", out.status);
}

#[test]
fn the_proxies_set_the_forwarded_client_and_the_container_runs_unprivileged() {
    let caddy = read("Caddyfile");
    assert!(
        caddy.contains("reverse_proxy 127.0.0.1:8080") && caddy.contains("header_up X-Forwarded-For {remote_host}")
    );
    let nginx = read("nginx.conf");
    assert!(nginx.contains("proxy_pass http://127.0.0.1:8080;"));
    assert!(
        nginx.contains("proxy_set_header X-Forwarded-For $remote_addr;"),
        "replaces, never appends to, the client's"
    );
    let container = read("Containerfile");
    assert!(container.contains("\nUSER 10001:10001\n") && container.contains("VOLUME [\"/data\"]"));
    assert!(!container.contains("USER root") && !container.contains("USER 0"));
}

#[test]
fn the_sample_settings_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let settings = read("alliance.toml");
    let file = dir.path().join("alliance.toml");
    std::fs::write(&file, settings).unwrap();
    let data = dir.path().join("data");
    alliance(&["user", "create-admin", "--data", path_str(&data), "--email", "a@example.org", "--name", "A"]).ok();
    let run = alliance(&["serve", "--config", path_str(&file), "--data", path_str(&data), "--check"]).ok();
    assert!(run.stdout.contains("trusted-proxies = 127.0.0.1, ::1 (File)"), "{}", run.stdout);
    assert!(run.stdout.contains("secure-cookies = true (File)"), "{}", run.stdout);
    assert!(run.stdout.contains("security-contact = mailto:security@example.org (File)"), "{}", run.stdout);
}
