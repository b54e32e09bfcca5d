//! `serve --transcript-model FILE` (issue 21): a file that cannot be read, or is not a model, stops the start
//! before any data is opened, and the message names the file.

use crate::{alliance, alliance_with_env, path_str};

#[test]
fn an_unreadable_or_corrupt_transcript_model_stops_the_start_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("practice");
    let missing = dir.path().join("no-such-model.bin");
    let run = alliance(&["serve", "--data", path_str(&data), "--transcript-model", path_str(&missing)]);
    assert!(!run.success);
    assert!(run.stderr.contains("no-such-model.bin") && run.stderr.contains("cannot be read"), "{}", run.stderr);

    let corrupt = dir.path().join("corrupt-model.bin");
    std::fs::write(&corrupt, b"ALLIANCE-TRANSCRIPT-MODEL 2\n\x11").unwrap();
    let env = [("ALLIANCE_TRANSCRIPT_MODEL", path_str(&corrupt))];
    let run = alliance_with_env(&["serve", "--data", path_str(&data)], &env);
    assert!(!run.success);
    assert!(run.stderr.contains("corrupt-model.bin") && run.stderr.contains("cut short"), "{}", run.stderr);
    let old = dir.path().join("old-model.bin");
    std::fs::write(&old, b"ALLIANCE-TRANSCRIPT-MODEL 1\n\x11\0\0\0").unwrap();
    let run = alliance(&["serve", "--data", path_str(&data), "--transcript-model", path_str(&old)]);
    assert!(run.stderr.contains("old-model.bin") && run.stderr.contains("train it again"), "{}", run.stderr);
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "Therapist: hello\n").unwrap();
    let run = alliance(&["serve", "--data", path_str(&data), "--transcript-model", path_str(&text)]);
    assert!(
        run.stderr.contains("notes.txt") && run.stderr.contains("not an Alliance transcript model"),
        "{}",
        run.stderr
    );
    assert!(!data.exists(), "no data touched");
}
