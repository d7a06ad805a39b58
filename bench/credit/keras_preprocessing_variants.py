"""Why finml's seed-cnn AUC on credit_data sits above the Keras reference in shared/data: the
same Keras network on the same folds under different preprocessing (min-max with missing
indicators, as finml does; without them; standardised without them) and other seeds.

Run from the repository root (about 8 minutes on 2 cores):
    bench/.venv/bin/python bench/credit/keras_preprocessing_variants.py
"""
import sys, json, time
sys.path.insert(0, "bench/credit")
import seed_cnn_vs_keras as b
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler
keras = b.keras

def run(name, target, scaler, indicator, seed=42):
    frame = pd.read_csv(f"data/credit/{name}.csv")
    folds = pd.read_csv(f"data/credit/folds/{name}.csv").sort_values("row")["fold"].to_numpy()
    y = frame.pop(target).to_numpy()
    numeric = frame.select_dtypes("number").columns.tolist()
    categorical = [c for c in frame.columns if c not in numeric]
    aucs = []
    for fold in sorted(set(folds)):
        train, test = folds != fold, folds == fold
        pre = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=indicator), scaler()), numeric),
            ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                                  OneHotEncoder(handle_unknown="ignore")), categorical),
        ])
        fitted = pre.fit(frame[train])
        keras.utils.set_random_seed(seed)
        model = b.spec_cnn()
        model.fit(b.images(frame[train], fitted), y[train], epochs=10, batch_size=32, verbose=0)
        aucs.append(roc_auc_score(y[test], model.predict(b.images(frame[test], fitted), verbose=0).ravel()))
    return float(np.mean(aucs)), float(np.std(aucs))

for label, scaler, ind, seed in [("minmax+indicators seed 42", MinMaxScaler, True, 42),
                          ("minmax, no indicators", MinMaxScaler, False, 42),
                          ("standard, no indicators", StandardScaler, False, 42),
                          ("minmax+indicators seed 1", MinMaxScaler, True, 1),
                          ("minmax+indicators seed 2", MinMaxScaler, True, 2)]:
    t=time.time(); m, s = run("credit_data", "Status", scaler, ind, seed)
    print(f"credit_data {label:<28} AUC {m:.4f} ± {s:.4f}  ({time.time()-t:.0f} s)", flush=True)
