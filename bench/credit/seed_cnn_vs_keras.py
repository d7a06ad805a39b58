"""The spec's CNN, finml against Keras (tensorflow-cpu), on the same fixed folds, side by side.

Both use 2 threads. For each data set: finml's `credit cv` (5 folds), then the same network in
Keras with the same preprocessing (median imputation with missing indicators, min-max scaling,
one-hot encoding, the 28x28x1 layout: the image finml builds, pixel for pixel for every row whose
levels the training folds saw), Adam, binary cross-entropy, 10 epochs, batch 32.

Run from the repository root:
    cargo build --release
    python3 -m venv bench/.venv && bench/.venv/bin/pip install tensorflow-cpu scikit-learn pandas
    bench/.venv/bin/python bench/credit/seed_cnn_vs_keras.py [--repeats 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import pandas as pd
import tensorflow as tf
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder

tf.config.threading.set_intra_op_parallelism_threads(2)
tf.config.threading.set_inter_op_parallelism_threads(2)
keras = tf.keras

DATASETS = [("german", "creditability"), ("credit_data", "Status")]


def finml_cv(finml, name, target):
    command = [
        finml, "credit", "cv", "--data", f"data/credit/{name}.csv", "--target", target,
        "--folds", f"data/credit/folds/{name}.csv", "--model", "seed-cnn", "--threads", "2", "--json",
    ]
    started = time.perf_counter()
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    wall = time.perf_counter() - started
    return {
        "auc_mean": report["mean"]["auc"],
        "auc_std": report["std"]["auc"],
        "fit_seconds": sum(f["fit_seconds"] for f in report["folds"]),
        "wall_seconds": wall,
    }


def spec_cnn():
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(64, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(128, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def images(frame, fitted, unseen_after_each_column=False):
    x = fitted.transform(frame)
    x = x.toarray() if hasattr(x, "toarray") else x
    if unseen_after_each_column:
        x = with_unseen_slots(x, fitted)
    padded = np.zeros((x.shape[0], 784), dtype=np.float32)
    padded[:, : x.shape[1]] = x
    return padded.reshape(-1, 28, 28, 1)


def with_unseen_slots(x, fitted):
    """Inserts an always-zero "unseen level" input after each categorical column's levels, as
    finml's package format 1 did (format 2 puts them after all levels, where they are zero like
    the image's padding, so its image is this pipeline's without them)."""
    n_cat = sum(len(c) for c in fitted.named_transformers_["cat"][-1].categories_)
    blocks, at = [x[:, : x.shape[1] - n_cat]], x.shape[1] - n_cat
    for levels in fitted.named_transformers_["cat"][-1].categories_:
        blocks += [x[:, at : at + len(levels)], np.zeros((x.shape[0], 1), dtype=x.dtype)]
        at += len(levels)
    return np.hstack(blocks)


def keras_cv(name, target, scaler=MinMaxScaler, indicator=True, seed=42, unseen_after_each_column=False):
    """The spec's network in Keras on the fixed folds, on finml's inputs by default: min-max
    scaling, median imputation with missing indicators, numeric values then indicators then
    one-hot levels, a missing category filled with "" so that it sorts first as in finml."""
    frame = pd.read_csv(f"data/credit/{name}.csv")
    folds = pd.read_csv(f"data/credit/folds/{name}.csv").sort_values("row")["fold"].to_numpy()
    y = frame.pop(target).to_numpy()
    numeric = frame.select_dtypes("number").columns.tolist()
    categorical = [c for c in frame.columns if c not in numeric]
    aucs, fit_seconds = [], 0.0
    for fold in sorted(set(folds)):
        train, test = folds != fold, folds == fold
        pre = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=indicator), scaler()), numeric),
            ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value=""),
                                  OneHotEncoder(handle_unknown="ignore")), categorical),
        ])
        started = time.perf_counter()
        fitted = pre.fit(frame[train])
        keras.utils.set_random_seed(seed)
        model = spec_cnn()
        model.fit(images(frame[train], fitted, unseen_after_each_column), y[train], epochs=10, batch_size=32, verbose=0)
        fit_seconds += time.perf_counter() - started
        test_images = images(frame[test], fitted, unseen_after_each_column)
        aucs.append(roc_auc_score(y[test], model.predict(test_images, verbose=0).ravel()))
    return {"auc_mean": float(np.mean(aucs)), "auc_std": float(np.std(aucs)), "fit_seconds": fit_seconds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--finml", default="target/release/finml")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results = {"tensorflow": tf.__version__, "repeats": args.repeats, "data": {}}
    for name, target in DATASETS:
        runs = {"finml": [], "keras": []}
        for _ in range(args.repeats):
            runs["finml"].append(finml_cv(args.finml, name, target))
            runs["keras"].append(keras_cv(name, target))
        summary = {}
        for tool, tool_runs in runs.items():
            summary[tool] = {
                "auc_mean": tool_runs[0]["auc_mean"],
                "auc_std": tool_runs[0]["auc_std"],
                "fit_seconds_median": statistics.median(r["fit_seconds"] for r in tool_runs),
                "fit_seconds_runs": [round(r["fit_seconds"], 2) for r in tool_runs],
            }
        summary["keras_over_finml_time"] = summary["keras"]["fit_seconds_median"] / summary["finml"]["fit_seconds_median"]
        results["data"][name] = summary
        print(json.dumps({name: summary}), flush=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
