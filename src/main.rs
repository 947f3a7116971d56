//! The `mtaudit` command: parses flags, calls the library, maps results to exit codes
//! (0 all passed, 1 an article failed the gate, 2 usage, config or input errors).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mtaudit::audit::result::ModelInfo;
use mtaudit::audit::{self, Auditor, BatchOptions, LmEvidence};
use mtaudit::config::Config;
use mtaudit::langid::Lang;
use mtaudit::lm::provision::{CacheState, ModelManifest, Provisioner, DEFAULT_MODEL};
use mtaudit::lm::score_cache::ScoreCache;
use mtaudit::lm::{LanguageModel, LmDevice, ScoringOptions};
use mtaudit::report::{
    html::HtmlReport, human::HumanReport, json::JsonReport, jsonl::JsonLinesReport, Report,
};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

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
    /// Manage the language model file.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
        #[command(flatten)]
        source: ModelSource,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Download the model into the cache (verifying its SHA-256) unless it is there.
    Fetch,
    /// List the known models and whether they are cached.
    List,
    /// Re-hash the cached model and compare it with its manifest.
    Verify,
    /// Print the path of the model file that `audit` would use.
    Path,
}

#[derive(clap::Args, Clone)]
struct ModelSource {
    /// Model file (GGUF) to use instead of the cache.
    #[arg(long, env = "MTAUDIT_MODEL", global = true)]
    model: Option<PathBuf>,
    /// Never use the network; fail if the model is not cached.
    #[arg(long, global = true)]
    offline: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A table of articles and the worst sentences (default on a terminal).
    Human,
    /// One JSON file per article under --out, plus summary.json.
    Json,
    /// One JSON object per article on standard output (default on a pipe).
    Jsonl,
    /// One self-contained page per article under --out, plus index.html.
    Html,
}

#[derive(clap::Args)]
struct AuditArgs {
    /// Articles to audit: .txt/.md files, directories, .jsonl files, or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format; repeat for several.
    #[arg(long, value_enum)]
    format: Vec<Format>,
    /// Also write HTML reports (same as --format html).
    #[arg(long)]
    html: bool,
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
    /// String heuristics only: no language model.
    #[arg(long)]
    no_lm: bool,
    /// Normalise the language model over its full vocabulary (slower; the default
    /// shortlist stays within 0.05 nats per token of it).
    #[arg(long)]
    exact: bool,
    /// Where the language model runs: cpu, cuda or cuda:N (needs a build with --features cuda).
    #[arg(long, default_value = "cpu")]
    device: LmDevice,
    #[command(flatten)]
    source: ModelSource,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => run_audit(args),
        Command::Model { command, source } => run_model(command, &source),
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

    let mut formats = args.format.clone();
    if formats.is_empty() {
        formats.push(if std::io::stdout().is_terminal() {
            Format::Human
        } else {
            Format::Jsonl
        });
    }
    if args.html && !formats.contains(&Format::Html) {
        formats.push(Format::Html);
    }
    let writes_json = formats.contains(&Format::Json);
    let mut reports: Vec<Box<dyn Report>> = Vec::new();
    for format in formats {
        reports.push(match format {
            Format::Human => Box::new(HumanReport::new(std::io::stdout())),
            Format::Json => Box::new(JsonReport::new(args.out.clone())),
            Format::Jsonl => Box::new(JsonLinesReport::new(std::io::stdout())),
            Format::Html => Box::new(HtmlReport::new(args.out.clone())),
        });
    }

    let (inputs, discovery_errors) = mtaudit::input::discover(&args.paths);
    let mut auditor = Auditor::new(settings, args.lang);
    if !args.no_lm {
        auditor = auditor.with_language_model(language_model(&args)?);
    }
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

fn default_manifest() -> Result<ModelManifest> {
    Ok(ModelManifest::find_builtin(DEFAULT_MODEL)?)
}

/// Resolves (fetching on first use) and loads the language model.
fn language_model(args: &AuditArgs) -> Result<LmEvidence> {
    let manifest = default_manifest()?;
    let provisioner = Provisioner::from_env()?
        .offline(args.source.offline)
        .quiet(args.quiet);
    let resolved = provisioner.resolve(args.source.model.as_deref(), &manifest)?;
    let options = ScoringOptions {
        exact: args.exact,
        device: args.device,
        ..ScoringOptions::default()
    };
    let model = LanguageModel::load(&resolved.path, options)
        .with_context(|| format!("cannot load the language model {}", resolved.path.display()))?;
    let sha256 = match resolved.sha256 {
        Some(hash) => hash,
        None => model.model_sha256()?,
    };
    let name = resolved
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(manifest.file);
    let info = ModelInfo {
        name,
        sha256,
        exact: args.exact,
    };
    // Without a cache folder every run scores again; that is slower, not wrong.
    let cache = ScoreCache::from_env().ok();
    Ok(LmEvidence {
        model: Arc::new(model),
        info,
        cache,
    })
}

fn run_model(command: ModelCommand, source: &ModelSource) -> Result<ExitCode> {
    let manifest = default_manifest()?;
    let provisioner = Provisioner::from_env()?.offline(source.offline);
    match command {
        ModelCommand::Fetch => {
            let resolved = provisioner.fetch(&manifest)?;
            println!("{}", resolved.path.display());
        }
        ModelCommand::Path => {
            let resolved = provisioner.locate(source.model.as_deref(), &manifest)?;
            println!("{}", resolved.path.display());
        }
        ModelCommand::Verify => {
            let path = provisioner.verify(&manifest)?;
            println!("{}: SHA-256 matches {}", path.display(), manifest.sha256);
        }
        ModelCommand::List => {
            for manifest in ModelManifest::builtin()? {
                let status = provisioner.status(&manifest);
                let state = match status.state {
                    CacheState::Present => "cached".to_string(),
                    CacheState::Missing => "not cached".to_string(),
                    CacheState::WrongSize { actual } => format!("damaged ({actual} bytes)"),
                };
                println!(
                    "{}\t{} bytes\t{}\t{}",
                    status.file,
                    status.size,
                    state,
                    status.path.display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
