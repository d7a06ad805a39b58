//! `finml assist`: customer-service messages: redaction, and intent classifiers that route a
//! message or hand it to a person.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use finml_assist::{
    Classifier, EmbeddingMethod, EmbeddingModel, Evaluation, Example, IntentModel, IntentSpec,
    Scored, TrainOptions, TransformerConfig, read_examples, redact,
};
use serde::Serialize;

use crate::assist_embed::{self, EmbedArgs};
use crate::assist_faq::{self, AskArgs, IndexArgs};

#[derive(Subcommand)]
pub enum AssistCommand {
    /// Train an intent classifier on labelled messages (text<TAB>intent) and save it
    Train(TrainArgs),
    /// Measure a saved classifier on labelled messages: accuracy, macro-F1, out-of-scope
    /// precision and recall at the hand-off threshold
    Eval(EvalArgs),
    /// Route one message: its intent and probability, or a hand-off to a person
    Classify(ClassifyArgs),
    /// Mask card numbers, IBANs, e-mail addresses and phone numbers in each line of stdin
    Redact,
    /// Embed each line of stdin with the pretrained sentence encoder all-MiniLM-L6-v2
    Embed(EmbedArgs),
    /// Embed the questions of an FAQ file (id<TAB>question[<TAB>answer]) into an index
    Index(IndexArgs),
    /// Answer a message with the most similar FAQ entries, or hand it to a person
    Ask(AskArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ModelKind {
    /// A small transformer encoder with learned word embeddings, trained from scratch
    Transformer,
    /// A softmax head trained on the frozen all-MiniLM-L6-v2 embeddings
    PretrainedHead,
    /// The nearest training messages by all-MiniLM-L6-v2 embedding (cosine), top-k vote
    Retrieval,
}

#[derive(Args)]
pub struct TrainArgs {
    /// Labelled messages: text<TAB>intent per line, no header
    #[arg(long, value_name = "TSV")]
    data: PathBuf,
    #[arg(long, value_enum, default_value = "transformer")]
    model: ModelKind,
    /// Model directory to write
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[arg(long, default_value_t = TrainOptions::default().seed)]
    seed: u64,
    #[arg(long, default_value_t = TrainOptions::default().epochs)]
    epochs: usize,
    #[arg(long, default_value_t = TrainOptions::default().batch_size)]
    batch_size: usize,
    #[arg(long, default_value_t = TrainOptions::default().learning_rate)]
    learning_rate: f64,
    /// Share of the words of a training message replaced by the unknown word in each epoch
    #[arg(long, default_value_t = TrainOptions::default().word_dropout)]
    word_dropout: f64,
    /// Share of the input embedding values zeroed in each training batch
    #[arg(long, default_value_t = TrainOptions::default().dropout)]
    dropout: f64,
    /// Width of the embeddings and of the encoder
    #[arg(long, default_value_t = TransformerConfig::default().d_model)]
    d_model: usize,
    /// Attention heads per encoder layer (they must divide --d-model)
    #[arg(long, default_value_t = TransformerConfig::default().n_heads)]
    heads: usize,
    /// Encoder layers
    #[arg(long, default_value_t = TransformerConfig::default().n_layers)]
    layers: usize,
    /// Words seen fewer times than this in training become unknown
    #[arg(long, default_value_t = IntentSpec::default().min_count)]
    min_count: usize,
    /// Hand a message to a person when the best intent's score is under this (default 0.5: a
    /// probability for the transformer and the head, a cosine for retrieval)
    #[arg(long)]
    threshold: Option<f64>,
    /// all-MiniLM-L6-v2 folder for pretrained-head and retrieval (default: where
    /// .ci/fetch-minilm.sh unpacks it: $FINML_CACHE or target, then models/all-MiniLM-L6-v2)
    #[arg(long, value_name = "DIR")]
    encoder: Option<PathBuf>,
    /// Retrieval: the nearest training messages that vote
    #[arg(long, default_value_t = EmbeddingMethod::DEFAULT_K)]
    neighbours: usize,
    /// Pretrained head: full-batch Adam steps
    #[arg(long, default_value_t = EmbeddingMethod::DEFAULT_STEPS)]
    steps: usize,
    /// Pretrained head: L2 penalty on the weights
    #[arg(long, default_value_t = EmbeddingMethod::DEFAULT_L2)]
    l2: f64,
    /// No per-epoch loss on stderr
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
pub struct EvalArgs {
    /// Model directory written by `finml assist train`
    #[arg(long, value_name = "DIR")]
    model: PathBuf,
    /// Labelled messages: text<TAB>intent per line, no header
    #[arg(long, value_name = "TSV")]
    data: PathBuf,
    /// Use this hand-off threshold instead of the model's
    #[arg(long)]
    threshold: Option<f64>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ClassifyArgs {
    /// Model directory written by `finml assist train`
    #[arg(long, value_name = "DIR")]
    model: PathBuf,
    /// Use this hand-off threshold instead of the model's
    #[arg(long)]
    threshold: Option<f64>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
    /// The customer's message
    message: String,
}

pub fn run(command: AssistCommand) -> Result<()> {
    match command {
        AssistCommand::Train(args) => train(args),
        AssistCommand::Eval(args) => eval(args),
        AssistCommand::Classify(args) => classify(args),
        AssistCommand::Redact => redact_stdin(),
        AssistCommand::Embed(args) => assist_embed::run(args),
        AssistCommand::Index(args) => assist_faq::index(args),
        AssistCommand::Ask(args) => assist_faq::ask(args),
    }
}

/// Where `.ci/fetch-minilm.sh` unpacks the encoder: `$FINML_CACHE`, else `target`.
pub fn default_encoder() -> PathBuf {
    std::env::var_os("FINML_CACHE")
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("models/all-MiniLM-L6-v2")
}

fn train(args: TrainArgs) -> Result<()> {
    let examples = read_examples(&args.data)?;
    let method = match args.model {
        ModelKind::Transformer => return train_transformer(args, &examples),
        ModelKind::Retrieval => EmbeddingMethod::Retrieval { k: args.neighbours },
        ModelKind::PretrainedHead => EmbeddingMethod::Head {
            steps: args.steps,
            learning_rate: EmbeddingMethod::HEAD_LEARNING_RATE,
            l2: args.l2,
        },
    };
    let encoder = args.encoder.clone().unwrap_or_else(default_encoder);
    let threshold = args.threshold.unwrap_or(method.default_threshold());
    let model = EmbeddingModel::train(&examples, &args.data, &encoder, &method, threshold)?;
    model
        .save(&args.out)
        .with_context(|| format!("saving the model to {}", args.out.display()))?;
    let m = &model.metadata;
    println!(
        "trained {} on {} messages ({} intents) in {:.1} s with the encoder in {}",
        m.kind,
        m.training_data.rows,
        m.intents.len(),
        m.train_seconds,
        m.encoder.display(),
    );
    println!("saved to {}", args.out.display());
    Ok(())
}

fn train_transformer(args: TrainArgs, examples: &[Example]) -> Result<()> {
    let defaults = TransformerConfig::default();
    let spec = IntentSpec {
        architecture: TransformerConfig {
            d_model: args.d_model,
            n_heads: args.heads,
            n_layers: args.layers,
            d_ff: 2 * args.d_model,
            ..defaults
        },
        training: TrainOptions {
            epochs: args.epochs,
            batch_size: args.batch_size,
            learning_rate: args.learning_rate,
            seed: args.seed,
            word_dropout: args.word_dropout,
            dropout: args.dropout,
        },
        min_count: args.min_count,
        threshold: args.threshold.unwrap_or(IntentSpec::default().threshold),
        ..IntentSpec::default()
    };
    let epochs = args.epochs;
    let quiet = args.quiet;
    let mut report = |epoch: usize, loss: f64| {
        if !quiet {
            eprintln!("epoch {epoch}/{epochs}: loss {loss:.4}");
        }
    };
    let model = IntentModel::train(examples, &args.data, &spec, &mut report)?;
    model
        .save(&args.out)
        .with_context(|| format!("saving the model to {}", args.out.display()))?;
    let m = &model.metadata;
    println!(
        "trained transformer on {} messages ({} intents, {} words) in {:.1} s; final loss {:.4}",
        m.training_data.rows,
        m.intents.len(),
        m.vocab_size,
        m.train_seconds,
        m.loss_history.last().copied().unwrap_or(f64::NAN),
    );
    println!("saved to {}", args.out.display());
    Ok(())
}

/// Thresholds shown in the trade-off table.
const SWEEP: [f64; 7] = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];

#[derive(Serialize)]
struct EvalReport {
    #[serde(flatten)]
    at_threshold: Evaluation,
    /// Intents of the file that the model does not know; their messages count as wrong.
    unknown_intents: Vec<String>,
    ms_per_message: f64,
    threshold_sweep: Vec<Evaluation>,
}

fn eval(args: EvalArgs) -> Result<()> {
    let model = load(&args.model, args.threshold)?;
    let examples = read_examples(&args.data)?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let truth: Vec<&str> = examples.iter().map(|e| e.intent.as_str()).collect();
    let started = Instant::now();
    let scored: Vec<Scored> = model.score(&texts)?;
    let ms_per_message = started.elapsed().as_secs_f64() * 1000.0 / texts.len() as f64;
    let mut unknown_intents: Vec<String> = truth
        .iter()
        .filter(|t| !model.intents().iter().any(|i| i == *t))
        .map(|t| t.to_string())
        .collect();
    unknown_intents.sort();
    unknown_intents.dedup();
    let report = EvalReport {
        at_threshold: Evaluation::compute(&scored, &truth, model.threshold()),
        unknown_intents,
        ms_per_message,
        threshold_sweep: SWEEP
            .iter()
            .map(|&t| Evaluation::compute(&scored, &truth, t))
            .collect(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_eval(&report);
    }
    Ok(())
}

fn print_eval(report: &EvalReport) {
    let e = &report.at_threshold;
    println!("messages              {}", e.rows);
    println!("hand-off threshold    {:.2}", e.threshold);
    println!("accuracy              {:.4}", e.accuracy);
    println!("macro-F1              {:.4}", e.macro_f1);
    println!("out-of-scope prec.    {:.4}", e.oos_precision);
    println!("out-of-scope recall   {:.4}", e.oos_recall);
    println!("hand-offs             {}", e.handoffs);
    println!("ms per message        {:.3}", report.ms_per_message);
    if !report.unknown_intents.is_empty() {
        println!(
            "intents the model does not know (counted wrong): {}",
            report.unknown_intents.join(", ")
        );
    }
    println!("\nthreshold  accuracy  macro-F1  OOS prec.  OOS recall  hand-offs");
    for s in &report.threshold_sweep {
        println!(
            "{:9.2}  {:8.4}  {:8.4}  {:9.4}  {:10.4}  {:9}",
            s.threshold, s.accuracy, s.macro_f1, s.oos_precision, s.oos_recall, s.handoffs
        );
    }
}

fn load(dir: &std::path::Path, threshold: Option<f64>) -> Result<Classifier> {
    let mut model = Classifier::load(dir)?;
    if let Some(threshold) = threshold {
        model.set_threshold(threshold)?;
    }
    Ok(model)
}

#[derive(Serialize)]
struct Routed<'a> {
    intent: &'a str,
    probability: f64,
    handoff: bool,
    best_intent: &'a str,
    threshold: f64,
}

fn classify(args: ClassifyArgs) -> Result<()> {
    let model = load(&args.model, args.threshold)?;
    let prediction = model.classify(&[args.message.as_str()])?.remove(0);
    let routed = Routed {
        intent: &prediction.intent,
        probability: prediction.best.probability,
        handoff: prediction.handoff,
        best_intent: &prediction.best.intent,
        threshold: model.threshold(),
    };
    if args.json {
        println!("{}", serde_json::to_string(&routed)?);
    } else if routed.handoff {
        println!(
            "hand-off to a person (best intent {} at {:.3}, threshold {:.2})",
            routed.best_intent, routed.probability, routed.threshold
        );
    } else {
        println!("{} {:.3}", routed.intent, routed.probability);
    }
    Ok(())
}

/// Redacts stdin line by line, so that a long stream never sits in memory.
fn redact_stdin() -> Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in stdin.split(b'\n').enumerate() {
        let bytes = line.context("reading stdin")?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("stdin, line {}: expected UTF-8 text", i + 1))?;
        writeln!(out, "{}", redact(text.trim_end_matches('\r')))?;
    }
    out.flush()?;
    Ok(())
}
