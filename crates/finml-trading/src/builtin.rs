//! Built-in strategies and the named parameters the command line and the optimiser set.

use std::fmt;
use std::str::FromStr;

use serde::ser::{Serialize, SerializeMap, Serializer};
use thiserror::Error;

use crate::bars::Bars;
use crate::indicators::{crossed_above, sma, warmup};
use crate::strategy::{Context, Order, OrderError, Side, Strategy};

/// Stop-loss and take-profit distances, as fractions of the close on which the order is placed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Exits {
    /// 0.05 puts the stop 5 % below a long entry's reference close (above for a short).
    pub stop_loss: Option<f64>,
    /// 0.10 takes profit 10 % above a long entry's reference close (below for a short).
    pub take_profit: Option<f64>,
}

impl Exits {
    /// A full-size market order with these exits around `reference`.
    pub fn order(&self, side: Side, reference: f64) -> Order {
        let (against, favour) = match side {
            Side::Long => (-1.0, 1.0),
            Side::Short => (1.0, -1.0),
        };
        let level = |fraction: f64, direction: f64| {
            if direction > 0.0 {
                reference * (1.0 + fraction)
            } else {
                reference * (1.0 - fraction)
            }
        };
        Order {
            stop_loss: self.stop_loss.map(|fraction| level(fraction, against)),
            take_profit: self.take_profit.map(|fraction| level(fraction, favour)),
            ..Order::default()
        }
    }
}

/// backtesting.py's Quick Start `SmaCross`: when the fast SMA of closes crosses above the slow
/// one, close the position and buy; when it crosses below, close and sell.
#[derive(Clone, Debug, PartialEq)]
pub struct SmaCross {
    fast: usize,
    slow: usize,
    exits: Exits,
    fast_sma: Vec<f64>,
    slow_sma: Vec<f64>,
}

impl SmaCross {
    pub fn new(fast: usize, slow: usize) -> Self {
        Self {
            fast,
            slow,
            exits: Exits::default(),
            fast_sma: Vec::new(),
            slow_sma: Vec::new(),
        }
    }

    /// Puts these stop-loss and take-profit levels on every entry.
    pub fn with_exits(self, exits: Exits) -> Self {
        Self { exits, ..self }
    }
}

impl Strategy for SmaCross {
    fn init(&mut self, bars: &Bars) -> usize {
        self.fast_sma = sma(bars.close(), self.fast);
        self.slow_sma = sma(bars.close(), self.slow);
        warmup(&self.fast_sma).max(warmup(&self.slow_sma))
    }

    fn next(&mut self, context: &mut Context<'_, '_>) -> Result<(), OrderError> {
        let bar = context.bar();
        let close = context.close()[bar];
        if crossed_above(&self.fast_sma, &self.slow_sma, bar) {
            context.close_position();
            context.buy(self.exits.order(Side::Long, close))?;
        } else if crossed_above(&self.slow_sma, &self.fast_sma, bar) {
            context.close_position();
            context.sell(self.exits.order(Side::Short, close))?;
        }
        Ok(())
    }
}

/// Buys with all available margin whenever flat: on the first bar, and again after an exit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BuyAndHold {
    exits: Exits,
}

impl BuyAndHold {
    pub fn new(exits: Exits) -> Self {
        Self { exits }
    }
}

impl Strategy for BuyAndHold {
    fn init(&mut self, _bars: &Bars) -> usize {
        0
    }

    fn next(&mut self, context: &mut Context<'_, '_>) -> Result<(), OrderError> {
        if context.position() == 0 {
            let close = context.close()[context.bar()];
            context.buy(self.exits.order(Side::Long, close))?;
        }
        Ok(())
    }
}

/// Named parameter values, in the order given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parameters(Vec<(String, f64)>);

impl Parameters {
    pub fn new(values: Vec<(String, f64)>) -> Self {
        Self(values)
    }

    pub fn get(&self, name: &str) -> Option<f64> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| *value)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(name, value)| (name.as_str(), *value))
    }
}

/// Serialises as a JSON object in the parameters' order, whole numbers as integers.
impl Serialize for Parameters {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.iter() {
            if value.fract() == 0.0 && value.abs() < 1e15 {
                map.serialize_entry(name, &(value as i64))?;
            } else {
                map.serialize_entry(name, &value)?;
            }
        }
        map.end()
    }
}

/// `fast=10,slow=20`, with whole numbers written without a decimal point.
impl fmt::Display for Parameters {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (name, value)) in self.iter().enumerate() {
            let separator = if index == 0 { "" } else { "," };
            write!(formatter, "{separator}{name}={value}")?;
        }
        Ok(())
    }
}

/// The strategies the command line knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinStrategy {
    SmaCross,
    BuyAndHold,
}

const EXIT_PARAMETERS: [&str; 2] = ["stop_loss", "take_profit"];

impl BuiltinStrategy {
    pub const ALL: [BuiltinStrategy; 2] = [BuiltinStrategy::SmaCross, BuiltinStrategy::BuyAndHold];

    pub fn name(self) -> &'static str {
        match self {
            BuiltinStrategy::SmaCross => "sma-cross",
            BuiltinStrategy::BuyAndHold => "buy-and-hold",
        }
    }

    /// The parameters the strategy takes.
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            BuiltinStrategy::SmaCross => &["fast", "slow", "stop_loss", "take_profit"],
            BuiltinStrategy::BuyAndHold => &EXIT_PARAMETERS,
        }
    }

    /// Builds the strategy; parameters left out take their defaults (fast 10, slow 20, no exits).
    pub fn build(self, parameters: &Parameters) -> Result<Box<dyn Strategy>, ParameterError> {
        for (name, _) in parameters.iter() {
            if !self.parameter_names().contains(&name) {
                let known = self.parameter_names().join(", ");
                return Err(ParameterError::Unknown {
                    strategy: self.name(),
                    name: name.to_owned(),
                    known,
                });
            }
        }
        let exits = Exits {
            stop_loss: fraction(parameters, "stop_loss")?,
            take_profit: fraction(parameters, "take_profit")?,
        };
        Ok(match self {
            BuiltinStrategy::SmaCross => {
                let fast = period(parameters, "fast", 10)?;
                let slow = period(parameters, "slow", 20)?;
                Box::new(SmaCross::new(fast, slow).with_exits(exits))
            }
            BuiltinStrategy::BuyAndHold => Box::new(BuyAndHold::new(exits)),
        })
    }
}

impl FromStr for BuiltinStrategy {
    type Err = ParameterError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|strategy| strategy.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|strategy| strategy.name()).collect();
                ParameterError::UnknownStrategy {
                    name: name.to_owned(),
                    known: known.join(", "),
                }
            })
    }
}

fn period(
    parameters: &Parameters,
    name: &'static str,
    default: usize,
) -> Result<usize, ParameterError> {
    match parameters.get(name) {
        None => Ok(default),
        Some(value) if value >= 1.0 && value.fract() == 0.0 && value <= u32::MAX as f64 => {
            Ok(value as usize)
        }
        Some(value) => Err(ParameterError::NotAPeriod { name, value }),
    }
}

fn fraction(parameters: &Parameters, name: &'static str) -> Result<Option<f64>, ParameterError> {
    match parameters.get(name) {
        Some(value) if !(value > 0.0 && value < 1.0) => {
            Err(ParameterError::NotAFraction { name, value })
        }
        value => Ok(value),
    }
}

/// A strategy name or parameter the built-in strategies do not accept.
#[derive(Debug, Error, PartialEq)]
pub enum ParameterError {
    #[error("unknown strategy '{name}'; the built-in strategies are {known}")]
    UnknownStrategy { name: String, known: String },
    #[error("{strategy} has no parameter '{name}'; it takes {known}")]
    Unknown {
        strategy: &'static str,
        name: String,
        known: String,
    },
    #[error("{name} must be a whole number of bars, at least 1, not {value}")]
    NotAPeriod { name: &'static str, value: f64 },
    #[error("{name} must be a fraction between 0 and 1 (0.05 for 5 %), not {value}")]
    NotAFraction { name: &'static str, value: f64 },
}
