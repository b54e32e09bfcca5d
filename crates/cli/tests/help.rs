//! `--help` works for the command and every subcommand, found by walking the help texts.

use crate::alliance;

/// The subcommands listed under `Commands:` in a help text (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

fn help(path: &[String]) -> String {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let run = alliance(&args).ok();
    assert!(run.stdout.contains("Usage:"), "{args:?}: no usage line:\n{}", run.stdout);
    assert!(run.stderr.is_empty(), "{args:?} wrote to stderr:\n{}", run.stderr);
    run.stdout
}

#[test]
fn every_command_has_help() {
    let mut seen = Vec::new();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = queue.pop() {
        let text = help(&path);
        for sub in subcommands(&text) {
            let mut next = path.clone();
            next.push(sub);
            queue.push(next);
        }
        seen.push(path.join(" "));
    }
    for expected in ["", "serve", "demo", "user", "analyze", "analyze etr", "analyze ruptures"] {
        assert!(seen.iter().any(|s| s == expected), "no help for `{expected}`; saw {seen:?}");
    }
}

#[test]
fn analyze_help_names_the_options() {
    let etr = help(&["analyze".into(), "etr".into()]);
    for word in ["--input", "--model", "growth", "growth-ml", "intercept", "therapist"] {
        assert!(etr.contains(word), "analyze etr --help lacks {word}:\n{etr}");
    }
    let ruptures = help(&["analyze".into(), "ruptures".into()]);
    for word in ["--input", "--mode", "strict", "lenient"] {
        assert!(ruptures.contains(word), "analyze ruptures --help lacks {word}:\n{ruptures}");
    }
}

#[test]
fn version_is_printed() {
    let run = alliance(&["--version"]).ok();
    assert!(run.stdout.starts_with("alliance "), "{}", run.stdout);
}

#[test]
fn no_command_or_a_bad_option_is_a_usage_error() {
    for args in [&[][..], &["analyze", "etr"][..], &["analyze", "etr", "--input", "x.csv", "--model", "quadratic"][..]]
    {
        let run = alliance(args);
        assert!(!run.success, "{args:?} succeeded");
        assert!(run.stdout.is_empty(), "{args:?} printed on stdout");
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with("error:") || run.stderr.contains("Usage:"), "{args:?}: {}", run.stderr);
    }
}
