"""Times finml-trading against backtesting.py 0.6.6 (and vectorbt, when installed) side by side
in one run: one GOOG backtest (SmaCross 10/20, cash 10,000, commission 0.002) and the 75-run
grid (n1 5..50 step 5, n2 10..100 step 10, n1 < n2, maximising the Sharpe ratio).

Every figure is a median over repeated rounds; ratios divide by finml's figure. Run it with
bench/trading/run.sh, which installs what it needs.

    bench/.venv/bin/python bench/trading/compare.py --goog target/test-data/GOOG.csv \
        --bench-binary target/release/examples/bench --finml target/release/finml
"""
import argparse
import json
import os
import statistics
import subprocess
import time
import warnings

# backtesting.py shows tqdm progress bars when tqdm is installed (vectorbt brings it): off,
# as when backtesting.py is installed alone.
os.environ.setdefault("TQDM_DISABLE", "1")

import pandas as pd  # noqa: E402
from backtesting import Backtest, Strategy  # noqa: E402
from backtesting.lib import crossover  # noqa: E402

warnings.filterwarnings("ignore")


def sma(values, n):
    return pd.Series(values).rolling(n).mean()


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


def median_seconds(rounds, work):
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def backtesting_py(goog, rounds_single, rounds_grid):
    bt = Backtest(goog, SmaCross, cash=10_000, commission=0.002, finalize_trades=False)
    single = median_seconds(rounds_single, bt.run)
    grid = median_seconds(rounds_grid, lambda: bt.optimize(
        n1=range(5, 51, 5), n2=range(10, 101, 10), constraint=lambda p: p.n1 < p.n2,
        maximize="Sharpe Ratio"))
    return single, grid


def vectorbt(goog, rounds_single, rounds_grid):
    """vectorbt's compiled from_signals on the same crossovers (not the same fill rules:
    a speed reference only). None when vectorbt is not installed."""
    try:
        import numpy as np
        import vectorbt as vbt
    except ImportError:
        return None
    close, open_ = goog["Close"], goog["Open"]
    pairs = [(fast, slow) for fast in range(5, 51, 5) for slow in range(10, 101, 10) if fast < slow]

    def run(pairs_to_run):
        fast = vbt.MA.run(close, [p[0] for p in pairs_to_run]).ma.to_numpy().reshape(len(close), -1)
        slow = vbt.MA.run(close, [p[1] for p in pairs_to_run]).ma.to_numpy().reshape(len(close), -1)
        no_signal = np.zeros((1, len(pairs_to_run)), dtype=bool)
        # A cross on bar i trades at bar i + 1's open, as in backtesting.py.
        up = np.vstack([no_signal, no_signal, (fast[:-2] < slow[:-2]) & (fast[1:-1] > slow[1:-1])])
        down = np.vstack([no_signal, no_signal, (fast[:-2] > slow[:-2]) & (fast[1:-1] < slow[1:-1])])
        frame = lambda values: pd.DataFrame(values, index=close.index)
        portfolio = vbt.Portfolio.from_signals(
            close, frame(up), frame(down), price=open_, direction="both", fees=0.002,
            init_cash=10_000, freq="1D")
        return np.asarray(portfolio.sharpe_ratio())

    run(pairs)  # compile the numba kernels outside the timing
    return median_seconds(rounds_single, lambda: run(pairs[10:11])), median_seconds(rounds_grid, lambda: run(pairs))


def finml_in_process(bench_binary, goog_path, rounds):
    output = subprocess.run([bench_binary, goog_path, str(rounds)], check=True, capture_output=True, text=True)
    return json.loads(output.stdout)


def finml_command(finml, arguments, rounds):
    return median_seconds(rounds, lambda: subprocess.run([finml, *arguments], check=True, capture_output=True))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--goog", required=True)
    parser.add_argument("--bench-binary", required=True)
    parser.add_argument("--finml", required=True)
    parser.add_argument("--rounds-single", type=int, default=21)
    parser.add_argument("--rounds-grid", type=int, default=5)
    args = parser.parse_args()

    goog = pd.read_csv(args.goog, index_col=0, parse_dates=True)
    py_single, py_grid = backtesting_py(goog, args.rounds_single, args.rounds_grid)
    vbt = vectorbt(goog, args.rounds_single, args.rounds_grid)
    rust = finml_in_process(args.bench_binary, args.goog, 201)
    rust_one_thread = json.loads(subprocess.run(
        [args.bench_binary, args.goog, "51"], check=True, capture_output=True, text=True,
        env={**os.environ, "RAYON_NUM_THREADS": "1"}).stdout)
    common = ["--data", args.goog, "--strategy", "sma-cross", "--cash", "10000", "--commission", "0.002", "--json"]
    cli_single = finml_command(args.finml, ["trade", "backtest", *common, "--fast", "10", "--slow", "20"], 21)
    cli_grid = finml_command(args.finml, ["trade", "optimize", *common, "--grid", "fast=5..50:5",
                                          "--grid", "slow=10..100:10", "--constraint", "fast<slow",
                                          "--maximize", "Sharpe Ratio"], 21)

    rows = [
        ("backtesting.py 0.6.6, `Backtest.run()` / `optimize()` (cpu_count processes)", py_single, py_grid),
        ("vectorbt `Portfolio.from_signals`, compiled (speed reference only)", *(vbt or (None, None))),
        (f"finml-trading in-process, {rust['threads']} threads (`examples/bench.rs`)", rust["single_s"], rust["grid_s"]),
        ("finml-trading in-process, 1 thread", rust_one_thread["single_s"], rust_one_thread["grid_s"]),
        ("`finml trade backtest` / `optimize` command, end to end (process, CSV, JSON)", cli_single, cli_grid),
    ]
    print(f"| implementation | one backtest | 75-run grid | backtesting.py ÷ this (one / grid) |")
    print("|---|---|---|---|")
    for name, single, grid in rows:
        if single is None:
            print(f"| {name} | not installed | not installed | |")
            continue
        print(f"| {name} | {format_seconds(single)} | {format_seconds(grid)} | "
              f"{py_single / single:,.0f}× / {py_grid / grid:,.0f}× |")
    print(f"\nfinml-trading loads GOOG.csv in {format_seconds(rust['load_s'])} (median).")
    print(json.dumps({"backtesting_py": [py_single, py_grid], "vectorbt": vbt, "finml": rust,
                      "finml_one_thread": rust_one_thread, "finml_cli": [cli_single, cli_grid]}))


def format_seconds(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


if __name__ == "__main__":
    main()
