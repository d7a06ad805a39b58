"""Throughput of `finml credit predict` on 100,000 applications.

The file is the bundled credit_data.csv repeated to 100,000 rows. Run from the repository root
after `cargo build --release`:
    python3 bench/credit/predict_throughput.py [--rows 100000] [--repeats 5]
"""
import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--finml", default="target/release/finml")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    finml = args.finml
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model = tmp / "model"
        subprocess.run([finml, "credit", "train", "--data", "data/credit/credit_data.csv", "--target", "Status",
                        "--epochs", "1", "--quiet", "--out", str(model)], check=True, capture_output=True)
        lines = Path("data/credit/credit_data.csv").read_text().splitlines()
        header, rows = lines[0], lines[1:]
        big = tmp / "applications.csv"
        big.write_text("\n".join([header] + [rows[i % len(rows)] for i in range(args.rows)]) + "\n")
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            subprocess.run([finml, "credit", "predict", "--model", str(model), "--data", str(big),
                            "--out", str(tmp / "scores.csv")], check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"predict {args.rows} rows: median {median:.2f} s over {args.repeats} runs "
              f"({args.rows / median:,.0f} rows/s); runs: {', '.join(f'{t:.2f}' for t in times)}")


if __name__ == "__main__":
    main()
