//! The `mtaudit` command: parses flags, calls the library, maps results to exit codes
//! (0 all passed, 1 an article failed the gate, 2 usage, config or input errors).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mtaudit::audit::{self, Auditor, BatchOptions};
use mtaudit::config::Config;
use mtaudit::langid::Lang;
use mtaudit::report::{human::HumanReport, json::JsonReport, jsonl::JsonLinesReport, Report};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mtaudit",
    version,
    about = "Audit machine-translated news before it is published"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit articles: files, directories (recursive), `-` for stdin, or JSON Lines.
    Audit(AuditArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A table of articles and the worst sentences (default on a terminal).
    Human,
    /// One JSON file per article under --out, plus summary.json.
    Json,
    /// One JSON object per article on standard output (default on a pipe).
    Jsonl,
}

#[derive(clap::Args)]
struct AuditArgs {
    /// Articles to audit: .txt/.md files, directories, .jsonl files, or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format; repeat for several.
    #[arg(long, value_enum)]
    format: Vec<Format>,
    /// Folder for per-article reports.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Language of every article (ISO code such as `de`), instead of identifying it.
    #[arg(long)]
    lang: Option<Lang>,
    /// Fail articles whose score is below SCORE (0–100).
    #[arg(long, value_name = "SCORE")]
    fail_under: Option<f64>,
    /// Fail articles with a larger share of broken sentences (0–1).
    #[arg(long, value_name = "RATIO")]
    max_broken_ratio: Option<f64>,
    /// Report gate failures but exit 0.
    #[arg(long)]
    exit_zero: bool,
    /// Configuration file (default: mtaudit.toml in the working directory or above).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Largest article accepted, in bytes.
    #[arg(long, default_value_t = mtaudit::input::DEFAULT_MAX_ARTICLE_BYTES)]
    max_article_bytes: usize,
    /// Threads for auditing (default: one per core).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Audit every article again, even when --out holds a valid report from an earlier run.
    #[arg(long)]
    force: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => run_audit(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mtaudit: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_audit(args: AuditArgs) -> Result<ExitCode> {
    let config_path = match &args.config {
        Some(path) => Some(path.clone()),
        None => {
            Config::discover(&std::env::current_dir().context("cannot read the working directory")?)
        }
    };
    let config = match &config_path {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let mut settings = config.resolve(config_path.as_deref().unwrap_or("mtaudit.toml".as_ref()))?;
    if args.fail_under.is_some() {
        settings.thresholds.fail_under = args.fail_under;
    }
    if args.max_broken_ratio.is_some() {
        settings.thresholds.max_broken_ratio = args.max_broken_ratio;
    }
    settings
        .thresholds
        .validate()
        .map_err(|e| anyhow::anyhow!("invalid gate option: {e}"))?;

    if let Some(jobs) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()
            .context("cannot start worker threads")?;
    }

    let formats = if args.format.is_empty() {
        vec![if std::io::stdout().is_terminal() {
            Format::Human
        } else {
            Format::Jsonl
        }]
    } else {
        args.format.clone()
    };
    let writes_json = formats.contains(&Format::Json);
    let mut reports: Vec<Box<dyn Report>> = Vec::new();
    for format in formats {
        reports.push(match format {
            Format::Human => Box::new(HumanReport::new(std::io::stdout())),
            Format::Json => Box::new(JsonReport::new(args.out.clone())),
            Format::Jsonl => Box::new(JsonLinesReport::new(std::io::stdout())),
        });
    }

    let (inputs, discovery_errors) = mtaudit::input::discover(&args.paths);
    let auditor = Auditor::new(settings, args.lang);
    let progress = progress_bar(args.quiet);
    let options = BatchOptions {
        max_article_bytes: args.max_article_bytes,
        reuse_from: (writes_json && !args.force).then(|| args.out.clone()),
    };
    let outcome = audit::run_batch(
        &inputs,
        discovery_errors,
        &auditor,
        &options,
        &mut reports,
        &progress,
    )?;

    for failure in &outcome.summary.input_errors {
        eprintln!("mtaudit: error: {}", failure.error);
    }
    Ok(if outcome.any_input_error() {
        ExitCode::from(2)
    } else if outcome.any_failed_gate() && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A bar on stderr when it is a terminal; hidden on a pipe or with `--quiet`.
fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{bar:30}] {pos}/{len} articles · {msg} · ETA {eta}",
        )
        .expect("valid progress template")
        .progress_chars("=> "),
    );
    bar
}
