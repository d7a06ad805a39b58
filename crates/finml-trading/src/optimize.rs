//! Grid search: every admissible parameter combination backtested in parallel, ranked by one
//! statistic as backtesting.py's `Backtest.optimize(method="grid")` ranks them.

use std::str::FromStr;

use rayon::prelude::*;
use thiserror::Error;

use crate::backtest::{Backtest, BacktestError};
use crate::bars::Bars;
use crate::builtin::{ParameterError, Parameters};
use crate::stats::Stats;
use crate::strategy::Strategy;

/// One parameter's values: `fast=5..50:5` (inclusive, step 5), `fast=5..50` (step 1),
/// `fast=5,10,20` or `stop_loss=0.05`.
#[derive(Clone, Debug, PartialEq)]
pub struct GridAxis {
    pub name: String,
    pub values: Vec<f64>,
}

impl FromStr for GridAxis {
    type Err = GridError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| GridError::BadAxis {
            text: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (name, values) = text
            .split_once('=')
            .ok_or_else(|| bad("expected NAME=VALUES"))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(bad("the parameter name is empty"));
        }
        let number = |text: &str| {
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|value| value.is_finite())
        };
        let values = match values.split_once("..") {
            Some((first, rest)) => {
                let (last, step) = rest.split_once(':').unwrap_or((rest, "1"));
                let (first, last, step) = (number(first), number(last), number(step));
                let (Some(first), Some(last), Some(step)) = (first, last, step) else {
                    return Err(bad(
                        "a range is FIRST..LAST or FIRST..LAST:STEP with numbers",
                    ));
                };
                inclusive_range(first, last, step)
                    .ok_or_else(|| bad("a range needs FIRST <= LAST and STEP > 0"))?
            }
            None => values
                .split(',')
                .map(number)
                .collect::<Option<Vec<f64>>>()
                .ok_or_else(|| bad("values must be numbers"))?,
        };
        Ok(Self {
            name: name.to_owned(),
            values,
        })
    }
}

/// `first, first + step, …` up to `last` inclusive, computed by multiplication so that no
/// rounding accumulates; a value within 1e-9 steps of `last` counts as reaching it.
fn inclusive_range(first: f64, last: f64, step: f64) -> Option<Vec<f64>> {
    const MAX_VALUES: f64 = 1_000_000.0;
    if !(step > 0.0 && first <= last) || (last - first) / step > MAX_VALUES {
        return None;
    }
    let count = ((last - first) / step + 1e-9).floor() as usize + 1;
    Some(
        (0..count)
            .map(|index| first + index as f64 * step)
            .collect(),
    )
}

/// A condition on parameters: `fast<slow`, `slow>=2*fast` is not supported, but a number may
/// stand on either side: `fast<=30`.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    left: Operand,
    comparison: Comparison,
    right: Operand,
}

#[derive(Clone, Debug, PartialEq)]
enum Operand {
    Parameter(String),
    Number(f64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

const COMPARISONS: [(&str, Comparison); 6] = [
    ("<=", Comparison::LessOrEqual),
    (">=", Comparison::GreaterOrEqual),
    ("!=", Comparison::NotEqual),
    ("==", Comparison::Equal),
    ("<", Comparison::Less),
    (">", Comparison::Greater),
];

impl FromStr for Constraint {
    type Err = GridError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || GridError::BadConstraint(text.to_owned());
        let (symbol, comparison) = COMPARISONS
            .iter()
            .find(|(symbol, _)| text.contains(symbol))
            .ok_or_else(bad)?;
        let (left, right) = text.split_once(symbol).ok_or_else(bad)?;
        let operand = |text: &str| {
            let text = text.trim();
            match text.parse::<f64>() {
                Ok(number) => Some(Operand::Number(number)),
                Err(_)
                    if !text.is_empty()
                        && text.chars().all(|c| c.is_alphanumeric() || c == '_') =>
                {
                    Some(Operand::Parameter(text.to_owned()))
                }
                Err(_) => None,
            }
        };
        Ok(Self {
            left: operand(left).ok_or_else(bad)?,
            comparison: *comparison,
            right: operand(right).ok_or_else(bad)?,
        })
    }
}

impl Constraint {
    fn parameters(&self) -> impl Iterator<Item = &str> {
        [&self.left, &self.right]
            .into_iter()
            .filter_map(|operand| match operand {
                Operand::Parameter(name) => Some(name.as_str()),
                Operand::Number(_) => None,
            })
    }

    fn admits(&self, parameters: &Parameters) -> bool {
        let value = |operand: &Operand| match operand {
            Operand::Parameter(name) => parameters.get(name).unwrap_or(f64::NAN),
            Operand::Number(number) => *number,
        };
        let (left, right) = (value(&self.left), value(&self.right));
        match self.comparison {
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
            Comparison::Equal => left == right,
            Comparison::NotEqual => left != right,
        }
    }
}

/// Parameter axes and the constraints a combination must meet.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    axes: Vec<GridAxis>,
    constraints: Vec<Constraint>,
}

impl Grid {
    pub fn new(axes: Vec<GridAxis>, constraints: Vec<Constraint>) -> Result<Self, GridError> {
        if axes.is_empty() {
            return Err(GridError::NoAxes);
        }
        for (index, axis) in axes.iter().enumerate() {
            if axes[..index]
                .iter()
                .any(|earlier| earlier.name == axis.name)
            {
                return Err(GridError::RepeatedAxis(axis.name.clone()));
            }
        }
        for name in constraints.iter().flat_map(Constraint::parameters) {
            if !axes.iter().any(|axis| axis.name == name) {
                return Err(GridError::UnknownConstraintParameter(name.to_owned()));
            }
        }
        Ok(Self { axes, constraints })
    }

    pub fn axes(&self) -> &[GridAxis] {
        &self.axes
    }

    /// The admissible combinations in `itertools.product` order (the last axis varies fastest).
    pub fn combinations(&self) -> Vec<Parameters> {
        let mut combinations = vec![Vec::new()];
        for axis in &self.axes {
            combinations = combinations
                .into_iter()
                .flat_map(|prefix: Vec<(String, f64)>| {
                    axis.values.iter().map(move |value| {
                        let mut combination = prefix.clone();
                        combination.push((axis.name.clone(), *value));
                        combination
                    })
                })
                .collect();
        }
        combinations
            .into_iter()
            .map(Parameters::new)
            .filter(|parameters| {
                self.constraints
                    .iter()
                    .all(|constraint| constraint.admits(parameters))
            })
            .collect()
    }
}

/// One combination's outcome.
#[derive(Clone, Debug)]
pub struct GridRun {
    pub parameters: Parameters,
    pub stats: Stats,
    /// Trades still open at the end (not in the trade statistics).
    pub open_trades: usize,
    /// The statistic maximised; NaN for runs without trades, which backtesting.py skips.
    pub score: f64,
}

/// Every run, in grid order, and their ranking.
#[derive(Clone, Debug)]
pub struct Optimization {
    pub maximize: String,
    pub runs: Vec<GridRun>,
    /// Indices into `runs`, best first; ties keep grid order and NaN scores come last.
    pub ranking: Vec<usize>,
}

impl Optimization {
    /// The best run, unless no run made a trade.
    pub fn best(&self) -> Option<&GridRun> {
        self.ranking
            .first()
            .map(|index| &self.runs[*index])
            .filter(|run| !run.score.is_nan())
    }
}

/// Backtests every combination of `grid` in parallel, building each run's strategy with
/// `build`, and ranks the runs by the statistic named `maximize`.
pub fn optimize<Build>(
    bars: &Bars,
    backtest: &Backtest,
    grid: &Grid,
    maximize: &str,
    build: Build,
) -> Result<Optimization, OptimizeError>
where
    Build: Fn(&Parameters) -> Result<Box<dyn Strategy>, ParameterError> + Sync,
{
    if !Stats::numeric_names().any(|name| name == maximize) {
        let known: Vec<&str> = Stats::numeric_names().collect();
        return Err(OptimizeError::UnknownStatistic {
            name: maximize.to_owned(),
            known: known.join(", "),
        });
    }
    let combinations = grid.combinations();
    if combinations.is_empty() {
        return Err(OptimizeError::Grid(GridError::NoAdmissibleCombination));
    }
    let runs = combinations
        .into_par_iter()
        .map(|parameters| {
            let mut strategy = build(&parameters).map_err(|source| OptimizeError::Parameters {
                parameters: parameters.to_string(),
                source,
            })?;
            let result = backtest.run(bars, strategy.as_mut()).map_err(|source| {
                OptimizeError::Backtest {
                    parameters: parameters.to_string(),
                    source,
                }
            })?;
            let score = if result.stats.trades == 0 {
                f64::NAN
            } else {
                result.stats.value(maximize).unwrap_or(f64::NAN)
            };
            Ok(GridRun {
                parameters,
                open_trades: result.open_trades.len(),
                stats: result.stats,
                score,
            })
        })
        .collect::<Result<Vec<_>, OptimizeError>>()?;
    let ranking = rank(&runs);
    Ok(Optimization {
        maximize: maximize.to_owned(),
        runs,
        ranking,
    })
}

fn rank(runs: &[GridRun]) -> Vec<usize> {
    let mut ranking: Vec<usize> = (0..runs.len()).collect();
    ranking.sort_by(|a, b| {
        let (a, b) = (runs[*a].score, runs[*b].score);
        b.partial_cmp(&a)
            .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
    });
    ranking
}

/// A grid or constraint that cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum GridError {
    #[error("bad grid axis '{text}': {reason}")]
    BadAxis { text: String, reason: String },
    #[error(
        "bad constraint '{0}': expected NAME<NAME, NAME<=NUMBER and the like (<, <=, >, >=, ==, !=)"
    )]
    BadConstraint(String),
    #[error("the grid has no parameters")]
    NoAxes,
    #[error("parameter '{0}' appears twice in the grid")]
    RepeatedAxis(String),
    #[error("the constraint names '{0}', which is not a grid parameter")]
    UnknownConstraintParameter(String),
    #[error("no parameter combination satisfies the constraints")]
    NoAdmissibleCombination,
}

/// An optimisation that could not run.
#[derive(Debug, Error)]
pub enum OptimizeError {
    #[error(transparent)]
    Grid(#[from] GridError),
    #[error("unknown statistic '{name}' to maximise; choose one of {known}")]
    UnknownStatistic { name: String, known: String },
    #[error("parameters {parameters}: {source}")]
    Parameters {
        parameters: String,
        source: ParameterError,
    },
    #[error("parameters {parameters}: {source}")]
    Backtest {
        parameters: String,
        source: BacktestError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_axis(text: &str, expected: Result<&[f64], &str>) {
        let parsed = text
            .parse::<GridAxis>()
            .map(|axis| axis.values)
            .map_err(|error| error.to_string());
        let expected = expected.map(<[f64]>::to_vec).map_err(str::to_owned);
        assert_eq!(parsed, expected, "parsing {text:?}");
    }

    #[test]
    fn parses_grid_axes() {
        check_axis(
            "fast=5..50:5",
            Ok(&[5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0]),
        );
        check_axis("fast=1..3", Ok(&[1.0, 2.0, 3.0]));
        check_axis(
            "stop_loss=0.1..0.3:0.1",
            Ok(&[0.1, 0.2, 0.30000000000000004]),
        );
        check_axis("slow=10,30, 20", Ok(&[10.0, 30.0, 20.0]));
        check_axis(
            "fast=5..1",
            Err("bad grid axis 'fast=5..1': a range needs FIRST <= LAST and STEP > 0"),
        );
        check_axis("fast", Err("bad grid axis 'fast': expected NAME=VALUES"));
        check_axis(
            "fast=a,b",
            Err("bad grid axis 'fast=a,b': values must be numbers"),
        );
    }

    #[test]
    fn product_order_and_constraints_match_backtesting_py() {
        let axes = vec![
            "fast=5..50:5".parse().unwrap(),
            "slow=10..100:10".parse().unwrap(),
        ];
        let grid = Grid::new(axes, vec!["fast<slow".parse().unwrap()]).unwrap();
        let combinations = grid.combinations();
        assert_eq!(combinations.len(), 75);
        assert_eq!(combinations[0].to_string(), "fast=5,slow=10");
        assert_eq!(combinations[1].to_string(), "fast=5,slow=20");
        assert_eq!(combinations[10].to_string(), "fast=10,slow=20");
    }

    #[test]
    fn constraints_compare_parameters_and_numbers() {
        let parameters = Parameters::new(vec![("fast".into(), 10.0), ("slow".into(), 20.0)]);
        for (text, admitted) in [
            ("fast<slow", true),
            ("fast >= slow", false),
            ("slow<=20", true),
            ("30!=slow", true),
        ] {
            let constraint: Constraint = text.parse().unwrap();
            assert_eq!(constraint.admits(&parameters), admitted, "{text}");
        }
        assert_eq!(
            "fast<".parse::<Constraint>().unwrap_err().to_string(),
            "bad constraint 'fast<': expected NAME<NAME, NAME<=NUMBER and the like (<, <=, >, >=, ==, !=)"
        );
        let grid = Grid::new(
            vec!["fast=1".parse().unwrap()],
            vec!["fast<slow".parse().unwrap()],
        );
        assert_eq!(
            grid.unwrap_err(),
            GridError::UnknownConstraintParameter("slow".into())
        );
    }
}
