"""optimizer_experiments refuses bad input with the argument's name (shared rules)."""

import math

import numpy as np
import pytest

from lecture_nn.optimizer_experiments import (
    adam_wrong_correction_ratio,
    direction_changes,
    sutskever_momentum,
)
from lecture_nn.optimizers import ZOO, simulate


def test_direction_changes_counts_sign_reversals_of_a_zigzag():
    path = simulate(ZOO["sgd"], "quadratic", steps=5)
    # f = 0.1 x^2 + 2.5 y^2 with learning rate 0.01: y shrinks by 1 - 0.05 each step, no
    # reversal; every step is in the same direction
    assert direction_changes(path, axis=1) == 0
    assert direction_changes(path, axis=np.int64(0)) == 0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        # the probe's path="x" failed with an AttributeError from inside
        (lambda: direction_changes("x"), TypeError, "path must be an OptimizerPath"),
        (lambda: direction_changes(simulate(ZOO["sgd"], "beale", steps=3), 2), ValueError, "axis"),
        (lambda: direction_changes(simulate(ZOO["sgd"], "beale", steps=3), 1.0), TypeError, "axis"),
        (lambda: adam_wrong_correction_ratio([]), ValueError, "gradients"),
        (lambda: adam_wrong_correction_ratio([1.0, math.nan]), ValueError, "gradients"),
        (lambda: adam_wrong_correction_ratio([1.0, 0.0]), ValueError, "gradients"),
        (lambda: adam_wrong_correction_ratio([1.0], beta_1=1.0), ValueError, "beta_1"),
        (lambda: adam_wrong_correction_ratio([1.0], beta_2="0.9"), TypeError, "beta_2"),
        (lambda: sutskever_momentum(3, period=0), ValueError, "period"),
        (lambda: sutskever_momentum(3, period=2.0), TypeError, "period"),
        (lambda: sutskever_momentum(3, maximum=1.0), ValueError, "maximum"),
        (lambda: sutskever_momentum(-1), ValueError, "step"),
    ],
)
def test_bad_arguments_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_sutskever_momentum_takes_numpy_integers():
    assert sutskever_momentum(np.int64(25), period=np.int64(10)) == pytest.approx(
        1 - 0.5 / 3
    )  # 0.83: the third stage
