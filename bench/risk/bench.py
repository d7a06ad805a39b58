"""Speed of `finml risk portfolio` beside the numpy peer (numpy_copula.py) on the same simulation:
the 10,000-loan reference portfolio, 100,000 scenarios, 99.9%, 2 threads.

Each configuration runs --repeats times as a child process; the script reports the medians of
wall time and CPU time (user + system of the child, all threads) of the whole process, the
simulation's own wall time as the program reports it, and the ratios numpy / finml. It also runs
finml on 1 thread, and on a copy of the portfolio with continuous PDs, where no two loans share
(PD, rho) and so no two share a conditional default probability (numpy's cost does not depend
on that).

Run from the repository root after `cargo build --release -p finml-cli`:
    bench/.venv/bin/python bench/risk/bench.py
"""

import argparse
import csv
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "crates/finml-risk/tests/data"
PORTFOLIO = DATA / "credit_portfolio_10k.csv"


def run_child(command, environment):
    """Runs a command; returns its parsed JSON output, wall seconds and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(completed.stdout), wall, cpu


def measure(name, command, repeats, environment):
    runs = [run_child(command, environment) for _ in range(repeats)]
    result = {
        "name": name,
        "command": " ".join(str(part).replace(f"{ROOT}/", "") for part in command),
        "repeats": repeats,
        "wall_median": statistics.median(wall for _, wall, _ in runs),
        "cpu_median": statistics.median(cpu for _, _, cpu in runs),
        "inner_seconds_median": statistics.median(output["seconds"] for output, _, _ in runs),
        "output": runs[0][0],
    }
    print(
        f"{name:<34} wall {result['wall_median']:8.3f} s  cpu {result['cpu_median']:8.3f} s  "
        f"(simulation {result['inner_seconds_median']:.3f} s)  VaR {result['output']['VaR']:.0f}  "
        f"ES {result['output']['ES']:.0f}",
        flush=True,
    )
    return result


def continuous_pd_copy(directory):
    """The portfolio with continuous PDs: each PD times a lognormal factor (sigma 0.3, seed 1),
    capped at 0.5, and rho from the Basel corporate formula, so no two loans share (PD, rho)."""
    rng = random.Random(1)
    path = Path(directory) / "continuous_pd_10k.csv"
    with open(PORTFOLIO, newline="") as source, open(path, "w", newline="") as target:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(target, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            pd = min(0.5, float(row["PD"]) * math.exp(rng.gauss(0.0, 0.3)))
            weight = (1 - math.exp(-50 * pd)) / (1 - math.exp(-50))
            row["PD"], row["rho"] = repr(pd), repr(0.12 * weight + 0.24 * (1 - weight))
            writer.writerow(row)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / "target/release/finml"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--numpy-repeats", type=int, default=3)
    parser.add_argument("--scenarios", type=int, default=100_000)
    parser.add_argument("--out", default=str(ROOT / "bench/risk/results.json"))
    args = parser.parse_args()

    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    simulation = ["--scenarios", str(args.scenarios), "--seed", "1", "--confidence", "0.999", "--json"]
    finml = [args.binary, "risk", "portfolio", "--input", str(PORTFOLIO), *simulation]
    numpy = [sys.executable, str(ROOT / "bench/risk/numpy_copula.py"), "--input", str(PORTFOLIO),
             "--scenarios", str(args.scenarios), "--seed", "1", "--confidence", "0.999"]
    with tempfile.TemporaryDirectory() as directory:
        continuous = continuous_pd_copy(directory)
        results = [
            measure("finml, 2 threads", [*finml, "--threads", "2"], args.repeats, environment),
            measure("finml, 1 thread", [*finml, "--threads", "1"], args.repeats, environment),
            measure(
                "finml, 2 threads, continuous PDs",
                [args.binary, "risk", "portfolio", "--input", str(continuous), *simulation, "--threads", "2"],
                args.numpy_repeats,
                environment,
            ),
            measure("numpy, 2 threads", [*numpy, "--threads", "2"], args.numpy_repeats, environment),
        ]
        for result in results:
            result["command"] = result["command"].replace(directory, "$TMPDIR")
    by_name = {result["name"]: result for result in results}
    rust, peer = by_name["finml, 2 threads"], by_name["numpy, 2 threads"]
    ratios = {
        "cpu_numpy_over_finml": peer["cpu_median"] / rust["cpu_median"],
        "wall_numpy_over_finml": peer["wall_median"] / rust["wall_median"],
        "simulation_wall_numpy_over_finml": peer["inner_seconds_median"] / rust["inner_seconds_median"],
        "cpu_numpy_over_finml_continuous_pds": peer["cpu_median"]
        / by_name["finml, 2 threads, continuous PDs"]["cpu_median"],
    }
    for name, value in ratios.items():
        print(f"{name:<42} {value:8.1f}x")
    Path(args.out).write_text(json.dumps({"results": results, "ratios": ratios}, indent=1) + "\n")


if __name__ == "__main__":
    main()
