//! `finml risk`: regulatory capital, portfolio loss simulation, stress tests and model drift.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use finml_risk::drift::{
    Binning, ColumnStability, DriftOptions, DriftReport, Thresholds, compare_files,
};
use finml_risk::exposures::CapitalTable;
use finml_risk::irb::IrbOptions;
use finml_risk::plot::{drift_chart_svg, loss_histogram_svg};
use finml_risk::portfolio::Portfolio;
use finml_risk::simulation::{SimulationSettings, simulate_losses};
use finml_risk::stress::{PdStress, StressLine, grade_by_master_scale, stress_test};
use finml_risk::summary::PortfolioSummary;
use finml_risk::vasicek::asrf_loss;

#[derive(Subcommand)]
pub enum RiskCommand {
    /// Basel IRB capital (R, b, conditional PD, MA, K, RW, RWA, EL) of each exposure of a CSV file
    Irb(IrbArgs),
    /// EL, loss quantile and expected shortfall of a granular one-factor (Vasicek/ASRF) portfolio
    Vasicek(VasicekArgs),
    /// Monte-Carlo loss distribution of a loan portfolio under the one-factor Gaussian copula
    Portfolio(PortfolioArgs),
    /// EL, IRB capital, VaR and ES of a portfolio before and after a PD stress
    Stress(StressArgs),
    /// Population (score) and characteristic (column) stability between two samples
    Drift(DriftArgs),
}

#[derive(Args)]
pub struct IrbArgs {
    /// Exposures: asset_class,PD,LGD,EAD,M,sales_meur (classes corporate, retail_mortgage,
    /// retail_qrre, retail_other; M and sales_meur empty where unused)
    #[arg(long)]
    input: PathBuf,
    /// Output CSV: the input columns followed by R,b,cond_pd,MA,K,RW,RWA,EL (standard output
    /// when absent)
    #[arg(long)]
    out: Option<PathBuf>,
    /// Floor applied to every PD before the formulas, e.g. 0.0003 (Basel II) or 0.0005
    #[arg(long)]
    pd_floor: Option<f64>,
}

#[derive(Args)]
pub struct VasicekArgs {
    /// Probability of default, in (0, 1]
    #[arg(long)]
    pd: f64,
    /// Asset correlation, in [0, 1)
    #[arg(long)]
    rho: f64,
    /// Loss given default, in [0, 1]
    #[arg(long)]
    lgd: f64,
    /// Confidence level of the quantile, in (0, 1)
    #[arg(long)]
    confidence: f64,
    /// Print JSON with the keys EL, quantile and ES
    #[arg(long)]
    json: bool,
}

/// Options shared by the commands that simulate a portfolio.
#[derive(Args)]
pub struct SimulationArgs {
    /// Loans: loan_id,PD,LGD,EAD,rho (and optionally grade)
    #[arg(long)]
    input: PathBuf,
    /// Number of Monte-Carlo scenarios
    #[arg(long, default_value_t = 100_000)]
    scenarios: usize,
    /// Seed of the random numbers: the same seed gives the same losses whatever the threads
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: one per core)
    #[arg(long)]
    threads: Option<usize>,
}

impl SimulationArgs {
    fn settings(&self) -> SimulationSettings {
        SimulationSettings {
            scenarios: self.scenarios,
            seed: self.seed,
            threads: self.threads,
        }
    }
}

#[derive(Args)]
pub struct PortfolioArgs {
    #[command(flatten)]
    simulation: SimulationArgs,
    /// Confidence levels of VaR and ES, comma-separated; the first is the headline
    #[arg(long, value_delimiter = ',', default_value = "0.999")]
    confidence: Vec<f64>,
    /// Print JSON: EL, VaR and ES in currency with their standard errors and 95% intervals
    #[arg(long)]
    json: bool,
    /// Write an SVG histogram of the losses, with VaR and ES marked
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Number of histogram bins
    #[arg(long, default_value_t = 60)]
    bins: usize,
}

#[derive(Args)]
pub struct StressArgs {
    #[command(flatten)]
    simulation: SimulationArgs,
    /// Factor applied to every PD
    #[arg(long, default_value_t = 1.0)]
    pd_multiplier: f64,
    /// Amount added to every PD after the multipliers, e.g. 0.005 for +50 bp
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pd_shift: f64,
    /// Extra factor for the PDs of one grade, as GRADE=FACTOR (repeatable; needs a grade
    /// column or --master-scale)
    #[arg(long = "grade-multiplier", value_parser = parse_grade_multiplier)]
    grade_multipliers: Vec<(String, f64)>,
    /// Grade the loans by these increasing PD boundaries (comma-separated): grade 1 holds the
    /// PDs up to the first boundary, grade n+1 those above the last
    #[arg(long, value_delimiter = ',')]
    master_scale: Option<Vec<f64>>,
    /// Confidence level of VaR and ES
    #[arg(long, default_value_t = 0.999)]
    confidence: f64,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct DriftArgs {
    /// A credit model package (from `finml credit train`): both samples are scored with it,
    /// the PSI is that of its scores and the CSI covers its input columns only
    #[arg(long, conflicts_with = "score_column")]
    model: Option<PathBuf>,
    /// The reference sample (the model's training data), CSV with a header
    #[arg(long)]
    reference: PathBuf,
    /// The current sample, CSV with a header
    #[arg(long)]
    current: PathBuf,
    /// The column holding the model's score: its PSI is reported first
    #[arg(long)]
    score_column: Option<String>,
    /// Bin the score at these increasing boundaries (a master scale's grades) instead of the
    /// reference deciles, comma-separated
    #[arg(long, value_delimiter = ',')]
    master_scale: Option<Vec<f64>>,
    /// Number of reference-quantile bins of numeric columns
    #[arg(long, default_value_t = 10)]
    bins: usize,
    /// Column to leave out, such as an identifier or the target (repeatable)
    #[arg(long)]
    exclude: Vec<String>,
    /// Index from which a column is amber
    #[arg(long, default_value_t = 0.1)]
    amber: f64,
    /// Index from which a column is red
    #[arg(long, default_value_t = 0.25)]
    red: f64,
    /// Print JSON, with every bin's counts and shares
    #[arg(long)]
    json: bool,
    /// Write an SVG bar chart of the indices with the thresholds
    #[arg(long)]
    plot: Option<PathBuf>,
}

pub fn run(command: RiskCommand) -> Result<()> {
    match command {
        RiskCommand::Irb(args) => run_irb(&args),
        RiskCommand::Vasicek(args) => run_vasicek(&args),
        RiskCommand::Portfolio(args) => run_portfolio(&args),
        RiskCommand::Stress(args) => run_stress(&args),
        RiskCommand::Drift(args) => run_drift(&args),
    }
}

fn run_irb(args: &IrbArgs) -> Result<()> {
    let options = IrbOptions {
        pd_floor: args.pd_floor,
    };
    let table = CapitalTable::from_csv(&args.input, &options)?;
    let Some(out) = &args.out else {
        return Ok(table.write_csv(std::io::stdout().lock(), Path::new("standard output"))?);
    };
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    table.write_csv(std::io::BufWriter::new(file), out)?;
    let expected_loss: f64 = table
        .rows()
        .iter()
        .map(|row| row.capital.expected_loss)
        .sum();
    println!(
        "{} exposures: RWA {:.2}, capital (8% of RWA) {:.2}, EL {:.2} -> {}",
        table.rows().len(),
        table.total_risk_weighted_assets(),
        0.08 * table.total_risk_weighted_assets(),
        expected_loss,
        out.display()
    );
    Ok(())
}

fn run_vasicek(args: &VasicekArgs) -> Result<()> {
    let loss = asrf_loss(args.pd, args.rho, args.lgd, args.confidence)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&loss)?);
    } else {
        println!("EL        {}", loss.expected_loss);
        println!("quantile  {}", loss.quantile);
        println!("ES        {}", loss.expected_shortfall);
    }
    Ok(())
}

fn run_portfolio(args: &PortfolioArgs) -> Result<()> {
    if args.confidence.is_empty() {
        bail!("--confidence needs at least one level, such as 0.999");
    }
    let portfolio = Portfolio::read_csv(&args.simulation.input)?;
    let started = Instant::now();
    let losses = simulate_losses(&portfolio, &args.simulation.settings())?;
    let seconds = started.elapsed().as_secs_f64();
    let summary = PortfolioSummary::new(
        &portfolio,
        &losses,
        args.simulation.seed,
        &args.confidence,
        seconds,
    )?;
    if let Some(plot) = &args.plot {
        let headline = losses.tail_risk(summary.confidence)?;
        loss_histogram_svg(&losses.histogram(args.bins), &headline, plot)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_portfolio_summary(&summary);
    }
    Ok(())
}

fn print_portfolio_summary(summary: &PortfolioSummary) {
    println!(
        "{} loans, total EAD {:.2}; {} scenarios, seed {} ({:.3} s)",
        summary.loans, summary.total_exposure, summary.scenarios, summary.seed, summary.seconds
    );
    println!(
        "EL (exact)              {:>18.2}",
        summary.exact_expected_loss
    );
    println!(
        "EL (Monte-Carlo)        {:>18.2}  ± {:.2} (standard error)",
        summary.expected_loss, summary.expected_loss_error
    );
    println!(
        "loss standard deviation {:>18.2}",
        summary.loss_standard_deviation
    );
    for level in &summary.levels {
        let percent = format!("{}%", 100.0 * level.confidence);
        let [low, high] = level.value_at_risk_interval;
        println!(
            "VaR {percent:<20}{:>18.2}  95% CI [{low:.2}, {high:.2}]",
            level.value_at_risk
        );
        println!(
            "ES  {percent:<20}{:>18.2}  ± {:.2} (standard error)",
            level.expected_shortfall, level.expected_shortfall_error
        );
        println!(
            "ASRF quantile {percent:<10}{:>18.2}  (infinitely granular portfolio)",
            level.asrf_quantile
        );
    }
}

fn run_stress(args: &StressArgs) -> Result<()> {
    let mut portfolio = Portfolio::read_csv(&args.simulation.input)?;
    if let Some(boundaries) = &args.master_scale {
        portfolio = grade_by_master_scale(&portfolio, boundaries)?;
    }
    let stress = PdStress {
        multiplier: args.pd_multiplier,
        shift: args.pd_shift,
        grade_multipliers: args.grade_multipliers.clone(),
    };
    let lines = stress_test(
        &portfolio,
        &stress,
        &args.simulation.settings(),
        args.confidence,
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&lines)?);
    } else {
        print_stress_table(&lines)?;
    }
    Ok(())
}

fn print_stress_table(lines: &[StressLine]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<32} {:>18} {:>18} {:>18} {:>9}",
        "measure", "base", "stressed", "change", "change %"
    )?;
    for line in lines {
        let percent = line
            .change_percent
            .map_or("-".to_owned(), |percent| format!("{percent:+.1}%"));
        writeln!(
            out,
            "{:<32} {:>18} {:>18} {:>18} {:>9}",
            line.measure,
            format_measure(line.base),
            format_measure(line.stressed),
            format_measure(line.change),
            percent
        )?;
    }
    Ok(())
}

/// Amounts with cents, probabilities with six significant digits.
fn format_measure(value: f64) -> String {
    if value.abs() < 1.0 {
        format!("{value:.6}")
    } else {
        format!("{value:.2}")
    }
}

fn parse_grade_multiplier(text: &str) -> std::result::Result<(String, f64), String> {
    let (grade, factor) = text
        .split_once('=')
        .ok_or_else(|| format!("expected GRADE=FACTOR, such as B=1.5, found `{text}`"))?;
    let factor = factor
        .trim()
        .parse()
        .map_err(|_| format!("expected a number after `=` in `{text}`"))?;
    Ok((grade.trim().to_owned(), factor))
}

fn run_drift(args: &DriftArgs) -> Result<()> {
    let options = DriftOptions {
        score_column: args.score_column.clone(),
        score_binning: match &args.master_scale {
            Some(boundaries) => Binning::Boundaries(boundaries.clone()),
            None => Binning::ReferenceQuantiles(args.bins),
        },
        characteristic_bins: args.bins,
        excluded_columns: args.exclude.clone(),
        thresholds: Thresholds {
            amber: args.amber,
            red: args.red,
        },
    };
    let report = match &args.model {
        Some(model) => {
            let (model, _) = finml_credit::CreditModel::load(model)?;
            finml_credit::drift_through_model(&model, &args.reference, &args.current, &options)?
        }
        None => compare_files(&args.reference, &args.current, &options)?,
    };
    if let Some(plot) = &args.plot {
        drift_chart_svg(&report, plot)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_drift_report(&report)?;
    }
    Ok(())
}

fn print_drift_report(report: &DriftReport) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "reference {} rows, current {} rows; amber from {}, red from {}",
        report.reference_rows, report.current_rows, report.thresholds.amber, report.thresholds.red
    )?;
    let score = report.score.iter().map(|column| ("PSI", column));
    let characteristics = report.characteristics.iter().map(|column| ("CSI", column));
    let lines: Vec<_> = score.chain(characteristics).collect();
    let width = lines
        .iter()
        .map(|(_, column)| column.column.chars().count())
        .fold("column".len(), usize::max);
    writeln!(
        out,
        "{:<width$} {:<6} {:<12} {:>9}  {:<6} note",
        "column", "index", "kind", "value", "status"
    )?;
    for (index_name, column) in lines {
        writeln!(
            out,
            "{:<width$} {:<6} {:<12} {:>9.4}  {:<6} {}",
            column.column,
            index_name,
            format!("{:?}", column.kind).to_lowercase(),
            column.index,
            column.status,
            drift_note(column)
        )?;
    }
    for (names, sample) in [
        (&report.only_in_reference, "reference"),
        (&report.only_in_current, "current"),
    ] {
        if !names.is_empty() {
            writeln!(
                out,
                "only in the {sample} sample (not compared): {}",
                names.join(", ")
            )?;
        }
    }
    writeln!(out, "overall: {}", report.overall_status())?;
    Ok(())
}

fn drift_note(column: &ColumnStability) -> String {
    if column.unseen_categories.is_empty() {
        return String::new();
    }
    format!(
        "categories unseen in the reference: {}",
        column.unseen_categories.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_multipliers_parse() {
        assert_eq!(parse_grade_multiplier("B = 1.5"), Ok(("B".to_owned(), 1.5)));
        assert_eq!(
            parse_grade_multiplier("B1.5"),
            Err("expected GRADE=FACTOR, such as B=1.5, found `B1.5`".to_owned())
        );
        assert_eq!(
            parse_grade_multiplier("B=high"),
            Err("expected a number after `=` in `B=high`".to_owned())
        );
    }

    #[test]
    fn measures_print_with_the_right_precision() {
        assert_eq!(format_measure(0.0123456789), "0.012346");
        assert_eq!(format_measure(13509274.568), "13509274.57");
    }
}
