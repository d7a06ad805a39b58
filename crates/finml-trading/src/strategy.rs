//! The strategy interface: a strategy sees each bar once its close is known and queues orders,
//! which fill at the next bar's open.

use thiserror::Error;

use crate::bars::Bars;
use crate::broker::{Broker, OpenTrade};
use crate::time::Timestamp;

/// A trading strategy, the Rust form of a backtesting.py `Strategy` subclass.
pub trait Strategy {
    /// Prepares indicators from the whole series (each value must use only bars up to its own)
    /// and returns the warm-up: the index of the first bar at which every indicator is defined.
    /// [`Strategy::next`] is first called on the bar after it.
    fn init(&mut self, bars: &Bars) -> usize;

    /// Called on every bar after the warm-up, once the bar's close is known. Orders queued
    /// here fill at the next bar's open; one queued on the last bar never fills.
    fn next(&mut self, context: &mut Context<'_, '_>) -> Result<(), OrderError>;
}

/// What a strategy sees and can do on the current bar.
pub struct Context<'run, 'data> {
    broker: &'run mut Broker<'data>,
}

impl<'run, 'data> Context<'run, 'data> {
    pub(crate) fn new(broker: &'run mut Broker<'data>) -> Self {
        Self { broker }
    }

    /// Index of the current bar.
    pub fn bar(&self) -> usize {
        self.broker.bar()
    }

    /// Timestamps up to and including the current bar.
    pub fn timestamps(&self) -> &[Timestamp] {
        &self.broker.bars().timestamps()[..=self.bar()]
    }

    /// Opens up to and including the current bar.
    pub fn open(&self) -> &[f64] {
        &self.broker.bars().open()[..=self.bar()]
    }

    /// Highs up to and including the current bar.
    pub fn high(&self) -> &[f64] {
        &self.broker.bars().high()[..=self.bar()]
    }

    /// Lows up to and including the current bar.
    pub fn low(&self) -> &[f64] {
        &self.broker.bars().low()[..=self.bar()]
    }

    /// Closes up to and including the current bar.
    pub fn close(&self) -> &[f64] {
        &self.broker.bars().close()[..=self.bar()]
    }

    /// Volumes up to and including the current bar, where the data has them.
    pub fn volume(&self) -> Option<&[f64]> {
        let bar = self.bar();
        self.broker.bars().volume().map(|volume| &volume[..=bar])
    }

    /// The net position in units: positive long, negative short, 0 flat.
    pub fn position(&self) -> i64 {
        self.broker.position_size()
    }

    /// The open trades, oldest first.
    pub fn trades(&self) -> &[OpenTrade] {
        self.broker.trades()
    }

    /// Cash plus open trades marked at the current close.
    pub fn equity(&self) -> f64 {
        self.broker.equity()
    }

    /// Queues a long market order.
    pub fn buy(&mut self, order: Order) -> Result<(), OrderError> {
        self.broker.queue_entry(order, Side::Long)
    }

    /// Queues a short market order. Without a preceding [`Context::close_position`], it first
    /// nets against open long trades (oldest first), as backtesting.py does.
    pub fn sell(&mut self, order: Order) -> Result<(), OrderError> {
        self.broker.queue_entry(order, Side::Short)
    }

    /// Queues the closing of every open trade; closes fill before entries queued on the same bar.
    pub fn close_position(&mut self) {
        self.broker.queue_close_all();
    }
}

/// The direction of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Long,
    Short,
}

/// A market order, optionally with stop-loss and take-profit prices for the trade it opens.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Order {
    pub size: OrderSize,
    /// Closes the trade when the price reaches this level against it (a stop order).
    pub stop_loss: Option<f64>,
    /// Closes the trade when the price reaches this level in its favour (a limit order).
    pub take_profit: Option<f64>,
}

/// How much an order buys or sells.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum OrderSize {
    /// As many whole units as the available margin pays for, commission included
    /// (backtesting.py's default size, the fraction 1 − 2⁻⁵²).
    #[default]
    AllAvailable,
    /// This fraction (0 < f < 1) of the available margin, in whole units.
    Fraction(f64),
    /// This many units.
    Units(u64),
}

impl OrderSize {
    /// The size as backtesting.py holds it: a fraction below 1, or whole units.
    pub(crate) fn amount(self) -> Result<f64, OrderError> {
        match self {
            OrderSize::AllAvailable => Ok(1.0 - f64::EPSILON),
            OrderSize::Fraction(fraction) if fraction > 0.0 && fraction < 1.0 => Ok(fraction),
            OrderSize::Fraction(fraction) => Err(OrderError::BadFraction(fraction)),
            OrderSize::Units(0) => Err(OrderError::ZeroUnits),
            OrderSize::Units(units) => Ok(units as f64),
        }
    }
}

/// An order a strategy may not place.
#[derive(Debug, Error, PartialEq)]
pub enum OrderError {
    #[error("an order's fraction of margin must lie strictly between 0 and 1, not {0}")]
    BadFraction(f64),
    #[error("an order must be for at least one unit")]
    ZeroUnits,
    #[error("{what} price must be a positive finite number, not {price}")]
    BadPrice { what: &'static str, price: f64 },
    #[error(
        "a long order needs stop-loss < price < take-profit, but has stop-loss {stop_loss:?}, price {price}, take-profit {take_profit:?}"
    )]
    LongBracket {
        stop_loss: Option<f64>,
        price: f64,
        take_profit: Option<f64>,
    },
    #[error(
        "a short order needs take-profit < price < stop-loss, but has take-profit {take_profit:?}, price {price}, stop-loss {stop_loss:?}"
    )]
    ShortBracket {
        stop_loss: Option<f64>,
        price: f64,
        take_profit: Option<f64>,
    },
}
