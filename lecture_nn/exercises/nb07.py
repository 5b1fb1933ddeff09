"""Exercises of notebook 07 (model selection): inverted dropout, the early-stopping rule.

Dropout is random, so an answer is checked by what matters on large arrays: the fraction of
zeros (about ``rate``), the kept values (exactly ``x / (1 - rate)``), the mean (preserved),
and whether the random numbers come from the generator passed in. Early stopping is checked
exactly, against a plain implementation of the rule of ``keras.callbacks.EarlyStopping``
with ``min_delta=0`` (the test suite drives Keras' callback with the same losses).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lecture_nn.exercises.core import (
    AnswerError,
    Case,
    Diagnosis,
    FunctionExercise,
    Raised,
    close,
    real_numbers,
    same,
)

__all__ = ["dropout", "early_stopping"]

# --- dropout -------------------------------------------------------------------------------

#: How far the fraction of zeros may be from the reference's (its noise is below 0.002).
ZERO_FRACTION_TOL = 0.01

#: How far mean(output) / mean(x) may be from the reference's (its noise is below 0.005).
MEAN_RATIO_TOL = 0.02


@dataclass(frozen=True)
class DropoutSummary:
    """What the check looks at in the output of dropout on an array ``x`` of positive values.

    ``scale_min`` and ``scale_max`` are the smallest and largest ratio output / x over the
    entries that were not zeroed (nan where all were).
    """

    shape: tuple[int, ...]
    zero_fraction: float = np.nan
    scale_min: float = np.nan
    scale_max: float = np.nan
    mean_ratio: float = np.nan


def summarize(output, x: np.ndarray) -> DropoutSummary:
    """Return the :class:`DropoutSummary` of ``output``, the result of dropout on ``x``.

    Parameters
    ----------
    output : array_like
        What the student's dropout returned (a frozen copy, or any array).
    x : numpy.ndarray
        The input it was given, as it was before the call (the check's own copy).

    Returns
    -------
    DropoutSummary
        The statistics the check compares.

    Raises
    ------
    AnswerError
        If the output is None, not real numbers (complex ones included), or not finite.
    """
    array, problem = real_numbers(output)
    if problem is not None:
        if output is None:
            raise AnswerError("your function returned None (is a `return` missing?)")
        raise AnswerError(f"your function must return an array of real numbers: {problem}")
    if array.shape != x.shape:
        return DropoutSummary(array.shape)
    if not np.all(np.isfinite(array)):
        raise AnswerError("your function must return finite numbers (no nan or inf)")
    kept = array != 0
    ratios = array[kept] / x[kept]
    return DropoutSummary(
        shape=array.shape,
        zero_fraction=float(1 - kept.mean()),
        scale_min=float(ratios.min()) if ratios.size else np.nan,
        scale_max=float(ratios.max()) if ratios.size else np.nan,
        mean_ratio=float(array.mean() / x.mean()),
    )


class DropoutExercise(FunctionExercise):
    """Checks ``dropout(x, rate, rng)`` by the statistics of its output on large arrays."""

    def call(self, function, args):
        x = args[0].copy()  # as given: the function may change its own copy in place
        return summarize(function(*args), x)

    def compare(self, expected: DropoutSummary, got: DropoutSummary) -> str | None:
        if got.shape != expected.shape:
            return f"expected an array of shape {expected.shape}, like x, got shape {got.shape}"
        if abs(got.zero_fraction - expected.zero_fraction) > ZERO_FRACTION_TOL:
            return (
                f"{got.zero_fraction:.1%} of your outputs are 0; expected about "
                f"{expected.zero_fraction:.0%}"
            )
        if np.isnan(got.scale_min) or np.isnan(expected.scale_min):
            return None  # everything was dropped, by both: nothing more to compare
        if not close(got.scale_min, got.scale_max, rtol=1e-6, atol=0.0):
            return (
                "the values you keep are not x times one common factor (output / x ranges from "
                f"{got.scale_min:.4g} to {got.scale_max:.4g})"
            )
        if not close(got.scale_min, expected.scale_min, rtol=1e-6, atol=0.0):
            return (
                f"the values you keep are x times {got.scale_min:.4g}; expected x times "
                f"{expected.scale_min:.4g}"
            )
        if abs(got.mean_ratio - expected.mean_ratio) > MEAN_RATIO_TOL:
            return (
                f"the mean of your output is {got.mean_ratio:.3f} times the mean of x; expected "
                f"about {expected.mean_ratio:.3f} times"
            )
        return None

    def final_check(self, function) -> str | None:
        x = np.random.default_rng(123).uniform(0.5, 1.5, size=(200, 100))
        outputs = []
        for seed in (7, 7, 8):
            output = self.attempt(function, x.copy(), 0.5, np.random.default_rng(seed))
            if isinstance(output, Raised):  # it ran on every case, so this is unlikely
                return f"your function raised {output} on a further call."
            outputs.append(output)
        first, second, other = outputs
        if not same(first, second):
            return (
                "the statistics are right, but the dropped entries do not come from the "
                "generator rng: two generators with the same seed gave different outputs. "
                "Draw the random numbers with rng's methods (rng.random), not np.random.*."
            )
        if same(first, other):
            return (
                "the statistics are right, but generators with different seeds dropped the "
                "same entries: the random numbers must come from rng, not from a generator "
                "of your own with a fixed seed."
            )
        return None

    def success_message(self, function, count: int) -> str:
        return (
            f"{getattr(function, '__name__', 'your function')} drops about a fraction rate of "
            f"the entries, divides the others by 1 - rate and keeps the mean, for all {count} "
            "inputs, with the random numbers of rng."
        )


def _dropout_cases() -> list[Case]:
    data = np.random.default_rng(0)
    cases = []
    for seed, (shape, rate) in enumerate(
        (((400, 250), 0.3), ((40, 50, 50), 0.5), ((100_000,), 0.8), ((4, 5), 0.0)), start=1
    ):
        x = data.uniform(0.5, 1.5, size=shape)
        cases.append(
            Case(
                {"x": x, "rate": rate, "rng": np.random.default_rng(seed)},
                label=f"x of shape {shape} (positive activations), rate = {rate}",
            )
        )
    return cases


def _dropout_reference(x, rate, rng):
    keep = rng.random(x.shape) >= rate
    return np.where(keep, x / (1 - rate), 0.0)


def _mask(x, rate, rng, keep_fraction_rate=False):
    draws = rng.random(x.shape)
    return draws < rate if keep_fraction_rate else draws >= rate


dropout = DropoutExercise(
    "nb07.dropout",
    title="Inverted dropout",
    prompt=(
        "Write `dropout(x, rate, rng)`: dropout in training mode, as Keras' `Dropout` layer "
        "does it. Set a random fraction `rate` of the entries of the array `x` to 0 (each "
        "entry independently with probability `rate`), and divide the entries you keep by "
        "$1 - \\text{rate}$, so that the mean stays the same. Draw the random numbers with "
        "the generator `rng` (a `numpy.random.Generator`), and return a new array of the "
        "shape of `x`. For `rate = 0` the result equals `x`. The check looks at large "
        "arrays: the fraction of zeros, the kept values and the mean."
    ),
    blank=(
        "def dropout(x, rate, rng):\n"
        '    """Inverted dropout in training mode: drop a fraction rate of x, scale the rest."""\n'
        "    ..."
    ),
    solution=(
        "def dropout(x, rate, rng):\n"
        '    """Inverted dropout in training mode: drop a fraction rate of x, scale the rest."""\n'
        "    keep = rng.random(x.shape) >= rate  # True with probability 1 - rate\n"
        "    return np.where(keep, x / (1 - rate), 0.0)"
    ),
    hints=(
        "Two steps: a random mask that says which entries to keep, then the kept entries "
        "scaled up and the others set to 0.",
        "rng.random(x.shape) draws uniform numbers in [0, 1): each is below rate with "
        "probability rate. Keep the entries whose number is at least rate, and divide them "
        "by 1 - rate (inverted dropout: the scaling happens in training, so nothing changes "
        "at test time).",
        "keep = rng.random(x.shape) >= rate; return np.where(keep, x / (1 - rate), 0.0).",
    ),
    diagnoses=(
        Diagnosis(
            "The kept values are not scaled: that is the original dropout, which instead "
            "scales by 1 - rate at test time. Inverted dropout (Keras') divides the kept "
            "values by 1 - rate during training, so that the mean stays the same.",
            lambda x, rate, rng: x * _mask(x, rate, rng),
        ),
        Diagnosis(
            "Looks like you multiply the kept values by 1 - rate instead of dividing by it: "
            "the output's mean shrinks twice, by the dropped entries and by the factor.",
            lambda x, rate, rng: x * _mask(x, rate, rng) * (1 - rate),
        ),
        Diagnosis(
            "Looks like you keep a fraction rate of the entries and drop the rest: rate is "
            "the fraction to drop (in Keras; the original paper's p was the probability to "
            "keep).",
            lambda x, rate, rng: x * _mask(x, rate, rng, keep_fraction_rate=True) / (1 - rate),
        ),
        Diagnosis(
            "Looks like you keep a fraction rate of the entries and divide them by rate: "
            "rate is the fraction to drop (in Keras; the original paper's p was the "
            "probability to keep), and the kept ones are divided by 1 - rate.",
            lambda x, rate, rng: x * _mask(x, rate, rng, keep_fraction_rate=True) / rate,
        ),
        Diagnosis(
            "Nothing is dropped, every value is multiplied by 1 - rate: that is the test-time "
            "rule of the original dropout. In training mode a random fraction rate of the "
            "entries must become 0.",
            lambda x, rate, rng: x * (1 - rate),
        ),
        Diagnosis(
            "Your output is x unchanged: that is dropout at test time (training=False). In "
            "training mode a random fraction rate of the entries becomes 0.",
            lambda x, rate, rng: x.copy(),
        ),
    ),
    reference=_dropout_reference,
    cases=_dropout_cases,
)


# --- early stopping ------------------------------------------------------------------------


def _stopping(
    *,
    strict: bool = True,
    extra: int = 0,
    reset: bool = True,
    shift: int = 0,
    last_as_best: bool = False,
    minimum_of_all: bool = False,
    never: str = "length",
):
    """Return the early-stopping rule, or one of its typical mistakes, for the diagnoses.

    ``strict``: only a strictly lower loss is an improvement; ``extra``: stop after
    patience + extra epochs without improvement; ``reset``: the count restarts at an
    improvement; ``shift``: subtracted from both epochs (1 gives 0-based ones);
    ``last_as_best``: the best epoch is the last one run; ``minimum_of_all``: the best epoch
    is that of the smallest loss of the whole list; ``never``: what stopped_epoch is when
    the rule never triggers ("length", "zero" or "best+patience").
    """

    def early_stopping(val_losses, patience):
        best_loss, best_epoch, wait = float("inf"), 0, 0
        stopped = None
        for epoch, loss in enumerate(val_losses, start=1):
            if loss < best_loss or (not strict and loss == best_loss):
                best_loss, best_epoch = loss, epoch
                if reset:
                    wait = 0
            else:
                wait += 1
                if wait >= patience + extra:
                    stopped = epoch
                    break
        if stopped is None:
            stopped = {
                "length": len(val_losses),
                "zero": 0,
                "best+patience": best_epoch + patience,
            }[never]
        if last_as_best:
            best_epoch = min(stopped, len(val_losses))
        if minimum_of_all:
            best_epoch = int(np.argmin(val_losses)) + 1
        return stopped - shift, best_epoch - shift

    return early_stopping


#: (val_losses, patience) of the cases: a typical curve, ties, one that never triggers, ...
STOPPING_CASES = (
    ([0.92, 0.71, 0.6, 0.65, 0.62, 0.64, 0.7, 0.5], 3),
    ([1.0, 0.8, 0.8, 0.8, 0.75, 0.7], 2),
    ([1.0, 0.9, 0.95, 0.85, 0.9], 2),
    ([0.9, 0.95, 0.8, 0.85, 0.7, 0.75, 0.72, 0.71, 0.73], 3),
    ([0.5, 0.4, 0.45, 0.3], 1),
    (
        [0.52, 0.43, 0.4, 0.38, 0.37, 0.36, 0.365, 0.355, 0.358, 0.36, 0.362, 0.355, 0.37, 0.38],
        4,
    ),
)


def _early_stopping_reference(val_losses, patience):
    """Return the rule of keras.callbacks.EarlyStopping (min_delta=0, mode "min"), epochs from 1."""
    best_loss, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:  # strictly lower
            best_loss, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:  # patience epochs in a row without improvement
                return epoch, best_epoch
    return len(val_losses), best_epoch


def _stopping_cases() -> list[Case]:
    return [
        Case(
            {"val_losses": list(losses), "patience": patience},
            label=f"val_losses = [{', '.join(f'{v:g}' for v in losses)}], patience = {patience}",
        )
        for losses, patience in STOPPING_CASES
    ]


early_stopping = FunctionExercise(
    "nb07.early_stopping",
    title="When does early stopping stop?",
    prompt=(
        "Write `early_stopping(val_losses, patience)`. `val_losses` is the list of "
        "validation losses after epochs 1, 2, 3, ... of a training run; training stops as "
        "soon as `patience` epochs in a row bring no improvement, where an improvement is a "
        "loss *strictly* lower than the best so far (like "
        "`keras.callbacks.EarlyStopping(patience=patience)`, whose `min_delta` is 0). Return "
        "the tuple `(stopped_epoch, best_epoch)`, both counted from 1: the epoch after which "
        "training stops (`len(val_losses)` if it never stops early) and the epoch of the "
        "lowest loss up to then, whose weights `restore_best_weights=True` brings back."
    ),
    blank=(
        "def early_stopping(val_losses, patience):\n"
        '    """(stopped_epoch, best_epoch), counted from 1, of early stopping on val_losses."""\n'
        "    ..."
    ),
    solution=(
        "def early_stopping(val_losses, patience):\n"
        '    """(stopped_epoch, best_epoch), counted from 1, of early stopping on val_losses."""\n'
        "    best_loss, best_epoch, wait = float('inf'), 0, 0\n"
        "    for epoch, loss in enumerate(val_losses, start=1):\n"
        "        if loss < best_loss:  # strictly lower: an equal loss is no improvement\n"
        "            best_loss, best_epoch, wait = loss, epoch, 0\n"
        "        else:\n"
        "            wait += 1  # one more epoch without improvement\n"
        "            if wait >= patience:\n"
        "                return epoch, best_epoch\n"
        "    return len(val_losses), best_epoch  # never stopped early: all epochs ran"
    ),
    hints=(
        "Walk through the losses once, remembering the best loss so far, its epoch, and how "
        "many epochs in a row have not improved on it.",
        "enumerate(val_losses, start=1) counts epochs from 1. A strictly lower loss is a new "
        "best and sets the count back to 0; any other loss (an equal one too) adds 1. When "
        "the count reaches patience, training stops after this epoch. If the loop ends "
        "without stopping, all len(val_losses) epochs ran.",
        "With patience 3, a best loss at epoch 5 and no improvement after it, epochs 6, 7 "
        "and 8 bring none: training stops after epoch 8, and the best epoch is 5.",
    ),
    diagnoses=(
        Diagnosis(
            "Your epochs are counted from 0 (as Keras' epoch index): both are one too small. "
            "Count from 1, as the task asks (enumerate(..., start=1)).",
            _stopping(shift=1),
        ),
        Diagnosis(
            "Looks like you stop one epoch too late, after patience + 1 epochs without "
            "improvement: training stops as soon as the count of such epochs reaches patience.",
            _stopping(extra=1),
        ),
        Diagnosis(
            "Looks like you stop one epoch too early, after patience - 1 epochs without "
            "improvement: training stops when patience epochs in a row brought none.",
            _stopping(extra=-1),
        ),
        Diagnosis(
            "Your best epoch is the last epoch run: that is the model you keep without "
            "restore_best_weights. The best epoch is the one with the lowest loss.",
            _stopping(last_as_best=True),
        ),
        Diagnosis(
            "Looks like an equal loss counts as an improvement: only a strictly lower loss "
            "is one (min_delta = 0), so a tie adds to the epochs without improvement.",
            _stopping(strict=False),
        ),
        Diagnosis(
            "Looks like the count of epochs without improvement does not restart at 0 after "
            "an improvement: patience counts epochs in a row.",
            _stopping(reset=False),
        ),
        Diagnosis(
            "Your best epoch is that of the lowest loss in the whole list, but training "
            "stopped before the later epochs ran: look only at the epochs up to the stop.",
            _stopping(minimum_of_all=True),
        ),
        Diagnosis(
            "When early stopping never triggers, you return 0 (Keras' stopped_epoch stays 0 "
            "then): here all epochs ran, so stopped_epoch is len(val_losses).",
            _stopping(never="zero"),
        ),
        Diagnosis(
            "When early stopping never triggers, you return best_epoch + patience, an epoch "
            "that never ran: all epochs ran, so stopped_epoch is len(val_losses).",
            _stopping(never="best+patience"),
        ),
    ),
    reference=_early_stopping_reference,
    cases=_stopping_cases,
    output_names=("stopped_epoch", "best_epoch"),
    rtol=0.0,
    atol=0.0,
)

EXERCISES = {exercise.short_name: exercise for exercise in (dropout, early_stopping)}
