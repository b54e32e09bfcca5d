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
