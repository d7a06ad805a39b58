//! `finml demo`: the spec's worked example on the bundled German credit data, end to end.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use finml_credit::{DataSource, ModelKind, ModelSpec};
use finml_data::{MissingTarget, ReadOptions, SchemaRequest};

use crate::credit::{print_training, threads, train_with_progress};

/// German Credit (Statlog), CC BY 4.0; see data/README.md.
const GERMAN_CSV: &str = include_str!("../../../data/credit/german.csv");
const TARGET: &str = "creditability";
const EXAMPLE_APPLICANTS: usize = 3;

#[derive(Args)]
pub struct DemoArgs {
    /// Directory for the data, the model package and the example scores
    #[arg(long, default_value = "finml-demo")]
    out: PathBuf,
    /// No progress bar
    #[arg(long)]
    quiet: bool,
}

pub fn run(args: DemoArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let data = args.out.join("german.csv");
    std::fs::write(&data, GERMAN_CSV)
        .with_context(|| format!("cannot write {}", data.display()))?;
    println!(
        "German credit data (1000 applications, 30% bad) written to {}",
        data.display()
    );
    println!("training the spec's CNN (seed-cnn) on a stratified 80/20 split ...");
    let source = DataSource {
        path: &data,
        read: ReadOptions::default(),
        schema: SchemaRequest {
            target: Some(TARGET.into()),
            ..Default::default()
        },
        missing_target: MissingTarget::Error,
    };
    let spec = ModelSpec::new(ModelKind::SeedCnn);
    let (model, metadata) = train_with_progress(&source, &spec, 0.2, threads(None)?, args.quiet)?;
    print_training(&metadata);
    let package = args.out.join("model");
    model.save(&package, &metadata)?;
    println!("model package: {}", package.display());
    score_examples(&args.out, &package)
}

/// Writes three applications (without their outcome) to a file and scores it with the saved
/// package, as `finml credit predict` would.
fn score_examples(dir: &Path, package: &Path) -> Result<()> {
    let applicants = dir.join("applicants.csv");
    std::fs::write(&applicants, example_applicants())?;
    let (model, _) = finml_credit::CreditModel::load(package)?;
    let scores = finml_credit::predict(&model, &applicants, ReadOptions::default())?.probabilities;
    println!(
        "\nscores of {EXAMPLE_APPLICANTS} example applicants ({}):",
        applicants.display()
    );
    let table = finml_data::Table::read(&applicants, ReadOptions::default())?;
    let column = |name: &str| {
        table
            .column_index(name)
            .map(|i| table.column(i).map(str::to_string).collect::<Vec<_>>())
    };
    let (months, amount, purpose) = (
        column("duration_in_month")?,
        column("credit_amount")?,
        column("purpose")?,
    );
    for (i, pd) in scores.iter().enumerate() {
        println!(
            "  applicant {}: {} DM over {} months for {:<22} probability of default {pd:.3}",
            i + 1,
            amount[i],
            months[i],
            purpose[i],
        );
    }
    Ok(())
}

/// The first applications of the bundled file without their outcome, which is its last
/// column (a test checks this).
fn example_applicants() -> String {
    GERMAN_CSV
        .lines()
        .take(1 + EXAMPLE_APPLICANTS)
        .map(|line| {
            line.rsplit_once(',')
                .map_or(line, |(rest, _)| rest)
                .to_string()
                + "\n"
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_applicants_drop_exactly_the_target_column() {
        let header = GERMAN_CSV.lines().next().unwrap();
        assert!(header.ends_with(&format!(",{TARGET}")));
        let examples = example_applicants();
        let lines: Vec<&str> = examples.lines().collect();
        assert_eq!(lines.len(), 1 + EXAMPLE_APPLICANTS);
        assert!(!lines[0].contains(TARGET));
        let fields = |l: &str| l.matches(',').count();
        assert_eq!(fields(lines[0]) + 1, fields(header));
    }
}
