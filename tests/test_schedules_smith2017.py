"""Both cyclical schedules against an independent reading of Smith (2017).

Reference: Leslie N. Smith, "Cyclical Learning Rates for Training Neural Networks",
WACV 2017 (arXiv:1506.01186), Section 3.1 "Cyclical Learning Rates". There the rate moves
linearly between a lower bound ``base_lr`` and an upper bound ``max_lr``; a cycle is the
number of iterations until the rate is back at its initial value, and ``stepsize`` is half
a cycle. Section 3.1 then names two variants:

* ``triangular2``: as ``triangular``, but "the learning rate difference is cut in half at
  the end of each cycle";
* ``exp_range``: the rate "varies between the minimum and maximum boundaries and each
  boundary value declines by an exponential factor of gamma^iteration".

The paper writes its rule only as a short Torch listing (``cycle = floor(1 + it / (2
stepsize))``, ``x = |it / stepsize - 2 cycle + 1|``); our port evaluates that closed form.
The reference below does not: it walks the iterations one by one in a plain Python loop,
keeps track of which half-cycle it is in, interpolates linearly between the half-cycle's
end points (``numpy.interp``), halves the amplitude when a cycle ends and multiplies a
running factor by gamma at every iteration.

One reading has to be chosen for ``exp_range``: the sentence can be read as "both bounds
shrink by gamma^iteration" or as "the distance between them shrinks". Smith's Torch listing
covers only ``triangular``; the implementations that carry his policy names (Keras
callback bckenstler/CLR, tensorflow-addons' ``CyclicalLearningRate``, PyTorch's
``CyclicLR``) all keep ``base_lr`` and shrink the amplitude ``max_lr - base_lr``. Our port
follows them, and so does this reference; :func:`test_exp_range_keeps_the_lower_bound`
pins that reading down so a change to it cannot go unnoticed.
"""

import numpy as np
import pytest

from lecture_nn import schedules as sch

keras = pytest.importorskip("keras")
keras_schedules = pytest.importorskip("lecture_nn.keras_schedules")

ITERATIONS = 1001


def smith_2017(base_lr, max_lr, stepsize, mode="triangular", gamma=1.0, iterations=1001):
    """Rates for iterations 0..iterations-1, built half-cycle by half-cycle (float64)."""
    rates = []
    amplitude = max_lr - base_lr  # the "learning rate difference" of Section 3.1
    decay = 1.0  # gamma ** iteration, built by repeated multiplication
    half_cycle = 0  # index of the half-cycle the iteration lies in
    for iteration in range(iterations):
        while iteration >= (half_cycle + 1) * stepsize:
            half_cycle += 1
            if half_cycle % 2 == 0 and mode == "triangular2":
                amplitude /= 2  # a whole cycle (two half-cycles) has ended
        start, end = half_cycle * stepsize, (half_cycle + 1) * stepsize
        top = base_lr + amplitude * (decay if mode == "exp_range" else 1.0)
        if half_cycle % 2 == 0:  # rising half: base_lr -> top
            rate = np.interp(iteration, [start, end], [base_lr, top])
        else:  # falling half: top -> base_lr
            rate = np.interp(iteration, [start, end], [top, base_lr])
        rates.append(float(rate))
        decay *= gamma
    return np.array(rates)


def keras_values(schedule, steps):
    """A Keras schedule evaluated one int64 step at a time, as an optimizer calls it."""
    return np.array(
        [
            keras.ops.convert_to_numpy(schedule(keras.ops.convert_to_tensor(s, "int64")))
            for s in steps
        ],
        dtype=np.float64,
    )


# gamma values that float32 holds exactly (1 - 2**-8, 1 - 2**-10), so gamma**iteration
# means the same number in the float32 port and in the float64 reference.
CASES = {
    "triangular": (1e-4, 0.1, 100, "triangular", 1.0),
    "triangular_odd_stepsize": (0.01, 0.3, 12.5, "triangular", 1.0),
    "triangular_paper_cifar10": (0.001, 0.006, 200, "triangular", 1.0),
    "triangular2": (1e-4, 0.1, 100, "triangular2", 1.0),
    "triangular2_short_cycles": (0.002, 0.05, 7, "triangular2", 1.0),
    "exp_range": (1e-3, 0.05, 37, "exp_range", 1 - 2**-8),
    "exp_range_slow": (1e-4, 0.1, 100, "exp_range", 1 - 2**-10),
}


@pytest.mark.parametrize("name", CASES)
def test_numpy_and_keras_cyclical_schedules_follow_smith_2017(name):
    base_lr, max_lr, stepsize, mode, gamma = CASES[name]
    expected = smith_2017(base_lr, max_lr, stepsize, mode, gamma, ITERATIONS)
    steps = np.arange(ITERATIONS)
    numpy_schedule = sch.CyclicalLearningRate(base_lr, max_lr, stepsize, mode, gamma)
    keras_schedule = keras_schedules.CyclicalLearningRate(base_lr, max_lr, stepsize, mode, gamma)
    # The port works in float32: iteration / stepsize (up to 1000 / stepsize) carries a
    # rounding error of up to one float32 ulp of that quotient, scaled by the amplitude.
    ulp = np.spacing(np.float32(ITERATIONS / stepsize))
    tolerance = {"rtol": 0, "atol": 2 * float(ulp) * max_lr + 1e-7 * max_lr}
    np.testing.assert_allclose(numpy_schedule(steps), expected, **tolerance)
    np.testing.assert_allclose(keras_values(keras_schedule, steps), expected, **tolerance)


def test_reference_reproduces_the_papers_landmarks():
    """The reference itself: bounds reached where Section 3.1 says, halving per cycle."""
    rates = smith_2017(0.001, 0.006, 2000, iterations=8001)  # Figure 1's CIFAR-10 settings
    assert rates[0] == pytest.approx(0.001)
    assert rates[2000] == pytest.approx(0.006)  # the peak after one stepsize
    assert rates[4000] == pytest.approx(0.001)  # a cycle (2 stepsizes) brings it back
    assert rates[1000] == pytest.approx(0.0035)  # linear in between
    halved = smith_2017(0.001, 0.006, 2000, "triangular2", iterations=10001)
    assert [halved[2000], halved[6000], halved[10000]] == pytest.approx([0.006, 0.0035, 0.00225])


def test_exp_range_keeps_the_lower_bound():
    """Our reading of exp_range: base_lr stays, the distance to max_lr shrinks."""
    gamma = 1 - 2**-8
    schedule = sch.CyclicalLearningRate(0.01, 0.1, 50, "exp_range", gamma)
    for cycle_end in [100, 200, 500, 1000]:
        assert schedule(cycle_end) == pytest.approx(0.01, rel=1e-6)
    for peak in [50, 150, 450, 950]:
        assert schedule(peak) == pytest.approx(0.01 + 0.09 * gamma**peak, rel=1e-5)
