//! Times, in-process, what bench/trading/compare.py compares with backtesting.py: loading
//! GOOG.csv, one SmaCross(10, 20) backtest with commission 0.002, and the 75-run grid
//! (fast 5..50 step 5, slow 10..100 step 10, fast < slow). Prints medians as JSON.
//!
//! cargo run --release -p finml-trading --example bench -- target/test-data/GOOG.csv [ROUNDS]

use std::error::Error;
use std::hint::black_box;
use std::time::Instant;

use finml_trading::{Backtest, BuiltinStrategy, Commission, Grid, SmaCross, load_bars, optimize};

fn median_seconds(
    rounds: usize,
    mut work: impl FnMut() -> Result<(), Box<dyn Error>>,
) -> Result<f64, Box<dyn Error>> {
    let mut seconds = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        work()?;
        seconds.push(started.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    Ok(seconds[rounds / 2])
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: bench GOOG.csv [ROUNDS]")?;
    let rounds: usize = args.next().map_or(Ok(101), |text| text.parse())?;
    let load = median_seconds(rounds, || {
        black_box(load_bars(path.as_ref())?);
        Ok(())
    })?;
    let bars = load_bars(path.as_ref())?;
    let backtest = Backtest::new(10_000.0, Commission::rate(0.002))?;
    let single = median_seconds(rounds, || {
        black_box(backtest.run(&bars, &mut SmaCross::new(10, 20))?);
        Ok(())
    })?;
    let axes = vec!["fast=5..50:5".parse()?, "slow=10..100:10".parse()?];
    let grid = Grid::new(axes, vec!["fast<slow".parse()?])?;
    let grid_seconds = median_seconds(rounds, || {
        let optimization = optimize(&bars, &backtest, &grid, "Sharpe Ratio", |parameters| {
            BuiltinStrategy::SmaCross.build(parameters)
        })?;
        black_box(optimization);
        Ok(())
    })?;
    println!(
        "{{\"rounds\": {rounds}, \"threads\": {}, \"load_s\": {load:e}, \"single_s\": {single:e}, \"grid_s\": {grid_seconds:e}}}",
        rayon_threads()
    );
    Ok(())
}

/// The worker threads the grid ran on (rayon's default: one per core, or RAYON_NUM_THREADS).
fn rayon_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|text| text.parse().ok())
        .filter(|threads| *threads > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |threads| threads.get()))
}
