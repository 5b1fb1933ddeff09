"""Exercises of notebook 05 (optimizers): one momentum step, one Adam step.

The student writes a single update step; the check runs it for :data:`STEPS` steps on
surfaces of :mod:`lecture_nn.surfaces` and compares the path with the one of the optimizer
simulator :func:`lecture_nn.optimizers.simulate`, which follows ``keras.optimizers``
exactly (in float32). The prompts give the textbook formulas; where Keras differs (Adam's
epsilon is the paper's "epsilon hat", epsilon * sqrt(1 - beta_2^t); float32 rounding of
beta_2), the difference stays far below the tolerance on these surfaces, whose gradients
are large compared with epsilon, and far below the effect of every diagnosed mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lecture_nn.exercises.core import (
    AnswerError,
    Case,
    Diagnosis,
    FunctionExercise,
    close,
    real_numbers,
)
from lecture_nn.optimizers import make_optimizer, simulate
from lecture_nn.surfaces import get_surface

__all__ = ["adam_step", "momentum_step"]

#: Number of update steps each answer is run for.
STEPS = 5


def _label(surface: str, options: dict) -> str:
    start = ", ".join(f"{value:g}" for value in get_surface(surface).start)
    settings = ", ".join(f"{name} {value:g}" for name, value in options.items())
    return f"the {surface.capitalize()} surface from ({start}), {settings}"


def _cases(configurations: list[tuple[str, dict]]) -> list[Case]:
    return [
        Case({"surface": surface, **options}, label=_label(surface, options))
        for surface, options in configurations
    ]


@dataclass(frozen=True)
class KerasRule:
    """The simulated Keras optimizer an answer is compared with, and the step's signature.

    Attributes
    ----------
    kind : str
        The optimizer kind for :func:`lecture_nn.optimizers.make_optimizer`.
    state_names : tuple of str
        Names of the optimizer state the step takes and returns after ``w``
        (("velocity",) for momentum, ("m", "v") for Adam), all starting at zero.
    with_step_number : bool
        Whether the step also takes t = 1, 2, ... after the state.
    """

    kind: str
    state_names: tuple[str, ...]
    with_step_number: bool


class OptimizerStepExercise(FunctionExercise):
    """Runs a student's update step ``STEPS`` times and compares the path with the simulator.

    Its ``reference`` is a :class:`KerasRule`: the expected path comes from the simulator.
    """

    def call(self, step: Callable, args: list) -> np.ndarray:
        """Return the path (STEPS + 1, 2) of ``step`` on a surface: the start and each new w."""
        surface_name, *hyperparameters = args
        surface = get_surface(surface_name)
        rule = self.reference
        w = np.array(surface.start, dtype=float)
        state = [np.zeros(2) for _ in rule.state_names]
        path = [w]
        returns = ", ".join(("w", *rule.state_names))
        for t in range(1, STEPS + 1):
            g = np.array(surface.gradient(*w), dtype=float)
            numbered = [t] if rule.with_step_number else []
            # Copies, so that a step that changes its arguments in place spoils nothing here.
            out = step(w.copy(), g, *(s.copy() for s in state), *numbered, *hyperparameters)
            if not isinstance(out, (tuple, list)) or len(out) != 1 + len(rule.state_names):
                raise AnswerError(
                    f"your function must return the tuple ({returns}); at step {t} it "
                    f"returned {type(out).__name__}"
                    + (f" of {len(out)}" if isinstance(out, (tuple, list)) else "")
                )
            arrays = []
            for name, value in zip(("w", *rule.state_names), out):
                array, problem = real_numbers(value)
                if problem is not None or array.size != 2:
                    problem = problem or f"expected 2 numbers, got {array.size}"
                    raise AnswerError(
                        f"each of ({returns}) must be an array of 2 real numbers, like w; at "
                        f"step {t} {name} was not: {problem}"
                    )
                arrays.append(array.reshape(2))
            w, *state = arrays
            path.append(w)
        return np.array(path)

    def expected(self, case: Case) -> np.ndarray:
        """Return the simulator's path for the same surface and hyperparameters (Keras' rules)."""
        options = dict(case.args)
        surface = options.pop("surface")
        learning_rate = options.pop("learning_rate")
        config = make_optimizer(self.reference.kind, learning_rate, **options)
        path = simulate(config, surface, steps=STEPS)
        return path.points.astype(float)

    def compare(self, expected: np.ndarray, got: np.ndarray) -> str | None:
        agree = close(got, expected, rtol=self.rtol, atol=self.atol).all(axis=1)
        if agree.all():
            return None
        step = int(np.argmin(agree))
        shown = {
            "expected": np.array2string(expected[step], precision=6, separator=", "),
            "got": np.array2string(got[step], precision=6, separator=", "),
        }
        return f"after step {step}: expected w = {shown['expected']}, got w = {shown['got']}"

    def success_message(self, function, count: int) -> str:
        return (
            f"{getattr(function, '__name__', 'your function')} follows Keras' path for "
            f"{STEPS} steps on all {count} surfaces."
        )


# --- momentum ------------------------------------------------------------------------------


momentum_step = OptimizerStepExercise(
    "nb05.momentum_step",
    title="One momentum step",
    prompt=(
        "Write `momentum_step(w, g, velocity, learning_rate, momentum)`: one update of "
        "gradient descent with momentum, as in the formula above,\n\n"
        "$$\\mathbf{v} \\leftarrow \\mu\\, \\mathbf{v} - \\eta\\, \\mathbf{g}, \\qquad "
        "\\mathbf{w} \\leftarrow \\mathbf{w} + \\mathbf{v},$$\n\n"
        "where `w`, `g` (the gradient at `w`) and `velocity` are arrays of shape `(2,)`, "
        "$\\eta$ is `learning_rate` and $\\mu$ is `momentum`. Return the tuple "
        "`(w, velocity)` after the update. The check runs your step for 5 steps on three "
        "surfaces, starting with `velocity = 0`, and compares the path with Keras' "
        "`SGD(momentum=...)`."
    ),
    blank=(
        "def momentum_step(w, g, velocity, learning_rate, momentum):\n"
        '    """One step of gradient descent with momentum; returns (w, velocity)."""\n'
        "    ..."
    ),
    solution=(
        "def momentum_step(w, g, velocity, learning_rate, momentum):\n"
        '    """One step of gradient descent with momentum; returns (w, velocity)."""\n'
        "    velocity = momentum * velocity - learning_rate * g\n"
        "    return w + velocity, velocity"
    ),
    hints=(
        "Update the velocity first, then move w by the new velocity.",
        "The velocity keeps momentum times its old value and adds the gradient step, "
        "-learning_rate * g; w then moves by the whole velocity (no learning rate there).",
        "velocity = momentum * velocity - learning_rate * g; return w + velocity, velocity.",
    ),
    diagnoses=(
        Diagnosis(
            "The sign is flipped: your path climbs. The velocity gets -learning_rate * g, "
            "against the gradient.",
            lambda w, g, v, lr, mu: (w + (mu * v + lr * g), mu * v + lr * g),
        ),
        Diagnosis(
            "Your path is plain gradient descent: the velocity is not carried over from one "
            "step to the next (return the new velocity, and use the one passed in).",
            lambda w, g, v, lr, mu: (w - lr * g, v),
        ),
        Diagnosis(
            "Looks like w moves with the old velocity: update the velocity first, then add "
            "the new one to w.",
            lambda w, g, v, lr, mu: (w + v, mu * v - lr * g),
        ),
        Diagnosis(
            "Looks like the velocity is an exponential moving average of the gradients, "
            "momentum * v + (1 - momentum) * g: that damped form is not the lecture's (nor "
            "Keras') momentum, which adds -learning_rate * g undamped.",
            lambda w, g, v, lr, mu: (
                w - lr * (mu * v + (1 - mu) * g),
                mu * v + (1 - mu) * g,
            ),
        ),
        Diagnosis(
            "That is Nesterov momentum (w moves by momentum * v_new - learning_rate * g); "
            "this exercise asks for classical momentum, w + v_new.",
            lambda w, g, v, lr, mu: (
                w + mu * (mu * v - lr * g) - lr * g,
                mu * v - lr * g,
            ),
        ),
        Diagnosis(
            "Looks like the learning rate is applied twice: the velocity already holds "
            "-learning_rate * g, so w moves by the velocity itself.",
            lambda w, g, v, lr, mu: (w + lr * (mu * v - lr * g), mu * v - lr * g),
        ),
    ),
    reference=KerasRule("sgd", state_names=("velocity",), with_step_number=False),
    cases=lambda: _cases(
        [
            ("beale", {"learning_rate": 0.005, "momentum": 0.9}),
            ("rosenbrock", {"learning_rate": 0.001, "momentum": 0.9}),
            ("quadratic", {"learning_rate": 0.05, "momentum": 0.8}),
        ]
    ),
    rtol=1e-5,
    atol=1e-6,
)


# --- Adam ----------------------------------------------------------------------------------


def _adam(correct_m=True, correct_v=True, power=True, sign=1.0, root=True, betas=None):
    """Return an Adam step with one of the typical mistakes switched on, for the diagnoses."""

    def step(w, g, m, v, t, lr, beta_1, beta_2, eps):
        if betas is not None:
            beta_1, beta_2 = betas
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        exponent = t if power else 1
        m_hat = m / (1 - beta_1**exponent) if correct_m else m
        v_hat = v / (1 - beta_2**exponent) if correct_v else v
        scale = np.sqrt(v_hat) if root else v_hat
        return w - sign * lr * m_hat / (scale + eps), m, v

    return step


def _adam_swapped_betas(w, g, m, v, t, lr, beta_1, beta_2, eps):
    return _adam()(w, g, m, v, t, lr, beta_2, beta_1, eps)


adam_step = OptimizerStepExercise(
    "nb05.adam_step",
    title="One Adam step",
    prompt=(
        "Write `adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)`: update "
        "number `t` (1, 2, ...) of Adam, with the textbook formulas above:\n\n"
        "$$m \\leftarrow \\beta_1 m + (1 - \\beta_1)\\, g, \\qquad "
        "v \\leftarrow \\beta_2 v + (1 - \\beta_2)\\, g^2, \\qquad "
        "\\hat m = \\frac{m}{1 - \\beta_1^{\\,t}}, \\qquad "
        "\\hat v = \\frac{v}{1 - \\beta_2^{\\,t}}, "
        "\\qquad w \\leftarrow w - \\eta\\, \\frac{\\hat m}{\\sqrt{\\hat v} + \\epsilon},$$\n\n"
        "element-wise, for arrays `w`, `g`, `m`, `v` of shape `(2,)`. Return the tuple "
        "`(w, m, v)`. The check runs 5 steps on three surfaces, starting with `m = v = 0`, "
        "and compares the path with Keras' `Adam` (whose slightly different placement of "
        "epsilon makes no visible difference here)."
    ),
    blank=(
        "def adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):\n"
        '    """Adam update number t (1, 2, ...); returns (w, m, v)."""\n'
        "    ..."
    ),
    solution=(
        "def adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):\n"
        '    """Adam update number t (1, 2, ...); returns (w, m, v)."""\n'
        "    m = beta_1 * m + (1 - beta_1) * g\n"
        "    v = beta_2 * v + (1 - beta_2) * g**2\n"
        "    m_hat = m / (1 - beta_1**t)  # bias correction: m and v start at 0\n"
        "    v_hat = v / (1 - beta_2**t)\n"
        "    w = w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)\n"
        "    return w, m, v"
    ),
    hints=(
        "Four lines, in the order of the formulas: the two moving averages, their bias "
        "corrections, then the step. Return the raw m and v (not the corrected ones): the "
        "next step continues from them.",
        "The bias correction divides by 1 - beta**t, with the power t of the step number, "
        "not by 1 - beta: for t = 1 both agree, from t = 2 on they do not.",
        "m_hat = m / (1 - beta_1**t); v_hat = v / (1 - beta_2**t); w = w - learning_rate * "
        "m_hat / (np.sqrt(v_hat) + epsilon).",
    ),
    diagnoses=(
        Diagnosis(
            "Looks like the bias correction is missing: m and v start at 0, so early on "
            "they are far too small until divided by 1 - beta_1^t and 1 - beta_2^t.",
            _adam(correct_m=False, correct_v=False),
        ),
        Diagnosis(
            "Looks like the bias correction divides by 1 - beta instead of 1 - beta^t: the "
            "first step is right, the later ones are not. Use the power t of the step number.",
            _adam(power=False),
        ),
        Diagnosis(
            "The sign is flipped: your path climbs. Adam subtracts the step from w.",
            _adam(sign=-1.0),
        ),
        Diagnosis(
            "Looks like only m is bias-corrected: v needs its correction 1 - beta_2^t too.",
            _adam(correct_v=False),
        ),
        Diagnosis(
            "Looks like only v is bias-corrected: m needs its correction 1 - beta_1^t too.",
            _adam(correct_m=False),
        ),
        Diagnosis(
            "Looks like the square root of v_hat is missing: the step divides by "
            "sqrt(v_hat) + epsilon.",
            _adam(root=False),
        ),
        Diagnosis(
            "Looks like beta_1 and beta_2 are fixed at 0.9 and 0.999: use the arguments, "
            "the check also tries other values.",
            _adam(betas=(0.9, 0.999)),
        ),
        Diagnosis(
            "Looks like beta_1 and beta_2 are swapped: beta_1 averages the gradients (m), "
            "beta_2 their squares (v).",
            _adam_swapped_betas,
        ),
    ),
    reference=KerasRule("adam", state_names=("m", "v"), with_step_number=True),
    cases=lambda: _cases(
        [
            ("beale", {"learning_rate": 0.1, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
            (
                "rosenbrock",
                {"learning_rate": 0.05, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
            ),
            ("quadratic", {"learning_rate": 0.3, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-8}),
        ]
    ),
    # Keras rounds beta_2 to float32 before computing 1 - beta_2^t, which is then off by
    # 1.3e-5 relative (0.001 - 1.3e-8); the textbook path in float64 drifts from Keras' by
    # up to 1e-5 relative in 5 steps. The smallest diagnosed mistake is off by 5e-4.
    rtol=1e-4,
    atol=1e-5,
)

EXERCISES = {exercise.short_name: exercise for exercise in (momentum_step, adam_step)}
