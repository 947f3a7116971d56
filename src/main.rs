//! The `mtaudit` command: parses flags, calls the library, maps results to exit codes
//! (0 all passed, 1 an article failed the gate, 2 usage, config or input errors).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mtaudit::audit::batch::{self, BatchOptions};
use mtaudit::audit::stream::StreamOptions;
use mtaudit::audit::{self, Auditor, EarlierAudits};
use mtaudit::config::Config;
use mtaudit::data::{Lang, ModelInfo};
use mtaudit::lm::evidence::LmEvidence;
use mtaudit::lm::provision::{CacheState, ModelManifest, Provisioner, DEFAULT_MODEL};
use mtaudit::lm::qgemm::Kernel;
use mtaudit::lm::score_cache::ScoreCache;
use mtaudit::lm::{LanguageModel, LmDevice, ScoringOptions};
use mtaudit::report::html::HtmlReport;
use mtaudit::report::human::HumanReport;
use mtaudit::report::json::{JsonReport, JsonReportFolder};
use mtaudit::report::jsonl::JsonLinesReport;
use mtaudit::report::out_dir::OutputDir;
use mtaudit::report::Printers;
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
    /// Measure detection quality on labelled gold data (and fit the evidence combination).
    Eval(EvalArgs),
    /// Combine the JSON reports of several shards (`audit --shard K/N --format json`) into
    /// one folder with one summary.json (and index.html with --html).
    Merge(MergeArgs),
    /// Serve audits over HTTP: POST /v1/audit (the JSON report of each article), GET
    /// /healthz, /readyz and /metrics. The model is loaded once; see docs/openapi.json.
    Serve(ServeArgs),
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
    /// Re-hash the model (the cached file, or the one given with --model) and compare it
    /// with its manifest.
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
    #[arg(
        required_unless_present = "stdin_jsonl",
        conflicts_with = "stdin_jsonl"
    )]
    paths: Vec<PathBuf>,
    /// Read a stream of JSON Lines records from standard input and write one line per
    /// record to standard output, in input order and in bounded memory: the article's JSON
    /// report, or {"source", "error"} for a line that is not a valid article. Ids are kept
    /// as given. For pipelines (Spark's RDD.pipe, Hadoop streaming, shell pipes).
    #[arg(long, conflicts_with_all = ["html", "force"])]
    stdin_jsonl: bool,
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
    #[command(flatten)]
    gate: GateArgs,
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
    /// Audit only part K of N (K from 1 to N) of the articles, chosen by a hash of each
    /// article's id: N workers given the same inputs split them without coordination.
    #[arg(long, value_name = "K/N")]
    shard: Option<mtaudit::input::Shard>,
    /// Audit every article again, even when --out holds a valid report from an earlier run.
    #[arg(long)]
    force: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    lm: LmArgs,
}

/// Gate-policy flags, over the configuration file's `[gate]`.
#[derive(clap::Args)]
struct GateArgs {
    /// Fail articles whose probability of needing an editor is above P (0–1; 1 switches
    /// this part of the gate off). Default 0.8.
    #[arg(long, value_name = "P")]
    max_needs_editor: Option<f64>,
    /// Whether a critical finding fails an article (default: true).
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    fail_on_critical: Option<bool>,
    /// Fail articles whose score is below SCORE (0–100).
    #[arg(long, value_name = "SCORE")]
    fail_under: Option<f64>,
    /// Fail articles with a larger share of broken sentences (0–1).
    #[arg(long, value_name = "RATIO")]
    max_broken_ratio: Option<f64>,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on. Anything but a loopback address needs --token-file.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Port to listen on; 0 picks a free one (the address is printed on stderr).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// File holding a bearer token (surrounding whitespace ignored): every endpoint but
    /// /healthz then requires `Authorization: Bearer <token>`.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Largest request body, in bytes (larger: 413).
    #[arg(long, value_name = "BYTES", default_value_t = mtaudit::serve::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Most articles in one request (more: 413).
    #[arg(long, value_name = "N", default_value_t = mtaudit::serve::DEFAULT_MAX_ARTICLES)]
    max_articles: usize,
    /// Largest article text, in bytes (larger: 413).
    #[arg(long, value_name = "BYTES", default_value_t = mtaudit::input::DEFAULT_MAX_ARTICLE_BYTES)]
    max_article_bytes: usize,
    /// Most articles queued or being audited over all requests (a request that does not
    /// fit: 503 with Retry-After).
    #[arg(long, value_name = "N", default_value_t = mtaudit::serve::DEFAULT_MAX_QUEUE)]
    max_queue: usize,
    /// Longest a request may take, body upload and audits, in seconds (longer: 504).
    #[arg(long, value_name = "SECONDS", default_value_t = mtaudit::serve::DEFAULT_TIMEOUT_SECONDS)]
    timeout: f64,
    /// Language of every article (ISO code such as `de`), instead of identifying it.
    #[arg(long)]
    lang: Option<Lang>,
    #[command(flatten)]
    gate: GateArgs,
    /// Configuration file (default: mtaudit.toml in the working directory or above).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Threads for auditing (default: one per core).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    #[command(flatten)]
    lm: LmArgs,
}

#[derive(clap::Args)]
struct MergeArgs {
    /// Output folders of the shards (each holding summary.json).
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Folder for the combined reports.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Also write the HTML pages and index.html.
    #[arg(long)]
    html: bool,
    /// Report gate failures but exit 0.
    #[arg(long)]
    exit_zero: bool,
}

#[derive(clap::Args)]
struct LmArgs {
    /// Evidence-combination parameters (as written by `mtaudit eval --fit`) instead of
    /// the shipped models/combination.json.
    #[arg(long, value_name = "FILE")]
    combination: Option<PathBuf>,
    /// String heuristics only: no language model.
    #[arg(long)]
    no_lm: bool,
    /// Normalise the language model over its full vocabulary (slower; the default
    /// shortlist stays within 0.05 nats per token of it).
    #[arg(long)]
    exact: bool,
    /// Where the language model runs: cpu, cuda or cuda:N (needs a build with --features
    /// cuda). Default: the first GPU when this build has CUDA support and one is usable,
    /// else cpu.
    #[arg(long)]
    device: Option<LmDevice>,
    /// Integer kernel of default CPU scoring: auto (the fastest this CPU runs),
    /// avx512-vnni, avx-vnni, avx2 or scalar. The SIMD kernels give identical scores.
    #[arg(long, value_name = "KERNEL", default_value = "auto", env = "MTAUDIT_CPU_KERNEL",
          value_parser = Kernel::parse_available)]
    cpu_kernel: Kernel,
    #[command(flatten)]
    source: ModelSource,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Labelled gold data (JSON Lines, plain or gzipped): sentence items, or articles with
    /// `segments`; repeat for several. Sentences that are segments of a given article are
    /// judged in that article's context.
    #[arg(long, required = true, value_name = "FILE")]
    gold: Vec<PathBuf>,
    /// Field of a sentence record that holds its label (broken / ok / mid).
    #[arg(long, default_value = mtaudit::eval::gold::DEFAULT_LABEL_FIELD)]
    label: String,
    /// Audit only one article in N, picked by a hash of its key (the same on every run).
    #[arg(long, value_name = "N", default_value_t = 1)]
    sample: usize,
    /// Print the metrics as a table or as JSON.
    #[arg(long, value_enum, default_value = "table")]
    format: EvalFormat,
    /// Write one JSON line per item, {"id", "score" (probability broken), "verdict"}, then
    /// one per article, {"article", "needs_editor", "gate_passed", "features", and the gold}.
    #[arg(long, value_name = "FILE")]
    write_predictions: Option<PathBuf>,
    /// Fit the evidence combination on these items and write its parameters to FILE
    /// (e.g. models/combination.json); the metrics shown are then cross-validated by
    /// document.
    #[arg(long, value_name = "FILE")]
    fit: Option<PathBuf>,
    /// Configuration file (default: mtaudit.toml in the working directory or above).
    #[arg(long)]
    config: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    lm: LmArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EvalFormat {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => run_audit(args),
        Command::Eval(args) => run_eval(args),
        Command::Merge(args) => run_merge(args),
        Command::Serve(args) => run_serve(args),
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
    // Refused before the model loads, which may take a download.
    if args.stdin_jsonl && (args.html || args.format.iter().any(|f| *f != Format::Jsonl)) {
        anyhow::bail!("--stdin-jsonl writes JSON Lines only (--format jsonl)");
    }
    let settings = settings_with_gate(args.config.as_deref(), &args.gate)?;
    start_audit_threads(args.jobs)?;
    let mut auditor = Auditor::new(settings, args.lang);
    if let Some(path) = &args.lm.combination {
        auditor = auditor.with_combination(load_combination(path)?);
    }
    if !args.lm.no_lm {
        auditor = auditor.with_language_model(language_model(&args.lm, args.quiet)?);
    }
    if args.stdin_jsonl {
        run_audit_stream(&args, &auditor)
    } else {
        run_audit_batch(&args, &auditor)
    }
}

/// The configuration's settings with the gate flags applied over them.
fn settings_with_gate(
    config: Option<&std::path::Path>,
    gate: &GateArgs,
) -> Result<mtaudit::config::Resolved> {
    let mut settings = load_settings(config)?;
    let policy = &mut settings.gate_policy;
    if let Some(max) = gate.max_needs_editor {
        policy.max_needs_editor = max;
    }
    if let Some(fail) = gate.fail_on_critical {
        policy.fail_on_critical = fail;
    }
    if gate.fail_under.is_some() {
        policy.fail_under = gate.fail_under;
    }
    if gate.max_broken_ratio.is_some() {
        policy.max_broken_ratio = gate.max_broken_ratio;
    }
    policy
        .validate()
        .map_err(|e| anyhow::anyhow!("invalid gate option: {e}"))?;
    Ok(settings)
}

/// Sizes rayon's global pool, which audits run on, from `-j`.
fn start_audit_threads(jobs: Option<usize>) -> Result<()> {
    if let Some(jobs) = jobs {
        let cap = max_jobs();
        if jobs > cap {
            eprintln!(
                "mtaudit: warning: -j {jobs} capped to {cap} ({JOBS_PER_CORE} per core); \
                 more threads only add memory and switching"
            );
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.clamp(1, cap))
            .build_global()
            .context("cannot start worker threads")?;
    }
    Ok(())
}

fn run_audit_batch(args: &AuditArgs, auditor: &Auditor) -> Result<ExitCode> {
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
    // Held until the run ends: a second run on the same folder is refused meanwhile.
    let _out_dir = formats
        .iter()
        .any(|f| matches!(f, Format::Json | Format::Html))
        .then(|| OutputDir::claim(&args.out))
        .transpose()?;
    let mut printers = Printers::default();
    for format in formats {
        printers.0.push(match format {
            Format::Human => Box::new(HumanReport::new(std::io::stdout())),
            Format::Json => Box::new(JsonReport::new(args.out.clone())),
            Format::Jsonl => Box::new(JsonLinesReport::new(std::io::stdout())),
            Format::Html => Box::new(HtmlReport::new(args.out.clone())),
        });
    }

    let (inputs, discovery_errors) = mtaudit::input::discover(&args.paths);
    let progress = progress_bar(args.quiet);
    let earlier = (writes_json && !args.force).then(|| JsonReportFolder(args.out.clone()));
    let options = BatchOptions {
        max_article_bytes: args.max_article_bytes,
        earlier: earlier.as_ref().map(|e| e as &dyn EarlierAudits),
        shard: args.shard,
    };
    let summary = batch::run_batch(
        &inputs,
        discovery_errors,
        auditor,
        &options,
        &mut printers,
        &progress,
    )?;

    for failure in &summary.input_errors {
        eprintln!("mtaudit: error: {}", failure.error);
    }
    Ok(exit_code(
        summary.input_errors.len(),
        summary.failed_gate,
        args.exit_zero,
    ))
}

fn run_audit_stream(args: &AuditArgs, auditor: &Auditor) -> Result<ExitCode> {
    let options = StreamOptions {
        max_article_bytes: args.max_article_bytes,
        shard: args.shard,
        ..StreamOptions::default()
    };
    let totals = audit::stream::run_stream(
        std::io::stdin().lock(),
        "-",
        JsonLinesReport::new(std::io::stdout()),
        auditor,
        &options,
        &progress_spinner(args.quiet),
        &|error| eprintln!("mtaudit: error: {error}"),
    )?;
    Ok(exit_code(
        totals.input_errors,
        totals.failed_gate,
        args.exit_zero,
    ))
}

fn run_serve(args: ServeArgs) -> Result<ExitCode> {
    let settings = settings_with_gate(args.config.as_deref(), &args.gate)?;
    start_audit_threads(args.jobs)?;
    let token = match &args.token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the token file {}", path.display()))?,
        ),
        None => None,
    };
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let config = mtaudit::serve::ServeConfig {
        addr: std::net::SocketAddr::new(args.bind, args.port),
        token,
        limits: mtaudit::serve::Limits {
            max_body_bytes: args.max_body_bytes,
            max_articles: args.max_articles,
            max_article_bytes: args.max_article_bytes,
            max_queue: args.max_queue,
            timeout: std::time::Duration::from_secs_f64(args.timeout),
        },
    };
    let combination = args
        .lm
        .combination
        .as_deref()
        .map(load_combination)
        .transpose()?;
    // Runs while the server already answers /healthz and /readyz (503 until it is done).
    let prepare = move || -> Result<Auditor, mtaudit::serve::PrepareError> {
        let mut auditor = Auditor::new(settings, args.lang);
        if let Some(combination) = combination {
            auditor = auditor.with_combination(combination);
        }
        if !args.lm.no_lm {
            // The whole chain of causes, as the other commands print it.
            let lm = language_model(&args.lm, false).map_err(|e| format!("{e:#}"))?;
            auditor = auditor.with_language_model(lm);
        }
        Ok(auditor)
    };
    mtaudit::serve::serve(config, prepare)?;
    Ok(ExitCode::SUCCESS)
}

/// 2 when an input could not be read, else 1 when an article failed the gate (unless
/// `exit_zero`), else 0.
fn exit_code(input_errors: usize, failed_gate: usize, exit_zero: bool) -> ExitCode {
    if input_errors > 0 {
        ExitCode::from(2)
    } else if failed_gate > 0 && !exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_merge(args: MergeArgs) -> Result<ExitCode> {
    let _out_dir = OutputDir::claim(&args.out)?;
    let mut printers = Printers(vec![Box::new(JsonReport::new(args.out.clone()))]);
    if args.html {
        printers.0.push(Box::new(HtmlReport::new(args.out.clone())));
    }
    let summary = mtaudit::report::merge::merge(&args.dirs, &mut printers)?;
    eprintln!(
        "mtaudit: merged {} articles from {} shards into {} ({} failed the gate, {} input errors)",
        summary.articles,
        args.dirs.len(),
        args.out.display(),
        summary.failed_gate,
        summary.input_errors.len()
    );
    Ok(exit_code(
        summary.input_errors.len(),
        summary.failed_gate,
        args.exit_zero,
    ))
}

/// Audit threads allowed per core: the work is CPU-bound, so beyond a few per core more
/// threads only cost memory (each has its own stack and scratch buffers).
const JOBS_PER_CORE: usize = 4;

fn max_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores * JOBS_PER_CORE
}

/// The configuration from `explicit`, else `mtaudit.toml` found from the working
/// directory upward, else the defaults.
fn load_settings(explicit: Option<&std::path::Path>) -> Result<mtaudit::config::Resolved> {
    let config_path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => {
            Config::discover(&std::env::current_dir().context("cannot read the working directory")?)
        }
    };
    let config = match &config_path {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    Ok(config.resolve(config_path.as_deref().unwrap_or("mtaudit.toml".as_ref()))?)
}

fn load_combination(path: &std::path::Path) -> Result<mtaudit::scoring::combination::Combination> {
    let json =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    mtaudit::scoring::combination::Combination::parse(&json)
        .map_err(|e| anyhow::anyhow!("{}: invalid combination parameters: {e}", path.display()))
}

fn run_eval(args: EvalArgs) -> Result<ExitCode> {
    use mtaudit::eval::{self, gold, run, Evaluation};
    let files = args
        .gold
        .iter()
        .map(|path| gold::read_gold(path, &args.label))
        .collect::<Result<Vec<_>, _>>()?;
    let mut auditor = Auditor::new(load_settings(args.config.as_deref())?, None);
    if let Some(path) = &args.lm.combination {
        auditor = auditor.with_combination(load_combination(path)?);
    }
    let with_lm = !args.lm.no_lm;
    if with_lm {
        auditor = auditor.with_language_model(language_model(&args.lm, args.quiet)?);
    }
    let progress = progress_bar(args.quiet);
    let (items, articles) = run::evaluate(&files, &auditor, args.sample.max(1), &progress);
    if items.is_empty() && articles.is_empty() {
        anyhow::bail!("no gold items to evaluate (check --label and --sample)");
    }
    let model = auditor.combination().model(with_lm);
    let audited_estimates: Vec<f64> = articles.iter().map(|a| a.needs_editor).collect();
    let (scores, threshold, article_scores): (Vec<f64>, f64, Vec<f64>) = match &args.fit {
        None => (
            items.iter().map(|i| i.probability).collect(),
            model.broken,
            audited_estimates,
        ),
        Some(out) => {
            let command: Vec<String> = std::env::args().collect();
            let provenance = eval::output::provenance(&eval::output::FitRun {
                command: &command,
                gold: &args.gold,
                label: &args.label,
                sample_one_in: args.sample,
                items: items.len(),
            });
            let fitted = eval::fit_combination(&items, &articles, with_lm, provenance)
                .map_err(|e| anyhow::anyhow!("cannot fit the combination: {e}"))?;
            let json = serde_json::to_string_pretty(&fitted.combination)? + "\n";
            mtaudit::report::write_atomic(out, json.as_bytes())?;
            eprintln!(
                "mtaudit: wrote {} (metrics below are cross-validated)",
                out.display()
            );
            let article_scores = fitted.article_estimates.unwrap_or(audited_estimates);
            (fitted.cross_validated, fitted.threshold, article_scores)
        }
    };
    let evaluation = Evaluation::new(&items, &scores, threshold, &articles, &article_scores);
    if let Some(path) = &args.write_predictions {
        let sentence_model = auditor.combination().model(with_lm);
        let lines =
            eval::output::predictions(&items, &scores, &articles, &article_scores, sentence_model);
        mtaudit::report::write_atomic(path, lines.as_bytes())?;
    }
    match args.format {
        EvalFormat::Table => print!("{}", evaluation.render_table()),
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&evaluation)?),
    }
    Ok(ExitCode::SUCCESS)
}

fn default_manifest() -> Result<ModelManifest> {
    Ok(ModelManifest::find_builtin(DEFAULT_MODEL)?)
}

/// Resolves (fetching on first use) and loads the language model.
fn language_model(args: &LmArgs, quiet: bool) -> Result<LmEvidence> {
    let manifest = default_manifest()?;
    let provisioner = Provisioner::from_env()?
        .offline(args.source.offline)
        .quiet(quiet);
    let resolved = provisioner.resolve(args.source.model.as_deref(), &manifest)?;
    let device = args.device.unwrap_or_else(LmDevice::detect);
    let options = ScoringOptions {
        exact: args.exact,
        device,
        kernel: args.cpu_kernel,
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
        device: device.to_string(),
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
            let path = match &source.model {
                Some(path) => {
                    mtaudit::lm::provision::verify_file(path, &manifest)?;
                    path.clone()
                }
                None => provisioner.verify(&manifest)?,
            };
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

/// Progress of a stream, whose length is not known in advance.
fn progress_spinner(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {pos} articles · {per_sec}")
            .expect("valid progress template"),
    );
    spinner
}
