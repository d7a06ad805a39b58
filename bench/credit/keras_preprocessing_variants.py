"""How the spec's CNN in Keras moves with the preprocessing, on the same folds: finml's inputs
(the default of `keras_cv`) over seeds, finml's package-format-1 layout (an unseen-level slot
after each categorical column), no missing indicators, and standardisation without them.

Run from the repository root (about 10 minutes on 2 cores); name variants to run only those:
    bench/.venv/bin/python bench/credit/keras_preprocessing_variants.py ["format 1 layout" ...]
"""
import sys
import time

sys.path.insert(0, "bench/credit")
from seed_cnn_vs_keras import keras_cv  # noqa: E402  the network, layout and folds
from sklearn.preprocessing import StandardScaler  # noqa: E402

BOTH = [("credit_data", "Status"), ("german", "creditability")]
CREDIT_DATA = BOTH[:1]  # german has no missing values: no indicators to drop
VARIANTS = [  # label, data sets, keras_cv's keyword arguments
    ("finml's inputs, seed 1", BOTH, dict(seed=1)),
    ("finml's inputs, seed 2", BOTH, dict(seed=2)),
    ("format 1 layout", BOTH, dict(unseen_after_each_column=True)),
    ("minmax, no indicators", CREDIT_DATA, dict(indicator=False)),
    ("standard, no indicators", CREDIT_DATA, dict(scaler=StandardScaler, indicator=False)),
]

ONLY = sys.argv[1:]  # variant labels to run; all when empty

for label, datasets, options in VARIANTS:
    if ONLY and label not in ONLY:
        continue
    for name, target in datasets:
        started = time.time()
        r = keras_cv(name, target, **options)
        print(f"{name:<12} {label:<26} AUC {r['auc_mean']:.4f} ± {r['auc_std']:.4f}  "
              f"({time.time() - started:.0f} s)", flush=True)
