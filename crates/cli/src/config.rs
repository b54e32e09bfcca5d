//! The configuration file of `alliance serve`. Its keys are the long names of `serve`'s options (`bind`,
//! `database`, `secure-cookies`, ...), so there is one list of settings, documented once by `--help`. A setting
//! given on the command line wins over the environment, which wins over the file, which wins over the default:
//! the file is read first and supplies only what neither of the others did.

use std::ffi::OsString;
use std::path::Path;

use anyhow::{Context, bail};
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Command};

/// A configuration file is a page of settings; anything larger is a mistake.
const MAX_CONFIG_BYTES: u64 = 64 * 1024;

/// Where the value of a `serve` option came from, for `serve --check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    CommandLine,
    Environment,
    File,
    Default,
}

/// The arguments with the configuration file's settings added, and which options the file supplied.
pub struct Expanded {
    pub args: Vec<OsString>,
    pub from_file: Vec<String>,
}

/// Adds the settings of `serve --config FILE` (or `ALLIANCE_CONFIG`) that the command line and environment
/// leave open. Other commands pass through untouched.
pub fn expand(command: &Command, args: Vec<OsString>) -> anyhow::Result<Expanded> {
    let untouched = |args| Ok(Expanded { args, from_file: Vec::new() });
    // Parsing errors are clap's to report, with its usage text, in the real parse that follows.
    let Ok(matches) = command.clone().try_get_matches_from(&args) else { return untouched(args) };
    let Some(("serve", serve)) = matches.subcommand() else { return untouched(args) };
    let Some(path) = serve.get_one::<std::path::PathBuf>("config") else { return untouched(args) };
    let Some(serve_command) = command.find_subcommand("serve") else { return untouched(args) };
    let table = read(path)?;
    let mut extra = Vec::new();
    let mut from_file = Vec::new();
    for (key, value) in &table {
        let arg = serve_command
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()) && key != "config")
            .with_context(|| {
                format!(
                    "{}: unknown setting `{key}`; the settings are the long options of `alliance serve --help`",
                    path.display()
                )
            })?;
        if matches!(
            serve.value_source(arg.get_id().as_str()),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        ) {
            continue;
        }
        let flag = matches!(arg.get_action(), ArgAction::SetTrue);
        match (value, flag) {
            (toml::Value::Boolean(on), true) => {
                if *on {
                    extra.push(OsString::from(format!("--{key}")));
                }
            }
            (_, true) => bail!("{}: `{key}` is true or false", path.display()),
            (toml::Value::String(s), false) => extra.push(OsString::from(format!("--{key}={s}"))),
            (toml::Value::Integer(n), false) => extra.push(OsString::from(format!("--{key}={n}"))),
            (toml::Value::Float(x), false) => extra.push(OsString::from(format!("--{key}={x}"))),
            (toml::Value::Boolean(b), false) => extra.push(OsString::from(format!("--{key}={b}"))),
            _ => bail!("{}: `{key}` must be a string, a number or true/false", path.display()),
        }
        from_file.push(arg.get_id().to_string());
    }
    // The file's settings go right after the subcommand: the command line keeps the last word either way.
    let at = args.iter().position(|a| a == "serve").map_or(args.len(), |i| i + 1);
    let mut expanded = args;
    expanded.splice(at..at, extra);
    Ok(Expanded { args: expanded, from_file })
}

/// The text setting `key` of the configuration file at `path` (as `serve --config` reads it), if it has one.
pub fn text_setting(path: &Path, key: &str) -> anyhow::Result<Option<String>> {
    match read(path)?.get(key) {
        None => Ok(None),
        Some(toml::Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => bail!("{}: `{key}` must be a string", path.display()),
    }
}

fn read(path: &Path) -> anyhow::Result<toml::Table> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        bail!("{} is not a file", path.display());
    }
    if meta.len() > MAX_CONFIG_BYTES {
        bail!("{}: larger than {MAX_CONFIG_BYTES} bytes; is this the right file?", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        // toml's message spans several lines with a caret; one line with the position is enough here.
        let at = e.span().map(|s| line_of(&text, s.start)).map_or(String::new(), |l| format!(" (line {l})"));
        anyhow::anyhow!("{}: not valid TOML{at}: {}", path.display(), e.message())
    })?;
    warn_if_shared(path, &table, &meta);
    Ok(table)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |before| before.matches('\n').count() + 1)
}

/// A database or SMTP URL may carry a password; say so when others can read the file.
fn warn_if_shared(path: &Path, table: &toml::Table, meta: &std::fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let secrets = ["database", "smtp-url", "sms-webhook-token"].iter().any(|k| table.contains_key(*k));
        if secrets && meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(file = %path.display(), "the configuration names a database, a mail server or a webhook token and other users can read it; consider chmod 600");
        }
    }
}

/// Where each option's value came from.
pub fn source(matches: &ArgMatches, id: &str, from_file: &[String]) -> Source {
    match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => Source::Environment,
        Some(ValueSource::CommandLine) if from_file.iter().any(|f| f == id) => Source::File,
        Some(ValueSource::CommandLine) => Source::CommandLine,
        _ => Source::Default,
    }
}
