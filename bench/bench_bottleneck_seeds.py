"""Benchmark: the 2-unit bottleneck of notebook 07 trained once per seed; the spread.

Trains the bottleneck network (784-256-2-10, ReLU then a linear 2-unit layer) exactly as
notebook 07 does: ``keras.utils.set_random_seed(seed)`` right before building it, RMSprop,
batches of 512, up to 30 epochs (a fifth in quick mode) with ``EarlyStopping(patience=5,
restore_best_weights=True)`` on the validation loss. Prints, per seed, the epochs run, the
best validation accuracy and the test accuracy, then their minimum, median and maximum,
and how many seeds stayed at chance (validation accuracy below 0.2: dead units). Not a
test: run it by hand (full mode, 6 seeds: about 10 minutes on an idle 2-core machine).

Run: python bench/bench_bottleneck_seeds.py [--quick] [--seeds 0 1 2 3 4 5]
"""

import argparse

import keras
import numpy as np

from lecture_nn.experiments import course_data, epochs_for, run_experiment
from lecture_nn.keras_models import compile_classifier, lecture_model


def train_bottleneck(data, seed: int):
    """Notebook 07's bottleneck cell with ``seed``: returns the ExperimentResult."""
    keras.utils.set_random_seed(seed)
    model = compile_classifier(lecture_model("bottleneck"), steps_per_execution=8)
    stop = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    return run_experiment(
        "bottleneck 256-2", model, data, epochs=epochs_for(30, data.mode), callbacks=[stop]
    )


def spread(values) -> str:
    """``min / median / max`` of the values, 4 decimals."""
    values = np.asarray(values)
    return f"{values.min():.4f} / {np.median(values):.4f} / {values.max():.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick mode: subset, fewer epochs")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    args = parser.parse_args()
    data = course_data("quick" if args.quick else "full")
    print(data.describe(), flush=True)
    print(f"seeds {args.seeds}", flush=True)
    results = []
    for seed in args.seeds:
        result = train_bottleneck(data, seed)
        results.append(result)
        print(
            f"  seed {seed}: {result.epochs_run} epochs, best epoch {result.best_epoch}, "
            f"val acc {result.best_val_accuracy:.4f}, test acc {result.test_accuracy:.4f} "
            f"({result.seconds:.0f} s)",
            flush=True,
        )
    val = [r.best_val_accuracy for r in results]
    test = [r.test_accuracy for r in results]
    print(f"validation accuracy min / median / max: {spread(val)}")
    print(f"test accuracy       min / median / max: {spread(test)}")
    print(f"seeds at chance (val acc < 0.2): {sum(v < 0.2 for v in val)} of {len(val)}")


if __name__ == "__main__":
    main()
