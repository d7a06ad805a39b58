//! `finml assist embed`: one all-MiniLM-L6-v2 sentence embedding per line of stdin. Kept apart
//! from the other `assist` commands so that the encoder's command grows on its own.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use finml_assist::SentenceEncoder;
use serde::Serialize;

#[derive(Args)]
pub struct EmbedArgs {
    /// Model folder with config.json, model.safetensors and tokenizer.json
    /// (.ci/fetch-minilm.sh unpacks it into target/models/all-MiniLM-L6-v2)
    #[arg(long, value_name = "DIR")]
    model: PathBuf,
    /// One JSON list of {"text", "embedding"} instead of one line of numbers per text; the
    /// text is echoed redacted, so card numbers never reach the output in the clear
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Embedded<'a> {
    text: String,
    embedding: &'a [f32],
}

pub fn run(args: EmbedArgs) -> Result<()> {
    let encoder = SentenceEncoder::load(&args.model)?;
    let lines = read_lines()?;
    let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
    let embeddings = encoder.embed(&texts)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.json {
        let items: Vec<Embedded> = texts
            .iter()
            .zip(&embeddings)
            .map(|(text, embedding)| Embedded {
                text: finml_assist::redact(text),
                embedding,
            })
            .collect();
        serde_json::to_writer(&mut out, &items)?;
        writeln!(out)?;
    } else {
        for embedding in &embeddings {
            let numbers: Vec<String> = embedding.iter().map(f32::to_string).collect();
            writeln!(out, "{}", numbers.join(" "))?;
        }
    }
    out.flush().context("writing stdout")
}

/// Every line of stdin, empty ones included, so that output line n belongs to input line n.
fn read_lines() -> Result<Vec<String>> {
    std::io::stdin()
        .lock()
        .lines()
        .enumerate()
        .map(|(n, line)| {
            line.map(|text| text.trim_end_matches('\r').to_string())
                .with_context(|| format!("reading stdin, line {}", n + 1))
        })
        .collect()
}
