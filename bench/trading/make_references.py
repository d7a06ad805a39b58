"""Writes the extra backtesting.py 0.6.6 reference runs that finml-trading's tests compare with:
stop-loss/take-profit, fixed + proportional commission, unit and fraction order sizes, hourly
(EURUSD) and monthly (BTCUSD) data. Each case gives <case>_stats.json and <case>_trades.csv.

    bash .ci/fetch-goog.sh
    bench/.venv/bin/python bench/trading/make_references.py target/test-data crates/finml-trading/tests/data
"""
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover


def sma(values, n):
    return pd.Series(values).rolling(n).mean()


class SmaCrossExits(Strategy):
    n1, n2, sl, tp = 10, 20, 0.05, 0.10

    def init(self):
        self.sma1 = self.I(sma, self.data.Close, self.n1)
        self.sma2 = self.I(sma, self.data.Close, self.n2)

    def next(self):
        close = self.data.Close[-1]
        if crossover(self.sma1, self.sma2):
            self.position.close()
            self.buy(sl=close * (1 - self.sl), tp=close * (1 + self.tp))
        elif crossover(self.sma2, self.sma1):
            self.position.close()
            self.sell(sl=close * (1 + self.sl), tp=close * (1 - self.tp))


class SmaCross(Strategy):
    n1, n2 = 10, 20

    def init(self):
        self.sma1 = self.I(sma, self.data.Close, self.n1)
        self.sma2 = self.I(sma, self.data.Close, self.n2)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.position.close()
            self.buy()
        elif crossover(self.sma2, self.sma1):
            self.position.close()
            self.sell()


class SizedOrders(Strategy):
    """Buys 10 units on a cross up and sells 30 % of margin on a cross down, never closing
    first: exercises netting against opposite trades, partial closes and both size kinds."""

    def init(self):
        self.sma1 = self.I(sma, self.data.Close, 10)
        self.sma2 = self.I(sma, self.data.Close, 20)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.buy(size=10)
        elif crossover(self.sma2, self.sma1):
            self.sell(size=0.3)


class BuyAndHoldExits(Strategy):
    sl, tp = 0.05, 0.20

    def init(self):
        pass

    def next(self):
        if not self.position:
            close = self.data.Close[-1]
            self.buy(sl=close * (1 - self.sl), tp=close * (1 + self.tp))


def jsonable(value):
    if isinstance(value, pd.Timestamp):
        return {"timestamp": value.isoformat()}
    if isinstance(value, pd.Timedelta):
        return {"timedelta": str(value), "days": value.days, "total_seconds": value.total_seconds()}
    if value is pd.NaT:
        return "NaT"
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return "nan" if np.isnan(value) else float(value)
    return str(value)


def run_case(name, data, strategy, out_dir, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = Backtest(data, strategy, finalize_trades=False, **options).run()
    public = {key: jsonable(value) for key, value in stats.items() if not key.startswith("_")}
    (out_dir / f"{name}_stats.json").write_text(json.dumps(public, indent=1) + "\n")
    columns = ["Size", "EntryBar", "ExitBar", "EntryPrice", "ExitPrice", "SL", "TP", "PnL",
               "Commission", "ReturnPct", "EntryTime", "ExitTime", "Duration"]
    stats["_trades"][columns].to_csv(out_dir / f"{name}_trades.csv", index=False)
    print(f"{name}: {stats['# Trades']} trades, return {stats['Return [%]']:.4f} %")


def main():
    data_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    load = lambda name: pd.read_csv(data_dir / name, index_col=0, parse_dates=True)
    goog, eurusd, btcusd = load("GOOG.csv"), load("EURUSD.csv"), load("BTCUSD.csv")
    run_case("sltp_comm0.002", goog, SmaCrossExits, out_dir, cash=10_000, commission=0.002)
    run_case("fixed3_comm0.001", goog, SmaCross, out_dir, cash=10_000, commission=(3.0, 0.001))
    run_case("sized_comm0.002", goog, SizedOrders, out_dir, cash=10_000, commission=0.002)
    run_case("buyhold_sl0.05_tp0.2", goog, BuyAndHoldExits, out_dir, cash=10_000, commission=0.002)
    run_case("eurusd_comm0.0002", eurusd, SmaCross, out_dir, cash=10_000, commission=0.0002)
    SmaCross.n1, SmaCross.n2 = 3, 6
    run_case("btcusd_3_6", btcusd, SmaCross, out_dir, cash=10_000, commission=0.002)


if __name__ == "__main__":
    main()
