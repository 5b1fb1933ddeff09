"""Benchmark: train every configuration of the model-selection table on the full data set.

Fashion-MNIST, official split: 50,000 training images, the last 10,000 training images for
validation, the 10,000 test images for the final score. Trains the lecture's networks and
the course's best configuration with the settings of notebook 07, then the final model (the
best settings trained on all 60,000 training images), and prints the table
(parameters, epochs, best epoch, validation and test accuracy, time). Not a test: run it
by hand (about 10 minutes on a 2-core machine).

Run: python bench/train_fashion_mnist.py [--quick]
"""

import argparse

import keras
import numpy as np

from lecture_nn.experiments import (
    course_data,
    epochs_for,
    results_table,
    run_experiment,
    run_final_fit,
)
from lecture_nn.keras_models import build_dense, compile_classifier, lecture_model


def stop(monitor="val_loss", patience=5):
    return keras.callbacks.EarlyStopping(
        monitor=monitor, patience=patience, restore_best_weights=True
    )


def best_model(name, n_images, epochs):
    """The course's best settings (notebook 07): 512-512, dropout 0.3, Adam with cosine decay."""
    steps = epochs * int(np.ceil(n_images / 128))
    model = build_dense((512, 512), dropout=0.3, name=name)
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=8,
    )
    return model


def experiments(data):
    """(name, model, fit options) for each row of the table, as in notebook 07."""
    compiled = {
        name: compile_classifier(lecture_model(name), steps_per_execution=8)
        for name in ("baseline", "small", "l2", "l1", "dropout", "batchnorm_dropout")
    }
    epochs = epochs_for(25, data.mode)
    yield (
        "baseline 512-512",
        compiled["baseline"],
        # patience = all epochs: never stops, restores the best validation epoch at the end
        {"epochs": epochs, "callbacks": [stop("val_accuracy", epochs)]},
    )
    early = compile_classifier(lecture_model("baseline"), steps_per_execution=8)
    yield (
        "baseline + early stopping",
        early,
        {"epochs": epochs_for(25, data.mode), "callbacks": [stop(patience=3)]},
    )
    yield (
        "small 256-32",
        compiled["small"],
        {"epochs": epochs_for(30, data.mode), "callbacks": [stop()]},
    )
    keras.utils.set_random_seed(0)  # as notebook 07: seeded right before building
    yield (
        "bottleneck 256-2",
        compile_classifier(lecture_model("bottleneck"), steps_per_execution=8),
        {"epochs": epochs_for(30, data.mode), "callbacks": [stop()]},
    )
    yield (
        "L2 0.001, 256-32",
        compiled["l2"],
        {"epochs": epochs_for(50, data.mode), "callbacks": [stop()]},
    )
    yield (
        "L1 0.001, 256-32",
        compiled["l1"],
        {"epochs": epochs_for(50, data.mode), "callbacks": [stop()]},
    )
    yield "dropout 0.3, 256-32", compiled["dropout"], {"epochs": epochs_for(50, data.mode)}
    yield (
        "batch norm + dropout 0.5",
        compiled["batchnorm_dropout"],
        {"epochs": epochs_for(50, data.mode)},
    )
    epochs = epochs_for(40, data.mode)
    yield (
        "best: 512-512, dropout 0.3, Adam + cosine",
        best_model("best", len(data.x_train), epochs),
        {"epochs": epochs, "batch_size": 128, "callbacks": [stop("val_accuracy", 10)]},
    )
    yield (
        "final: best settings, all training images",
        best_model("final", len(data.x_train) + len(data.x_val), epochs),
        {"epochs": epochs, "batch_size": 128, "final": True},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick mode: subset, fewer epochs")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    data = course_data("quick" if args.quick else "full")
    print(data.describe(), flush=True)
    results = []
    for name, model, options in experiments(data):
        run = run_final_fit if options.pop("final", False) else run_experiment
        results.append(run(name, model, data, **options))
        print(f"  {name}: test accuracy {results[-1].test_accuracy:.4f}", flush=True)
    print(results_table(results))


if __name__ == "__main__":
    main()
