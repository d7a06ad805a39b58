//! `finml credit`: train, evaluate, predict and cross-validate credit models.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use finml_credit::TrainConfig;
use finml_credit::gbdt::Monotone;
use finml_credit::scorecard::DropReason;
use finml_credit::scorecard::ScorecardConfig;
use finml_credit::scorecard::binning::Monotonic;
use finml_credit::{
    CreditModel, CvReport, DataSource, DeepConfig, FoldResult, Metadata, ModelConfig, ModelKind,
    ModelSpec,
};
use finml_data::{ColumnKind, MissingTarget, ReadOptions, Schema, SchemaFile, SchemaRequest};
use finml_metrics::Summary;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Subcommand)]
pub enum CreditCommand {
    /// Train a model on labelled applications, measure it on a held-out share, save it
    Train(TrainArgs),
    /// Measure a saved model on a labelled file
    Evaluate(EvaluateArgs),
    /// Score every application in a file with a saved model
    Predict(PredictArgs),
    /// Cross-validate a model on fixed folds
    Cv(CvArgs),
    /// Print a scorecard model's table and export it as CSV, JSON or SQL
    Scorecard(ScorecardArgs),
    /// Cross-validate several models on the same folds and compare them
    Compare(CompareArgs),
}

#[derive(Args)]
pub struct InputArgs {
    /// CSV (with a header row) or Parquet file of applications
    #[arg(long)]
    data: PathBuf,
    /// Field delimiter of a CSV file: one character, or `tab`
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    delimiter: u8,
    /// Leave out (and count) rows whose target is missing instead of stopping with an error
    #[arg(long)]
    skip_missing_target: bool,
}

impl InputArgs {
    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            delimiter: self.delimiter,
        }
    }

    fn missing_target(&self) -> MissingTarget {
        if self.skip_missing_target {
            MissingTarget::Skip
        } else {
            MissingTarget::Error
        }
    }
}

#[derive(Args)]
pub struct LabelArgs {
    /// The target column (1/bad/the --positive value = default)
    #[arg(long)]
    target: Option<String>,
    /// The target value that means default ("bad")
    #[arg(long)]
    positive: Option<String>,
    /// Schema file (TOML): types, target, positive value, ID column, ignored columns
    #[arg(long)]
    schema: Option<PathBuf>,
}

#[derive(Args)]
pub struct ModelArgs {
    /// The model to fit
    #[arg(long, default_value = "seed-cnn", value_parser = parse_model)]
    model: ModelKind,
    #[command(flatten)]
    fit: FitArgs,
}

/// How any model is fitted: seed, training options and each family's settings.
#[derive(Args)]
pub struct FitArgs {
    /// Seed of the weights, the shuffling and the train/test split
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Training epochs of seed-cnn (default 10); the most that mlp and ft-transformer may run
    /// before early stopping (default 100)
    #[arg(long)]
    epochs: Option<usize>,
    /// Rows per batch (seed-cnn 32, mlp and ft-transformer 64)
    #[arg(long)]
    batch_size: Option<usize>,
    /// Adam's learning rate (seed-cnn 0.001; the peak of the deep models' cosine schedule,
    /// 0.001)
    #[arg(long)]
    learning_rate: Option<f64>,
    /// Worker threads (results are identical for any count)
    #[arg(long)]
    threads: Option<usize>,
    /// No progress bar
    #[arg(long)]
    quiet: bool,
    /// Candidate C (inverse L2 strength) of `--model logistic`, chosen by inner CV; one value
    /// fixes it
    #[arg(long, value_delimiter = ',')]
    c_grid: Option<Vec<f64>>,
    #[command(flatten)]
    scorecard: ScorecardOptions,
    /// Monotone constraint of `--model gbdt` on a numeric column: COLUMN=+ (the probability of
    /// default may only rise with it) or COLUMN=- (only fall); repeatable
    #[arg(long = "monotone", value_parser = parse_monotone)]
    monotone: Vec<Monotone>,
    /// Members of `--model ensemble`, comma-separated (from logistic, scorecard, gbdt, mlp,
    /// ft-transformer)
    #[arg(long, value_delimiter = ',', value_parser = parse_model)]
    members: Option<Vec<ModelKind>>,
    #[command(flatten)]
    deep: DeepOptions,
}

/// How `--model mlp` and `--model ft-transformer` train; `--epochs`, `--batch-size` and
/// `--learning-rate` set their epoch budget, batch and peak rate.
#[derive(Args)]
pub struct DeepOptions {
    /// Networks trained from different seeds and averaged (mlp, ft-transformer; default 1)
    #[arg(long)]
    ensemble: Option<usize>,
    /// AdamW's decoupled weight decay (mlp, ft-transformer; default 0.01)
    #[arg(long)]
    weight_decay: Option<f32>,
    /// Share of hidden units dropped in training (mlp 0.2, ft-transformer 0.1)
    #[arg(long)]
    dropout: Option<f64>,
    /// Epochs without a better validation AUC before training stops (mlp, ft-transformer;
    /// default 12)
    #[arg(long)]
    patience: Option<usize>,
}

/// How `--model scorecard` bins, selects and scales.
#[derive(Args)]
pub struct ScorecardOptions {
    /// Event-rate trend of numeric bins: auto, ascending, descending or none
    #[arg(long, default_value = "auto")]
    monotonic: Monotonic,
    /// Smallest share of training rows in a bin
    #[arg(long, default_value_t = 0.05)]
    min_bin_share: f64,
    /// Leave out columns whose information value is below this
    #[arg(long, default_value_t = 0.02)]
    min_iv: f64,
    /// A numeric code that is not a magnitude (e.g. -9999), binned on its own; repeatable
    #[arg(long = "special-value", allow_hyphen_values = true)]
    special_values: Vec<f64>,
    /// Points that double the odds of being good
    #[arg(long, default_value_t = 20.0)]
    pdo: f64,
    /// The score at which the odds of being good are --base-odds to 1
    #[arg(long, default_value_t = 600.0)]
    base_score: f64,
    #[arg(long, default_value_t = 50.0)]
    base_odds: f64,
}

#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    labels: LabelArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// Share of rows held out (stratified) to measure the model
    #[arg(long, default_value_t = 0.2)]
    test_fraction: f64,
    /// Directory to write the model package to
    #[arg(long)]
    out: PathBuf,
    /// Print one JSON object: the package's directory, the schema decided and the metadata
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct EvaluateArgs {
    /// Model package written by `finml credit train`
    #[arg(long)]
    model: PathBuf,
    #[command(flatten)]
    input: InputArgs,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct PredictArgs {
    #[arg(long)]
    model: PathBuf,
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    delimiter: u8,
    /// CSV to write: the ID (or row number) and the probability of default of each row;
    /// without it, the CSV goes to standard output
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
pub struct ScorecardArgs {
    /// Model package of a scorecard (`finml credit train --model scorecard`)
    #[arg(long)]
    model: PathBuf,
    /// Write the table as CSV
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Write the table and the scaling as JSON
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a SQL expression computing each row's total points
    #[arg(long)]
    sql: Option<PathBuf>,
}

#[derive(Args)]
pub struct CompareArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    labels: LabelArgs,
    /// The models to compare, comma-separated (e.g. seed-cnn,logistic,scorecard)
    #[arg(long, value_delimiter = ',', value_parser = parse_model, required = true)]
    models: Vec<ModelKind>,
    #[command(flatten)]
    fit: FitArgs,
    /// CSV with columns `row,fold` (0-based data row, fold id)
    #[arg(long)]
    folds: PathBuf,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct CvArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    labels: LabelArgs,
    #[command(flatten)]
    model: ModelArgs,
    /// CSV with columns `row,fold` (0-based data row, fold id)
    #[arg(long)]
    folds: PathBuf,
    #[arg(long)]
    json: bool,
}

pub fn run(command: CreditCommand) -> Result<()> {
    match command {
        CreditCommand::Train(args) => train(args),
        CreditCommand::Evaluate(args) => evaluate(args),
        CreditCommand::Predict(args) => predict(args),
        CreditCommand::Cv(args) => cv(args),
        CreditCommand::Scorecard(args) => scorecard(args),
        CreditCommand::Compare(args) => compare(args),
    }
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(format!(
            "expected one ASCII character or `tab`, not '{text}'"
        )),
    }
}

fn parse_model(text: &str) -> Result<ModelKind, String> {
    text.parse()
        .map_err(|e: finml_credit::CreditError| e.to_string())
}

fn source<'a>(input: &'a InputArgs, labels: &LabelArgs) -> Result<DataSource<'a>> {
    let file = match &labels.schema {
        Some(path) => SchemaFile::read(path)?,
        None => SchemaFile::default(),
    };
    Ok(DataSource {
        path: &input.data,
        read: input.read_options(),
        schema: SchemaRequest {
            target: labels.target.clone(),
            positive: labels.positive.clone(),
            file,
        },
        missing_target: input.missing_target(),
    })
}

fn parse_monotone(text: &str) -> Result<Monotone, String> {
    text.parse()
        .map_err(|e: finml_credit::CreditError| e.to_string())
}

/// The options on the command line as a model's settings. Each option applies wherever its
/// family is fitted, alone or as an ensemble member; the schema file's special values join
/// any given with `--special-value`.
fn spec(kind: ModelKind, args: &FitArgs, source: &DataSource<'_>) -> ModelSpec {
    let mut config = ModelConfig::new(kind);
    if let (ModelConfig::Ensemble(blend), Some(members)) = (&mut config, &args.members) {
        blend.members = members.iter().map(|&k| ModelConfig::new(k)).collect();
    }
    config.for_each_mut(&mut |family| apply(args, source, family));
    ModelSpec {
        seed: args.seed,
        config,
    }
}

fn apply(args: &FitArgs, source: &DataSource<'_>, config: &mut ModelConfig) {
    match config {
        ModelConfig::SeedCnn(settings) => apply_training(args, &mut settings.training),
        ModelConfig::Logistic(logistic) => {
            if let Some(grid) = &args.c_grid {
                logistic.c_grid = grid.clone();
            }
        }
        ModelConfig::Scorecard(card) => apply_scorecard(&args.scorecard, source, card),
        ModelConfig::Gbdt(gbdt) => gbdt.monotone = args.monotone.clone(),
        ModelConfig::Ensemble(_) => {}
        ModelConfig::Mlp(deep) => {
            apply_deep(args, deep);
            deep.network.dropout = args.deep.dropout.unwrap_or(deep.network.dropout);
        }
        ModelConfig::FtTransformer(deep) => {
            apply_deep(args, deep);
            deep.network.dropout = args.deep.dropout.unwrap_or(deep.network.dropout);
        }
    }
}

fn apply_training(args: &FitArgs, training: &mut TrainConfig) {
    // Fitting uses the model's seed; kept equal here so that the stored settings agree.
    training.seed = args.seed;
    training.epochs = args.epochs.unwrap_or(training.epochs);
    training.batch_size = args.batch_size.unwrap_or(training.batch_size);
    training.learning_rate = args.learning_rate.unwrap_or(training.learning_rate);
}

fn apply_deep<A>(args: &FitArgs, deep: &mut DeepConfig<A>) {
    apply_training(args, &mut deep.training);
    let options = &args.deep;
    deep.members = options.ensemble.unwrap_or(deep.members);
    deep.training.weight_decay = options.weight_decay.unwrap_or(deep.training.weight_decay);
    deep.patience = options.patience.unwrap_or(deep.patience);
}

fn apply_scorecard(
    options: &ScorecardOptions,
    source: &DataSource<'_>,
    card: &mut ScorecardConfig,
) {
    card.monotonic = options.monotonic;
    card.min_bin_share = options.min_bin_share;
    card.min_iv = options.min_iv;
    card.special_values = options.special_values.clone();
    card.special_values
        .extend(&source.schema.file.special_values);
    card.special_values.sort_by(f64::total_cmp);
    card.special_values.dedup();
    card.pdo = options.pdo;
    card.base_score = options.base_score;
    card.base_odds = options.base_odds;
}

/// Two threads use both cores of the shards the trainer cuts each batch into; more add nothing.
pub fn threads(requested: Option<usize>) -> Result<usize> {
    match requested {
        Some(0) => bail!("--threads must be at least 1"),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get().min(2))),
    }
}

fn train(args: TrainArgs) -> Result<()> {
    let source = source(&args.input, &args.labels)?;
    let spec = spec(args.model.model, &args.model.fit, &source);
    let threads = threads(args.model.fit.threads)?;
    let (model, metadata) = train_with_progress(
        &source,
        &spec,
        args.test_fraction,
        threads,
        args.model.fit.quiet || args.json,
    )?;
    let metadata = model.save(&args.out, &metadata)?;
    if args.json {
        let report = serde_json::json!({
            "package": args.out,
            "schema": model.schema,
            "metadata": metadata,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    print_schema(&model.schema);
    print_training(&metadata);
    println!("model package: {}", args.out.display());
    Ok(())
}

/// Trains, showing epoch, batch, loss and time left unless `quiet`.
pub fn train_with_progress(
    source: &DataSource<'_>,
    spec: &ModelSpec,
    test_fraction: f64,
    threads: usize,
    quiet: bool,
) -> Result<(CreditModel, Metadata)> {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} epoch {msg} [{elapsed} < {eta}]")
            .expect("a valid template"),
    );
    let result = finml_credit::train(source, spec, test_fraction, threads, &mut |p| {
        bar.set_length((p.epochs * p.batches) as u64);
        bar.set_position(((p.epoch - 1) * p.batches + p.batch) as u64);
        bar.set_message(format!(
            "{}/{} batch {}/{} loss {:.4}",
            p.epoch, p.epochs, p.batch, p.batches, p.loss
        ));
    });
    bar.finish_and_clear();
    Ok(result?)
}

/// What was decided about each column, so that a column read with the wrong type is seen.
fn print_schema(schema: &Schema) {
    let target = &schema.target;
    println!(
        "target '{}' (default = '{}', else '{}'){}",
        target.column,
        target.positive,
        target.negative,
        schema
            .id
            .as_ref()
            .map_or(String::new(), |id| format!("; ID column '{id}'"))
    );
    for kind in [ColumnKind::Numeric, ColumnKind::Categorical] {
        let names: Vec<&str> = schema
            .features
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.name.as_str())
            .collect();
        println!("{} {kind}: {}", names.len(), names.join(", "));
    }
}

pub fn print_training(metadata: &Metadata) {
    let data = &metadata.data;
    println!(
        "{} trained on {} rows of {} in {:.1} s ({} held out for testing)",
        metadata.model.kind(),
        data.train_rows,
        data.file,
        metadata.fit_seconds,
        data.test_rows
    );
    if data.rows_skipped_missing_target > 0 {
        println!(
            "{} rows left out: missing target",
            data.rows_skipped_missing_target
        );
    }
    let rows: Vec<(&str, &Summary)> = [
        ("train", &metadata.train_metrics),
        ("test", &metadata.test_metrics),
    ]
    .into_iter()
    .filter_map(|(name, m)| m.as_ref().map(|m| (name, m)))
    .collect();
    print_summaries(&rows);
}

fn print_summaries(rows: &[(&str, &Summary)]) {
    println!(
        "{:<8} {:>6} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8}",
        "", "rows", "AUC", "KS", "Gini", "Brier", "LogLoss", "Accuracy"
    );
    for (name, s) in rows {
        println!(
            "{name:<8} {:>6} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>8.4} {:>8.4}",
            s.rows, s.auc, s.ks, s.gini, s.brier, s.log_loss, s.accuracy
        );
    }
}

fn load(dir: &Path) -> Result<CreditModel> {
    Ok(CreditModel::load(dir)?.0)
}

fn evaluate(args: EvaluateArgs) -> Result<()> {
    let model = load(&args.model)?;
    let evaluation = finml_credit::evaluate(
        &model,
        &args.input.data,
        args.input.read_options(),
        args.input.missing_target(),
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
        return Ok(());
    }
    print_summaries(&[("data", &evaluation.summary)]);
    let c = &evaluation.summary.confusion;
    println!(
        "at threshold {}: {} true positives, {} false positives, {} true negatives, {} false negatives",
        evaluation.summary.threshold,
        c.true_positive,
        c.false_positive,
        c.true_negative,
        c.false_negative
    );
    if evaluation.skipped_missing_target > 0 {
        println!(
            "{} rows left out: missing target",
            evaluation.skipped_missing_target
        );
    }
    Ok(())
}

fn predict(args: PredictArgs) -> Result<()> {
    let model = load(&args.model)?;
    let scores = finml_credit::predict(
        &model,
        &args.data,
        ReadOptions {
            delimiter: args.delimiter,
        },
    )?;
    let Some(out) = &args.out else {
        return Ok(scores.write_csv(std::io::stdout().lock())?);
    };
    std::fs::File::create(out)
        .map_err(anyhow::Error::from)
        .and_then(|file| Ok(scores.write_csv(std::io::BufWriter::new(file))?))
        .with_context(|| format!("{}: cannot write the scores", out.display()))?;
    println!(
        "{} scores written to {}",
        scores.probabilities.len(),
        out.display()
    );
    Ok(())
}

fn cv(args: CvArgs) -> Result<()> {
    let source = source(&args.input, &args.labels)?;
    let spec = spec(args.model.model, &args.model.fit, &source);
    let threads = threads(args.model.fit.threads)?;
    let quiet = args.model.fit.quiet || args.json;
    if !quiet {
        println!(
            "{:<6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8}",
            "fold", "rows", "AUC", "KS", "Gini", "Brier", "LogLoss", "Accuracy", "fit s"
        );
    }
    let report = finml_credit::cross_validate(&source, &args.folds, &spec, threads, &mut |fold| {
        if !quiet {
            print_fold(&fold.fold.to_string(), Some(fold.rows), fold);
        }
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_cv_summary(&report);
    }
    Ok(())
}

fn print_fold(label: &str, rows: Option<usize>, fold: &FoldResult) {
    let m = &fold.metrics;
    let rows = rows.map_or(String::new(), |r| r.to_string());
    println!(
        "{label:<6} {rows:>6} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>8.4} {:>8.4} {:>8.1}",
        m.auc, m.ks, m.gini, m.brier, m.log_loss, m.accuracy, m.fit_seconds
    );
}

fn print_cv_summary(report: &CvReport) {
    let (m, s) = (&report.mean, &report.std);
    println!(
        "{}: mean ± std over {} folds",
        report.model,
        report.folds.len()
    );
    let lines = [
        ("AUC", m.auc, s.auc),
        ("KS", m.ks, s.ks),
        ("Gini", m.gini, s.gini),
        ("Brier", m.brier, s.brier),
        ("LogLoss", m.log_loss, s.log_loss),
        ("Accuracy", m.accuracy, s.accuracy),
        ("fit s", m.fit_seconds, s.fit_seconds),
    ];
    for (name, mean, std) in lines {
        println!("  {name:<9} {mean:.4} ± {std:.4}");
    }
}

fn scorecard(args: ScorecardArgs) -> Result<()> {
    let model = load(&args.model)?;
    let Some(card) = model.scorecard() else {
        bail!(
            "{}: a {} model, not a scorecard (train one with --model scorecard)",
            args.model.display(),
            model.spec.kind()
        );
    };
    println!(
        "{:<32} {:<40} {:>6} {:>8} {:>8} {:>7} {:>9}",
        "variable", "bin", "count", "bad rate", "WoE", "IV", "points"
    );
    for r in card.table() {
        println!(
            "{:<32} {:<40} {:>6} {:>8.4} {:>8.4} {:>7.4} {:>9.4}",
            r.variable, r.bin, r.count, r.bad_rate, r.woe, r.iv, r.points
        );
    }
    println!(
        "score = sum of points; probability of default = 1 / (1 + exp((score - {:.4}) / {:.4}))",
        card.offset, card.factor
    );
    for d in &card.dropped {
        let why = match d.reason {
            DropReason::LowIv => "information value below --min-iv",
            DropReason::WrongSign => "its coefficient ran against its WoE",
        };
        println!("left out: {} (IV {:.4}): {why}", d.column, d.iv);
    }
    let exports = [
        (&args.csv, card.to_csv()),
        (&args.json, card.to_json()? + "\n"),
        (&args.sql, card.to_sql() + "\n"),
    ];
    for (path, text) in exports {
        if let Some(path) = path {
            std::fs::write(path, text)
                .with_context(|| format!("{}: cannot write the scorecard", path.display()))?;
            println!("written: {}", path.display());
        }
    }
    Ok(())
}

fn compare(args: CompareArgs) -> Result<()> {
    let source = source(&args.input, &args.labels)?;
    let specs: Vec<ModelSpec> = args
        .models
        .iter()
        .map(|&k| spec(k, &args.fit, &source))
        .collect();
    let threads = threads(args.fit.threads)?;
    let quiet = args.fit.quiet || args.json;
    let comparison = finml_credit::compare(&source, &args.folds, &specs, threads, &mut |r| {
        if !quiet {
            eprintln!(
                "{}: done ({:.1} s)",
                r.model,
                r.mean.fit_seconds * r.folds.len() as f64
            );
        }
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&comparison)?);
        return Ok(());
    }
    print_comparison(&comparison);
    Ok(())
}

fn print_comparison(c: &finml_credit::Comparison) {
    println!(
        "{:<2}{:<12} {:>7} {:>7} {:>7} {:>7} {:>8} {:>9} {:>9}",
        "", "model", "AUC", "KS", "Gini", "Brier", "LogLoss", "fit s", "AUC std"
    );
    for r in &c.reports {
        let m = &r.mean;
        let mark = if r.model == c.best { "*" } else { "" };
        println!(
            "{mark:<2}{:<12} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>8.4} {:>9.3} {:>9.4}",
            r.model, m.auc, m.ks, m.gini, m.brier, m.log_loss, m.fit_seconds, r.std.auc
        );
    }
    println!("* best mean AUC; fit s is the mean per fold");
    println!(
        "\nper-fold AUC difference against {} (model - best):",
        c.best
    );
    for p in c.paired.iter().filter(|p| p.model != c.best) {
        let folds: Vec<String> = p
            .auc_differences
            .iter()
            .map(|d| format!("{d:+.4}"))
            .collect();
        println!(
            "  {:<12} {}  mean {:+.4}, better on {} of {} folds; Brier mean {:+.4}",
            p.model,
            folds.join(" "),
            p.mean_auc_difference,
            p.folds_better,
            folds.len(),
            p.mean_brier_difference
        );
    }
}
