"""Why finml's seed-cnn AUC on credit_data sits above the Keras reference in shared/data: the
same Keras network on the same folds under different preprocessing (finml's exact input layout;
scikit-learn's layout, min-max with missing indicators; without them; standardised without them)
and other seeds.

Run from the repository root (about 10 minutes on 2 cores); name variants to run only those:
    bench/.venv/bin/python bench/credit/keras_preprocessing_variants.py ["finml's exact layout seed 42" ...]
"""
import sys
import time

sys.path.insert(0, "bench/credit")
from seed_cnn_vs_keras import keras_cv  # noqa: E402  the network, layout and folds
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

VARIANTS = [
    ("finml's exact layout seed 42", MinMaxScaler, True, 42, True),
    ("minmax+indicators seed 42", MinMaxScaler, True, 42),
    ("minmax, no indicators", MinMaxScaler, False, 42),
    ("standard, no indicators", StandardScaler, False, 42),
    ("minmax+indicators seed 1", MinMaxScaler, True, 1),
    ("minmax+indicators seed 2", MinMaxScaler, True, 2),
]

ONLY = sys.argv[1:]  # variant labels to run; all when empty

for label, scaler, indicator, seed, *finml_layout in VARIANTS:
    if ONLY and label not in ONLY:
        continue
    started = time.time()
    r = keras_cv("credit_data", "Status", scaler=scaler, indicator=indicator, seed=seed,
                 finml_layout=bool(finml_layout))
    print(f"credit_data {label:<28} AUC {r['auc_mean']:.4f} ± {r['auc_std']:.4f}  "
          f"({time.time() - started:.0f} s)", flush=True)
