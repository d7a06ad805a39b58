//! The `model` strategy: trades a forecaster's signals through the backtesting engine.

use crate::bars::Bars;
use crate::strategy::{Context, Order, OrderError, Strategy};

/// Long with all available margin on bars whose signal is true, flat on the others; bars
/// without a signal (before `first`, or past the signals' end) count as flat.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelStrategy {
    first: usize,
    long: Vec<bool>,
}

impl ModelStrategy {
    /// `long[i]` is the signal made at the close of bar `first + i`; the order it queues fills
    /// at the next bar's open. The engine first calls a strategy on the bar after its warm-up,
    /// so the warm-up is `first − 1`, and a signal on bar 0 is never traded.
    ///
    /// ```
    /// use finml_trading::{Backtest, Bar, Bars, Commission, ModelStrategy, NANOS_PER_DAY, Timestamp};
    /// let bars = Bars::from_bars((0..6).map(|day| {
    ///     let price = 100.0 + day as f64;
    ///     let timestamp = Timestamp::from_nanos(day * NANOS_PER_DAY);
    ///     Bar { timestamp, open: price, high: price + 1.0, low: price - 1.0, close: price, volume: None }
    /// }))
    /// .unwrap();
    /// let mut strategy = ModelStrategy::new(1, vec![true, true, false, false]);
    /// let result = Backtest::new(10_000.0, Commission::rate(0.0)).unwrap().run(&bars, &mut strategy).unwrap();
    /// let trade = &result.trades[0];
    /// assert_eq!((trade.entry_bar, trade.exit_bar), (2, 4));
    /// ```
    pub fn new(first: usize, long: Vec<bool>) -> Self {
        Self { first, long }
    }

    fn wants_long(&self, bar: usize) -> bool {
        bar.checked_sub(self.first)
            .and_then(|index| self.long.get(index))
            .copied()
            .unwrap_or(false)
    }
}

impl Strategy for ModelStrategy {
    fn init(&mut self, _bars: &Bars) -> usize {
        self.first.saturating_sub(1)
    }

    fn next(&mut self, context: &mut Context<'_, '_>) -> Result<(), OrderError> {
        let long = self.wants_long(context.bar());
        if long && context.position() == 0 {
            context.buy(Order::default())?;
        } else if !long && context.position() != 0 {
            context.close_position();
        }
        Ok(())
    }
}
