//! Speed of the sentence encoder, for `bench/assist/encoder_speed.py`: embeds the texts of a
//! file (the first tab-separated column of each line) `BATCH` at a time, over and over for
//! `SECONDS`, and prints CPU and wall milliseconds per sentence as one JSON object. The thread
//! count is rayon's: set `RAYON_NUM_THREADS`.
//!
//! `cargo run --example embed_speed -- MODEL_DIR TEXTS BATCH SECONDS`

use std::path::Path;
use std::time::{Duration, Instant};

use finml_assist::SentenceEncoder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, texts, batch, seconds] = args.as_slice() else {
        return Err("usage: embed_speed MODEL_DIR TEXTS BATCH SECONDS".into());
    };
    let encoder = SentenceEncoder::load(Path::new(model))?;
    let file = std::fs::read_to_string(texts)?;
    let texts: Vec<&str> = file
        .lines()
        .filter_map(|line| line.split('\t').next())
        .filter(|text| !text.is_empty())
        .collect();
    let batch: usize = batch.parse()?;
    let budget = Duration::from_secs_f64(seconds.parse()?);
    encoder.embed(&texts[..batch.min(texts.len())])?; // warm-up: first allocations, page faults
    let (cpu, wall) = (cpu_ns()?, Instant::now());
    let mut sentences = 0;
    for chunk in texts.chunks(batch).cycle() {
        encoder.embed(chunk)?;
        sentences += chunk.len();
        if wall.elapsed() >= budget {
            break;
        }
    }
    let cpu_ms = (cpu_ns()? - cpu) as f64 / 1e6;
    let wall_ms = wall.elapsed().as_secs_f64() * 1e3;
    println!(
        "{{\"batch\": {batch}, \"sentences\": {sentences}, \"cpu_ms_per_sentence\": {:.3}, \"wall_ms_per_sentence\": {:.3}}}",
        cpu_ms / sentences as f64,
        wall_ms / sentences as f64
    );
    Ok(())
}

/// CPU time of every thread of this process so far, in nanoseconds (Linux: the first field of
/// each thread's schedstat). rayon's worker threads live as long as the process, so the
/// difference of two readings is the work done in between.
fn cpu_ns() -> Result<u64, Box<dyn std::error::Error>> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task")? {
        let stat = std::fs::read_to_string(task?.path().join("schedstat"))?;
        let first = stat.split_whitespace().next().ok_or("empty schedstat")?;
        total += first.parse::<u64>()?;
    }
    Ok(total)
}
