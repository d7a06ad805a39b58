"""finml's credit models against the Python peers of issue 3, on the same fixed folds, side by
side: logistic regression (scikit-learn), the WoE scorecard (optbinning), gradient-boosted
trees (LightGBM with defaults and with a small inner search, XGBoost) and scikit-learn's MLP.

Peers, fitted on the training folds only:
- scikit-learn LogisticRegression on median-imputed (with missing indicators), standardised
  numeric columns and one-hot categorical columns, C chosen by 5-fold stratified inner CV on
  AUC over the same grid finml uses (LogisticRegressionCV);
- optbinning BinningProcess with its defaults, then LogisticRegression on WoE (optbinning's
  Scorecard pipeline without the points scaling, which does not change the ranking).
finml runs `finml credit cv --model M --json` on the same folds for each of its models
(logistic, scorecard, gbdt, ensemble, mlp, mlp --ensemble 5, ft-transformer).

Run from the repository root:
    cargo build --workspace             # the binary lands in $CARGO_TARGET_DIR/debug/finml
    python3 -m venv bench/.venv && bench/.venv/bin/pip install scikit-learn pandas optbinning lightgbm xgboost
    bench/.venv/bin/python bench/credit_models.py --finml target/debug/finml
"""
import argparse
import json
import os
import statistics
import subprocess
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "2")
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DATASETS = [("german", "creditability"), ("credit_data", "Status")]
C_GRID = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0]


def finml_cv(finml, name, target, model, *flags):
    command = [
        finml, "credit", "cv", "--data", f"data/credit/{name}.csv", "--target", target,
        "--folds", f"data/credit/folds/{name}.csv", "--model", model, "--json", *flags,
    ]
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return {
        "auc": [f["auc"] for f in report["folds"]],
        "brier": [f["brier"] for f in report["folds"]],
        "fit_seconds": [f["fit_seconds"] for f in report["folds"]],
    }


def logistic(numeric, categorical):
    encode = _linear_encoding(numeric, categorical)
    inner = StratifiedKFold(5, shuffle=True, random_state=42)
    search = LogisticRegressionCV(Cs=C_GRID, cv=inner, scoring="roc_auc", max_iter=5000)
    return make_pipeline(encode, search)


def scorecard(numeric, categorical):
    from optbinning import BinningProcess

    # optbinning's defaults (monotonic trend "auto", its own pre-binning and size limits, no
    # selection) and scikit-learn's default LogisticRegression (C = 1): this reproduces the
    # reference table's 0.7841 / 0.8258 exactly.
    binning = BinningProcess(numeric + categorical, categorical_variables=categorical)
    return make_pipeline(binning, LogisticRegression(max_iter=5000))


def lightgbm_default(numeric, categorical):
    from lightgbm import LGBMClassifier

    return make_pipeline(_category_dtypes(categorical), LGBMClassifier(n_jobs=2, verbose=-1, random_state=42))


def lightgbm_search(numeric, categorical):
    from lightgbm import LGBMClassifier
    from sklearn.model_selection import GridSearchCV

    # The reference table's "small inner-CV search of tree size": 300 trees at rate 0.03, the
    # number of leaves chosen by inner stratified CV on AUC, on the training folds only.
    booster = LGBMClassifier(n_estimators=300, learning_rate=0.03, n_jobs=2, verbose=-1, random_state=42)
    inner = StratifiedKFold(3, shuffle=True, random_state=42)
    search = GridSearchCV(booster, {"num_leaves": [4, 8, 16, 31]}, cv=inner, scoring="roc_auc")
    return make_pipeline(_category_dtypes(categorical), search)


def xgboost_default(numeric, categorical):
    from xgboost import XGBClassifier

    encode = ColumnTransformer([
        ("num", "passthrough", numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
    ])
    return make_pipeline(encode, XGBClassifier(n_jobs=2, random_state=42))


def mlp_default(numeric, categorical):
    from sklearn.neural_network import MLPClassifier

    return make_pipeline(_linear_encoding(numeric, categorical), MLPClassifier(random_state=42))


class _CategoryDtypes:
    """Marks the text columns as pandas categories, which LightGBM splits natively."""

    def __init__(self, categorical):
        self.categorical = categorical

    def fit(self, frame, y=None):
        self.levels = {c: sorted(frame[c].dropna().unique()) for c in self.categorical}
        return self

    def transform(self, frame):
        frame = frame.copy()
        for c, levels in self.levels.items():
            frame[c] = pd.Categorical(frame[c], categories=levels)
        return frame

    def get_params(self, deep=True):
        return {"categorical": self.categorical}


def _category_dtypes(categorical):
    return _CategoryDtypes(categorical)


def _linear_encoding(numeric, categorical):
    return ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
    ])


def peer_cv(name, target, make):
    frame = pd.read_csv(f"data/credit/{name}.csv")
    folds = pd.read_csv(f"data/credit/folds/{name}.csv").sort_values("row")["fold"].to_numpy()
    y = frame.pop(target).to_numpy()
    categorical = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numeric = [c for c in frame.columns if c not in categorical]
    result = {"auc": [], "brier": [], "fit_seconds": []}
    for fold in sorted(set(folds)):
        train, test = folds != fold, folds == fold
        model = make(numeric, categorical)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(frame[train], y[train])
        result["fit_seconds"].append(time.perf_counter() - started)
        p = model.predict_proba(frame[test])[:, 1]
        result["auc"].append(roc_auc_score(y[test], p))
        result["brier"].append(brier_score_loss(y[test], p))
    return result


def line(data, who, r):
    fit = r["fit_seconds"]
    print(
        f"{data:<12} {who:<22} AUC {statistics.mean(r['auc']):.4f} ± {np.std(r['auc']):.4f}  "
        f"Brier {statistics.mean(r['brier']):.4f}  fit s/fold median {statistics.median(fit):.3f} "
        f"(per fold: {', '.join(f'{s:.3f}' for s in fit)})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--finml", default="target/debug/finml")
    parser.add_argument("--json", help="also write every per-fold figure to this file")
    parser.add_argument("--only", help="run only the lines whose name contains this, e.g. gbdt")
    args = parser.parse_args()
    results = {}
    for name, target in DATASETS:
        runs = [
            ("finml logistic", lambda: finml_cv(args.finml, name, target, "logistic")),
            ("sklearn logistic", lambda: peer_cv(name, target, logistic)),
            ("finml scorecard", lambda: finml_cv(args.finml, name, target, "scorecard")),
            ("optbinning scorecard", lambda: peer_cv(name, target, scorecard)),
            ("finml gbdt", lambda: finml_cv(args.finml, name, target, "gbdt")),
            ("finml ensemble", lambda: finml_cv(args.finml, name, target, "ensemble")),
            ("finml mlp", lambda: finml_cv(args.finml, name, target, "mlp")),
            ("finml mlp --ensemble 5",
             lambda: finml_cv(args.finml, name, target, "mlp", "--ensemble", "5")),
            ("finml ft-transformer", lambda: finml_cv(args.finml, name, target, "ft-transformer")),
            ("lightgbm default", lambda: peer_cv(name, target, lightgbm_default)),
            ("lightgbm search (gbdt)", lambda: peer_cv(name, target, lightgbm_search)),
            ("xgboost default (gbdt)", lambda: peer_cv(name, target, xgboost_default)),
            ("sklearn mlp default", lambda: peer_cv(name, target, mlp_default)),
        ]
        for who, run in runs:
            if args.only and args.only not in who:
                continue
            r = run()
            results[f"{name}/{who}"] = r
            line(name, who, r)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
