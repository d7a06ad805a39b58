//! The simulated broker: an order queue, open trades and cash, following backtesting.py
//! 0.6.6's `_Broker` step by step (defaults: no spread, margin 1, fills at the next open,
//! no hedging, no exclusive orders). Expressions keep Python's order of operations so that
//! every sum and product rounds the same way.

use crate::bars::Bars;
use crate::compat::python_floor_div;
use crate::strategy::{Order, OrderError, Side};
use crate::time::{TimeSpan, Timestamp};

/// Broker fees per fill: a fixed amount plus a rate on the traded value, charged on entry and
/// again on exit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Commission {
    /// Cash charged per fill, whatever its size.
    pub fixed: f64,
    /// Fraction of the traded value (|units| × price) charged per fill.
    pub rate: f64,
}

impl Commission {
    /// A proportional commission only.
    pub fn rate(rate: f64) -> Self {
        Self { fixed: 0.0, rate }
    }

    fn cost(&self, size: f64, price: f64) -> f64 {
        self.fixed + size.abs() * price * self.rate
    }
}

/// A trade that is still open.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OpenTrade {
    id: u64,
    /// Units: positive long, negative short.
    pub size: i64,
    pub entry_price: f64,
    pub entry_bar: usize,
    pub stop_loss: Option<f64>,
    pub take_profit: Option<f64>,
}

/// A closed trade, as a row of backtesting.py's `stats._trades`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trade {
    /// Units: positive long, negative short.
    pub size: i64,
    pub entry_bar: usize,
    pub exit_bar: usize,
    pub entry_price: f64,
    pub exit_price: f64,
    pub stop_loss: Option<f64>,
    pub take_profit: Option<f64>,
    /// Profit after the entry and exit commissions.
    pub pnl: f64,
    /// Entry plus exit commission.
    pub commission: f64,
    /// Return on the entry value, net of commission, as a fraction.
    pub return_pct: f64,
    pub entry_time: Timestamp,
    pub exit_time: Timestamp,
}

impl Trade {
    pub fn duration(&self) -> TimeSpan {
        self.exit_time.since(self.entry_time)
    }
}

#[derive(Clone, Copy, Debug)]
struct QueuedOrder {
    id: u64,
    kind: OrderKind,
}

#[derive(Clone, Copy, Debug)]
enum OrderKind {
    /// A market order opening (or, against opposite trades, netting) a position. `size` is
    /// signed: a fraction of margin when below 1 in magnitude, else units.
    Entry {
        size: f64,
        stop_loss: Option<f64>,
        take_profit: Option<f64>,
    },
    /// Closes a whole trade at the next open.
    Close { trade: u64 },
    /// A stop order closing a trade, contingent on it.
    StopLoss { trade: u64, stop: f64 },
    /// A limit order closing a trade, contingent on it.
    TakeProfit { trade: u64, limit: f64 },
}

impl OrderKind {
    fn is_contingent_on(&self, trade_id: u64) -> bool {
        matches!(*self, OrderKind::StopLoss { trade, .. } | OrderKind::TakeProfit { trade, .. } if trade == trade_id)
    }
}

/// The prices of the bar that orders fill on.
#[derive(Clone, Copy)]
struct FillBar {
    open: f64,
    high: f64,
    low: f64,
}

pub(crate) struct Broker<'data> {
    bars: &'data Bars,
    commission: Commission,
    cash: f64,
    bar: usize,
    orders: Vec<QueuedOrder>,
    trades: Vec<OpenTrade>,
    closed_trades: Vec<Trade>,
    next_id: u64,
    cancelled_orders: usize,
}

impl<'data> Broker<'data> {
    pub(crate) fn new(bars: &'data Bars, cash: f64, commission: Commission) -> Self {
        Self {
            bars,
            commission,
            cash,
            bar: 0,
            orders: Vec::new(),
            trades: Vec::new(),
            closed_trades: Vec::new(),
            next_id: 0,
            cancelled_orders: 0,
        }
    }

    pub(crate) fn bars(&self) -> &'data Bars {
        self.bars
    }

    pub(crate) fn bar(&self) -> usize {
        self.bar
    }

    pub(crate) fn cash(&self) -> f64 {
        self.cash
    }

    pub(crate) fn trades(&self) -> &[OpenTrade] {
        &self.trades
    }

    pub(crate) fn cancelled_orders(&self) -> usize {
        self.cancelled_orders
    }

    pub(crate) fn into_trades(self) -> (Vec<Trade>, Vec<OpenTrade>) {
        (self.closed_trades, self.trades)
    }

    /// Moves to bar `bar` and fills what its prices allow.
    pub(crate) fn step(&mut self, bar: usize) {
        self.bar = bar;
        let fill_bar = FillBar {
            open: self.bars.open()[bar],
            high: self.bars.high()[bar],
            low: self.bars.low()[bar],
        };
        self.process_orders(fill_bar);
    }

    pub(crate) fn position_size(&self) -> i64 {
        self.trades
            .iter()
            .fold(0, |sum, trade| sum.saturating_add(trade.size))
    }

    /// Cash plus open trades marked at the current close.
    pub(crate) fn equity(&self) -> f64 {
        let close = self.current_close();
        let entry_values = self.trades.iter().fold(0.0, |sum, trade| {
            sum + trade.size as f64 * trade.entry_price
        });
        self.cash + (close * self.position_size() as f64 - entry_values)
    }

    fn margin_available(&self) -> f64 {
        let close = self.current_close();
        let margin_used = self.trades.iter().fold(0.0, |sum, trade| {
            sum + trade.size.unsigned_abs() as f64 * close
        });
        (self.equity() - margin_used).max(0.0)
    }

    fn current_close(&self) -> f64 {
        self.bars.close()[self.bar]
    }

    /// Validates and queues a market order, as `Strategy.buy()` / `sell()`.
    pub(crate) fn queue_entry(&mut self, order: Order, side: Side) -> Result<(), OrderError> {
        let amount = order.size.amount()?;
        for (what, price) in [
            ("stop-loss", order.stop_loss),
            ("take-profit", order.take_profit),
        ] {
            if let Some(price) = price.filter(|price| !(price.is_finite() && *price > 0.0)) {
                return Err(OrderError::BadPrice { what, price });
            }
        }
        let price = self.current_close();
        let (stop_loss, take_profit) = (order.stop_loss, order.take_profit);
        let below = |low: Option<f64>, high: f64| low.is_none_or(|low| low < high);
        let size = match side {
            Side::Long if below(stop_loss, price) && take_profit.is_none_or(|tp| price < tp) => {
                amount
            }
            Side::Short if below(take_profit, price) && stop_loss.is_none_or(|sl| price < sl) => {
                -amount
            }
            Side::Long => {
                return Err(OrderError::LongBracket {
                    stop_loss,
                    price,
                    take_profit,
                });
            }
            Side::Short => {
                return Err(OrderError::ShortBracket {
                    stop_loss,
                    price,
                    take_profit,
                });
            }
        };
        let kind = OrderKind::Entry {
            size,
            stop_loss,
            take_profit,
        };
        let id = self.new_id();
        self.orders.push(QueuedOrder { id, kind });
        Ok(())
    }

    /// Queues a close for every open trade, each at the front of the queue (`Position.close()`).
    pub(crate) fn queue_close_all(&mut self) {
        for index in 0..self.trades.len() {
            let kind = OrderKind::Close {
                trade: self.trades[index].id,
            };
            let id = self.new_id();
            self.orders.insert(0, QueuedOrder { id, kind });
        }
    }

    /// Equity has fallen to zero or below: close out at the current close and stop.
    pub(crate) fn go_bust(&mut self) {
        let close = self.current_close();
        // backtesting.py removes trades from the list it is iterating over, which skips every
        // second trade; those stay open and out of the trade list.
        let closing: Vec<u64> = self
            .trades
            .iter()
            .step_by(2)
            .map(|trade| trade.id)
            .collect();
        for id in closing {
            self.close_trade(id, close);
        }
        self.cash = 0.0;
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn process_orders(&mut self, bar: FillBar) {
        if self.orders.is_empty() {
            return;
        }
        let queued: Vec<u64> = self.orders.iter().map(|order| order.id).collect();
        let mut placed_contingent_orders = false;
        for id in queued {
            let Some(order) = self.orders.iter().find(|order| order.id == id).copied() else {
                continue; // cancelled together with its trade earlier in this pass
            };
            match order.kind {
                OrderKind::StopLoss { trade, stop } => self.try_stop_loss(trade, stop, bar),
                OrderKind::TakeProfit { trade, limit } => self.try_take_profit(trade, limit, bar),
                OrderKind::Close { trade } => {
                    self.close_trade(trade, bar.open);
                    self.remove_order(id);
                }
                OrderKind::Entry {
                    size,
                    stop_loss,
                    take_profit,
                } => {
                    self.remove_order(id);
                    placed_contingent_orders |=
                        self.fill_entry(size, stop_loss, take_profit, bar.open);
                }
            }
        }
        // Stop-loss and take-profit orders of trades opened just now may trigger on this bar.
        if placed_contingent_orders {
            self.process_orders(bar);
        }
    }

    fn try_stop_loss(&mut self, trade_id: u64, stop: f64, bar: FillBar) {
        let Some(trade) = self.trade(trade_id) else {
            return;
        };
        let closes_short = trade.size < 0;
        let hit = if closes_short {
            bar.high >= stop
        } else {
            bar.low <= stop
        };
        if hit {
            // A stop becomes a market order; a gap through it fills at the worse open.
            let price = if closes_short {
                python_max(bar.open, stop)
            } else {
                python_min(bar.open, stop)
            };
            self.close_trade(trade_id, price);
        }
    }

    fn try_take_profit(&mut self, trade_id: u64, limit: f64, bar: FillBar) {
        let Some(trade) = self.trade(trade_id) else {
            return;
        };
        let closes_short = trade.size < 0;
        let hit = if closes_short {
            bar.low <= limit
        } else {
            bar.high >= limit
        };
        if hit {
            // A gap beyond the limit fills at the better open.
            let price = if closes_short {
                python_min(bar.open, limit)
            } else {
                python_max(bar.open, limit)
            };
            self.close_trade(trade_id, price);
        }
    }

    /// Fills a market entry at `price`; returns whether it placed stop-loss or take-profit orders.
    fn fill_entry(
        &mut self,
        size: f64,
        stop_loss: Option<f64>,
        take_profit: Option<f64>,
        price: f64,
    ) -> bool {
        let price_with_commission = price + self.commission.cost(size, price) / size.abs();
        let mut units = if size.abs() < 1.0 {
            let whole =
                python_floor_div(self.margin_available() * size.abs(), price_with_commission);
            whole as i64 * size.signum() as i64
        } else {
            size as i64
        };
        if units == 0 {
            self.cancelled_orders += 1;
            return false;
        }
        // Sizing came first; now the order nets against opposite trades, oldest first.
        let opposite: Vec<u64> = self
            .trades
            .iter()
            .filter(|trade| (trade.size > 0) != (units > 0))
            .map(|trade| trade.id)
            .collect();
        for trade_id in opposite {
            let trade_size = self.trade(trade_id).map_or(0, |trade| trade.size);
            if units.unsigned_abs() >= trade_size.unsigned_abs() {
                self.close_trade(trade_id, price);
                units = units.saturating_add(trade_size);
            } else {
                self.reduce_trade(trade_id, price, units);
                units = 0;
            }
            if units == 0 {
                break;
            }
        }
        if units.unsigned_abs() as f64 * price_with_commission > self.margin_available() {
            self.cancelled_orders += 1;
            return false;
        }
        if units == 0 {
            return false;
        }
        self.open_trade(price, units, stop_loss, take_profit);
        stop_loss.is_some() || take_profit.is_some()
    }

    fn open_trade(
        &mut self,
        price: f64,
        size: i64,
        stop_loss: Option<f64>,
        take_profit: Option<f64>,
    ) {
        let trade = OpenTrade {
            id: self.new_id(),
            size,
            entry_price: price,
            entry_bar: self.bar,
            stop_loss,
            take_profit,
        };
        self.trades.push(trade);
        self.cash -= self.commission.cost(size as f64, price);
        // Take-profit orders queue at the back, stop-losses at the front: a bar that reaches
        // both is assumed to have hit the stop first.
        if let Some(limit) = take_profit {
            let id = self.new_id();
            self.orders.push(QueuedOrder {
                id,
                kind: OrderKind::TakeProfit {
                    trade: trade.id,
                    limit,
                },
            });
        }
        if let Some(stop) = stop_loss {
            let id = self.new_id();
            self.orders.insert(
                0,
                QueuedOrder {
                    id,
                    kind: OrderKind::StopLoss {
                        trade: trade.id,
                        stop,
                    },
                },
            );
        }
    }

    fn trade(&self, trade_id: u64) -> Option<&OpenTrade> {
        self.trades.iter().find(|trade| trade.id == trade_id)
    }

    fn remove_order(&mut self, order_id: u64) {
        self.orders.retain(|order| order.id != order_id);
    }

    fn close_trade(&mut self, trade_id: u64, price: f64) {
        let Some(index) = self.trades.iter().position(|trade| trade.id == trade_id) else {
            return; // closed earlier on this bar
        };
        let trade = self.trades.remove(index);
        self.orders
            .retain(|order| !order.kind.is_contingent_on(trade_id));
        self.settle(trade, price);
    }

    /// Closes `units` (signed against the trade) of a trade, keeping the rest open.
    fn reduce_trade(&mut self, trade_id: u64, price: f64, units: i64) {
        let Some(trade) = self.trades.iter_mut().find(|trade| trade.id == trade_id) else {
            return;
        };
        trade.size = trade.size.saturating_add(units);
        let closed_part = OpenTrade {
            size: units.saturating_neg(),
            stop_loss: None,
            take_profit: None,
            ..*trade
        };
        self.settle(closed_part, price);
    }

    /// Books the exit of a trade that is no longer in the open list.
    fn settle(&mut self, trade: OpenTrade, price: f64) {
        let size = trade.size as f64;
        let exit_commission = self.commission.cost(size, price);
        self.cash += size * (price - trade.entry_price) - exit_commission;
        let commission = exit_commission + self.commission.cost(size, trade.entry_price);
        let return_pct = size.signum() * (price / trade.entry_price - 1.0)
            - commission / (size.abs() * trade.entry_price);
        let timestamps = self.bars.timestamps();
        self.closed_trades.push(Trade {
            size: trade.size,
            entry_bar: trade.entry_bar,
            exit_bar: self.bar,
            entry_price: trade.entry_price,
            exit_price: price,
            stop_loss: trade.stop_loss,
            take_profit: trade.take_profit,
            pnl: size * (price - trade.entry_price) - commission,
            commission,
            return_pct,
            entry_time: timestamps[trade.entry_bar],
            exit_time: timestamps[self.bar],
        });
    }
}

/// Python's `max(a, b)`: `a` unless `b` is strictly greater.
fn python_max(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// Python's `min(a, b)`: `a` unless `b` is strictly smaller.
fn python_min(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}
