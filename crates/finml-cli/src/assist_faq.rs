//! `finml assist index` and `finml assist ask`: FAQ answers by sentence-embedding similarity,
//! with a hand-off to a person when no FAQ question is close enough.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use finml_assist::{Answers, FAQ_THRESHOLD, FaqIndex};

use crate::assist::default_encoder;

#[derive(Args)]
pub struct IndexArgs {
    /// FAQ entries: id<TAB>question[<TAB>answer] per line, no header
    #[arg(long, value_name = "TSV")]
    faq: PathBuf,
    /// Index folder to write
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// all-MiniLM-L6-v2 folder (default: where .ci/fetch-minilm.sh unpacks it: $FINML_CACHE
    /// or target, then models/all-MiniLM-L6-v2)
    #[arg(long, value_name = "DIR")]
    encoder: Option<PathBuf>,
    /// Hand a message to a person when its best FAQ match's cosine is under this
    #[arg(long, default_value_t = FAQ_THRESHOLD)]
    threshold: f64,
}

#[derive(Args)]
pub struct AskArgs {
    /// Index folder written by `finml assist index`
    #[arg(long, value_name = "DIR")]
    index: PathBuf,
    /// How many FAQ entries to show
    #[arg(long, default_value_t = 3)]
    top: usize,
    /// Use this hand-off threshold (cosine) instead of the index's
    #[arg(long)]
    threshold: Option<f64>,
    /// Print one JSON object: {"answers": [{"id", "question", "score", "answer"}], "handoff"}
    #[arg(long)]
    json: bool,
    /// The customer's message
    message: String,
}

pub fn index(args: IndexArgs) -> Result<()> {
    let encoder = args.encoder.unwrap_or_else(default_encoder);
    let index = FaqIndex::build(&args.faq, &encoder, args.threshold)?;
    index
        .save(&args.out)
        .with_context(|| format!("saving the index to {}", args.out.display()))?;
    println!(
        "indexed {} FAQ questions with the encoder in {}; saved to {}",
        index.len(),
        index.metadata.encoder.display(),
        args.out.display()
    );
    Ok(())
}

pub fn ask(args: AskArgs) -> Result<()> {
    if args.top == 0 {
        bail!("--top must be at least 1");
    }
    let index = FaqIndex::load(&args.index)?;
    let answers = index.ask(&args.message, args.top, args.threshold)?;
    if args.json {
        println!("{}", serde_json::to_string(&answers)?);
    } else {
        print_answers(&answers, args.threshold.unwrap_or(index.metadata.threshold));
    }
    Ok(())
}

fn print_answers(answers: &Answers, threshold: f64) {
    if answers.handoff {
        println!("hand-off to a person (no FAQ question scores {threshold:.2} or more)");
    }
    for a in &answers.answers {
        println!("{:.3}  {}  {}", a.score, a.id, a.question);
        if let Some(answer) = &a.answer {
            println!("       {answer}");
        }
    }
}
