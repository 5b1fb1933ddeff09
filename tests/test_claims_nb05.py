"""Claims register of notebook 05 (optimizers): one test per statement of the text.

Each test quotes its sentence (from notebooks/05_optimizers.ipynb, or from the exercise
texts of lecture_nn/exercises/nb05.py) and recomputes it with the computation the figure or
table of the notebook uses (the simulator, the zoo, lecture_nn.optimizer_experiments),
checked against an independent reference where there is one: a closed form, a float64
textbook implementation, or Keras itself.
"""

import math

import numpy as np
import pytest

from lecture_nn import schedules
from lecture_nn.exercises import nb05
from lecture_nn.optimizer_experiments import (
    CYCLICAL_TWO_CYCLES,
    INCREASING_MOMENTUM,
    ZIGZAG_LEARNING_RATE,
    adam_wrong_correction_ratio,
    direction_changes,
    sutskever_momentum,
)
from lecture_nn.optimizers import ZOO, make_optimizer, simulate, simulate_zoo
from lecture_nn.surfaces import SURFACES, get_surface

BEALE = get_surface("beale")
BEALE_MINIMUM = np.array([3.0, 0.5])
# Keras' own TensorFlow backend (keras/src/backend/tensorflow/core.py) calls np.array on a
# tensor, which numpy 2 reports; the warning is Keras', not ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
SLIDER_RATES = np.arange(0.005, 0.0451, 0.005).round(3)  # the notebook's slider


def distance_to_beale_minimum(path) -> float:
    return float(np.hypot(*(path.points[-1].astype(float) - BEALE_MINIMUM)))


def sgd_on_beale(learning_rate):
    return simulate(make_optimizer("sgd", float(learning_rate)), BEALE)


# --- A fixed learning rate is hard to choose ------------------------------------------


def test_beale_minimum_is_zero_at_3_05_and_paths_start_at_08_16():
    """Claim: "with its minimum f = 0 at (3, 0.5) (the star) ... Every path starts at
    (0.8, 1.6)"."""
    assert BEALE.function(3.0, 0.5) == 0.0
    assert np.allclose(BEALE.gradient(3.0, 0.5), 0.0)
    # The formula of the text, evaluated independently, is a sum of squares (>= 0).
    x, y = np.meshgrid(np.linspace(-2, 3.5, 301), np.linspace(-3.5, 2, 301))
    formula = (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    np.testing.assert_allclose(BEALE.function(x, y), formula, rtol=1e-12)
    assert tuple(BEALE.minima) == ((3.0, 0.5),)
    assert tuple(BEALE.start) == (0.8, 1.6)


def test_small_learning_rate_crawls_094_from_the_minimum():
    """Claim: "small values crawl (at 0.005 the path is still 0.94 away from the minimum after 100
    steps)"."""
    path = sgd_on_beale(0.005)
    assert not path.diverged
    assert path.n_steps == 100
    assert round(distance_to_beale_minimum(path), 2) == 0.94
    # crawling: every smaller-than-0.035 rate of the slider ends farther away than 0.035
    assert distance_to_beale_minimum(path) > 5 * distance_to_beale_minimum(sgd_on_beale(0.035))


def test_learning_rate_0035_ends_016_from_the_minimum():
    """Claim: "at 0.035 it ends 0.16 away" (and, in "In practice": "plain SGD goes from close to
    the minimum at 0.035 to divergence at 0.04")."""
    distances = {rate: distance_to_beale_minimum(sgd_on_beale(rate)) for rate in SLIDER_RATES[:7]}
    assert round(distances[0.035], 2) == 0.16
    assert min(distances, key=distances.get) == 0.035  # the best fixed rate of the slider


def test_from_004_the_first_step_overshoots_and_the_second_leaves():
    """Claim: "from 0.04 on the first step overshoots to the far side of the valley and the second
    leaves the plot (the path diverges)"."""
    for rate in SLIDER_RATES:
        path = sgd_on_beale(rate)
        assert path.diverged == (rate >= 0.04), rate
        if rate >= 0.04:
            assert path.n_steps == 1  # one update inside, the second leaves
            start, first = path.points[0], path.points[1]
            # the first step crosses the valley floor (y = 0.5 at the minimum) and climbs
            assert start[1] > 0.5 > first[1]
            assert path.losses[1] > path.losses[0]


# --- Learning-rate schedules ----------------------------------------------------------


def test_keras_passes_the_number_of_updates_made_starting_at_0():
    """Claim: "Keras passes the number of updates already made, optimizer.iterations, starting at
    0"."""
    keras = pytest.importorskip("keras")
    # rate 1 at step 0 only: if Keras started at 1, the first update would not move w
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([0], [1.0, 0.0])
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    w = keras.Variable(np.zeros(1, dtype="float32"))
    for _ in range(3):
        optimizer.apply_gradients([(keras.ops.ones(1), w)])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(w), [-1.0])
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == 3


def test_exponential_decay_is_the_same_as_exp_minus_k_s():
    """Claim: "exponential decay eta_s = eta_0 r^(s/T) (the same as eta_0 e^(-ks) with
    k = -ln(r)/T)", for the notebook's exponential decay (0.02, 100 steps, 0.96)."""
    steps = np.arange(300)
    k = -math.log(0.96) / 100
    rates = schedules.ExponentialDecay(0.02, 100, 0.96)(steps)
    np.testing.assert_allclose(rates, 0.02 * np.exp(-k * steps), rtol=1e-6)


def smith_triangular(step, low, high, half_period):
    """Smith (2017), triangular policy, written directly from the paper's formula."""
    cycle = np.floor(1 + step / (2 * half_period))
    x = np.abs(step / half_period - 2 * cycle + 1)
    return low + (high - low) * np.maximum(0, 1 - x)


def test_two_cycle_rate_peaks_at_008_at_steps_25_and_75():
    """Claim: "The cyclical rate from 0.001 to 0.08 (half-period 25) runs through two whole
    cycles: its peaks, 0.08 at steps 25 and 75, are twice the fixed rate 0.04 that
    diverges in two steps"."""
    steps = np.arange(101)
    rates = CYCLICAL_TWO_CYCLES.learning_rate(steps)
    np.testing.assert_allclose(rates, smith_triangular(steps, 1e-3, 0.08, 25), rtol=1e-5)
    assert np.flatnonzero(np.isclose(rates, rates.max())).tolist() == [25, 75]
    assert rates.max() == pytest.approx(2 * 0.04, rel=1e-6)
    # two whole cycles: back at the lowest rate at steps 50 and 100
    np.testing.assert_allclose(rates[[0, 50, 100]], 1e-3, rtol=1e-6)
    assert sgd_on_beale(0.04).diverged
    assert sgd_on_beale(0.04).n_steps == 1


def test_two_cycle_path_stays_inside_and_beats_the_best_fixed_rate():
    """Claim: "yet the path stays inside, because by then it has reached the flat valley, and it
    ends closer to the minimum than the best fixed rate of the slider (0.035)"."""
    path = simulate(CYCLICAL_TWO_CYCLES, BEALE)
    assert not path.diverged
    assert path.n_steps == 100
    best_fixed = min(
        distance_to_beale_minimum(sgd_on_beale(rate)) for rate in SLIDER_RATES if rate < 0.04
    )
    assert distance_to_beale_minimum(path) < best_fixed
    # "by then it has reached the flat valley": at the first peak the gradient is far
    # smaller than at the start, where 0.04 already diverges
    first_peak = path.details["gradient"][25]
    start = path.details["gradient"][0]
    assert np.linalg.norm(first_peak) < np.linalg.norm(start) / 10


def test_zoo_cyclical_rate_leaves_at_step_91_before_its_peak_at_100():
    """Claim: "The zoo's cyclical rate (0.0001 to 0.1, half-period 100) is too aggressive: it
    leaves the plot at step 91 (rate 0.091), before its rate peaks at step 100"."""
    config = ZOO["sgd_cyclic"]
    steps = np.arange(101)
    rates = config.learning_rate(steps)
    np.testing.assert_allclose(rates, smith_triangular(steps, 1e-4, 0.1, 100), rtol=1e-5)
    path = simulate(config, BEALE)
    assert path.diverged
    assert path.n_steps == 91
    assert round(float(rates[91]), 3) == 0.091
    assert int(np.argmax(rates)) == 100


def test_notebook_schedules_equal_keras_for_steps_0_to_299():
    """Claim: "The numpy schedules give the same numbers as the Keras schedule objects (to
    float32 round-off): Keras' own for the decays, and for the cyclical rows the course's
    Keras version"."""
    keras = pytest.importorskip("keras")
    from lecture_nn import keras_schedules

    steps = np.arange(300)
    decays = [
        schedules.ExponentialDecay(0.02, 100, 0.96),
        schedules.InverseTimeDecay(0.02, 100, 0.5),
        schedules.PiecewiseConstantDecay([100, 200], [0.02, 0.01, 0.005]),
        schedules.PolynomialDecay(0.02, 300, 0.001, power=2),
        schedules.CosineDecay(0.02, 300),
        schedules.CosineDecayRestarts(0.02, 50),
    ]
    for schedule in decays:
        theirs = keras_schedules.to_keras(schedule)
        assert type(theirs).__module__.startswith("keras.")
        # the notebook's check: np.allclose(rtol=1e-6), whose atol is 1e-8
        np.testing.assert_allclose(
            schedule(steps), keras.ops.convert_to_numpy(theirs(steps)), rtol=1e-6, atol=1e-8
        )
    cyclical = schedules.CyclicalLearningRate(1e-4, 0.02, 50, mode="triangular")
    port = keras_schedules.to_keras(cyclical)
    assert isinstance(port, keras_schedules.CyclicalLearningRate)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(port(steps)), smith_triangular(steps, 1e-4, 0.02, 50), rtol=1e-5
    )


def test_polynomial_and_cosine_decay_follow_the_texts_formulas():
    """Claim: "polynomial decay eta_s = (eta_0 - eta_end)(1 - min(s, T)/T)^p + eta_end ...
    constant at eta_end after T steps; cosine decay ... eta_s = eta_0 (alpha + (1 - alpha)
    1/2 (1 + cos(pi min(s, T)/T)))" (the figure's schedules, float64 formulas)."""
    steps = np.arange(400)
    clipped = np.minimum(steps, 300)
    polynomial = schedules.PolynomialDecay(0.02, 300, 0.001, power=2)(steps)
    expected = (0.02 - 0.001) * (1 - clipped / 300) ** 2 + 0.001
    np.testing.assert_allclose(polynomial, expected, rtol=1e-5)
    assert np.all(polynomial[300:] == polynomial[300])
    for alpha in (0.0, 0.1):
        cosine = schedules.CosineDecay(0.02, 300, alpha)(steps)
        expected = 0.02 * (alpha + (1 - alpha) * 0.5 * (1 + np.cos(np.pi * clipped / 300)))
        np.testing.assert_allclose(cosine, expected, rtol=1e-5, atol=1e-9)


def test_warm_restarts_come_at_steps_50_and_150():
    """Claim: "in the lower figure the restarts come at steps 50 and 150 (periods of 50, 100
    and 200 steps)", and each restart starts again from the top (m_mul 1)."""
    rates = schedules.CosineDecayRestarts(0.02, 50)(np.arange(300))
    restarts = (np.flatnonzero(np.diff(rates) > 0) + 1).tolist()
    assert restarts == [50, 150]
    np.testing.assert_allclose(rates[[0, 50, 150]], 0.02, rtol=1e-6)
    # each period is half a cosine from the top to 0, independently computed
    for start, length in ((0, 50), (50, 100), (150, 150)):
        s = np.arange(length)
        expected = 0.02 * 0.5 * (1 + np.cos(np.pi * s / (length if length < 150 else 200)))
        np.testing.assert_allclose(rates[start : start + length], expected, rtol=1e-5, atol=1e-8)


# --- Momentum -------------------------------------------------------------------------


def test_constant_gradient_velocity_grows_to_ten_plain_steps():
    """Claim: "Where the gradient stays the same, the velocity grows towards -eta grad L / (1 - mu),
    ten times the plain step for mu = 0.9" (Keras' SGD, on a linear loss)."""
    keras = pytest.importorskip("keras")
    optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
    w = keras.Variable(np.zeros(1, dtype="float32"))
    positions = []
    for _ in range(200):
        optimizer.apply_gradients([(keras.ops.ones(1), w)])
        positions.append(float(keras.ops.convert_to_numpy(w)[0]))
    steps = np.diff([0.0, *positions])
    assert steps[0] == pytest.approx(-0.01)  # the plain step
    assert steps[-1] == pytest.approx(-0.01 * 10, rel=1e-4)
    assert np.all(np.diff(np.abs(steps[:60])) > 0)  # it grows towards that limit


def test_keras_nesterov_points_are_the_textbook_lookahead_points():
    """Claim: "It is the same method, written so that it needs one gradient per step: the stored
    points of Keras' path are exactly the look-ahead points of the textbook path"."""
    path = simulate(ZOO["nesterov"], BEALE)  # the zoo's Nesterov (0.005, momentum 0.9)
    mu, eta = 0.9, 0.005
    w, v = np.array(BEALE.start, dtype=float), np.zeros(2)
    lookahead = [w.copy()]
    for _ in range(path.n_steps):  # textbook Nesterov, float64, gradient at w + mu v
        v = mu * v - eta * np.array(BEALE.gradient(*(w + mu * v)))
        w = w + v
        lookahead.append(w + mu * v)
    np.testing.assert_allclose(path.points, np.array(lookahead), atol=1e-5)


def test_sutskever_momentum_is_05_then_075_083_0875_up_to_the_maximum():
    """Claim: "mu_s = min(1 - 2^(-1 - log2(floor(s/250) + 1)), mu_max): 0.5 for the first 250
    updates, then 0.75, 0.83, 0.875, ... up to mu_max ... the figure uses periods of 10
    updates instead of 250, with mu_max = 0.9"."""
    steps = np.arange(1000)
    for period, maximum in ((250, 0.99), (10, 0.9)):
        k = steps // period
        expected = np.minimum(1 - 1 / (2 * (k + 1)), maximum)  # 2^(-1-log2(k+1)) = 1/(2(k+1))
        np.testing.assert_allclose(sutskever_momentum(steps, period, maximum), expected)
    first = [sutskever_momentum(250 * k, 250, 0.99) for k in range(4)]
    assert np.round(first, 3).tolist() == [0.5, 0.75, 0.833, 0.875]
    assert sutskever_momentum(99) == 0.9
    assert INCREASING_MOMENTUM.learning_rate == ZOO["momentum"].learning_rate == 0.005


def test_simulated_momentum_schedule_follows_the_momentum_formula():
    """The figure's path with increasing momentum is the momentum rule of the text with
    mu_s in place of mu (a float64 loop)."""
    path = simulate(INCREASING_MOMENTUM, BEALE)
    w, v = np.array(BEALE.start, dtype=float), np.zeros(2)
    for s, point in enumerate(path.points[1:]):
        v = sutskever_momentum(s) * v - 0.005 * np.array(BEALE.gradient(*w))
        w = w + v
        np.testing.assert_allclose(point, w, atol=2e-5)


def way(path) -> float:
    return float(np.hypot(*np.diff(path.points.astype(float), axis=0).T).sum())


def test_increasing_momentum_skips_the_loop_of_constant_momentum():
    """Claim: "With the increasing momentum the path skips the wide loop of constant momentum
    0.9: it travels less than half the way and ends about five times closer to the
    minimum", and "A small mu at the start, where the gradients are large"."""
    constant = simulate(ZOO["momentum"], BEALE)
    assert ZOO["momentum"].options["momentum"] == 0.9
    increasing = simulate(INCREASING_MOMENTUM, BEALE)
    assert not constant.diverged
    assert not increasing.diverged
    assert way(increasing) < way(constant) / 2
    ratio = distance_to_beale_minimum(constant) / distance_to_beale_minimum(increasing)
    assert 4.5 < ratio < 6
    norms = np.hypot(*increasing.details["gradient"].astype(float).T)
    assert norms[:10].mean() > 10 * norms[50:].mean()


def test_at_001_constant_momentum_diverges_and_the_schedule_converges():
    """Claim: "At learning rate 0.01, constant momentum 0.9 leaves the plot within 8
    updates, while the schedule ends within 0.01 of the minimum"."""
    constant = simulate(make_optimizer("sgd", 0.01, momentum=0.9), BEALE)
    assert constant.diverged
    assert constant.n_steps + 1 <= 8
    increasing = simulate(make_optimizer("sgd", 0.01, momentum=sutskever_momentum), BEALE)
    assert not increasing.diverged
    assert distance_to_beale_minimum(increasing) < 0.01


def test_keras_sgd_takes_only_a_constant_momentum():
    """Claim: "Keras' SGD takes a constant momentum only, a number in [0, 1]"."""
    keras = pytest.importorskip("keras")
    with pytest.raises(ValueError, match="momentum"):
        keras.optimizers.SGD(momentum=sutskever_momentum)
    with pytest.raises(ValueError, match="momentum"):
        keras.optimizers.SGD(momentum=1.5)
    assert keras.optimizers.SGD(momentum=0.9).momentum == 0.9


# --- Adagrad and RMSprop --------------------------------------------------------------


def test_adagrad_first_gradient_cuts_the_step_size_and_it_ends_behind_sgd():
    """Claim: "on Beale, with the zoo's eta = 0.4, the first gradient alone cuts it from 1.26 to
    0.009 (x) and 0.005 (y), and after 100 steps Adagrad is farther from the minimum than
    plain SGD with learning rate 0.01"."""
    zoo = simulate_zoo("beale", names=["adagrad", "sgd"])
    adagrad = zoo["adagrad"]
    assert ZOO["adagrad"].learning_rate == 0.4
    assert ZOO["sgd"].learning_rate == 0.01
    gradients = adagrad.details["gradient"].astype(float)
    step_size = 0.4 / np.sqrt(0.1 + np.cumsum(gradients**2, axis=0) + 1e-7)
    assert round(0.4 / math.sqrt(0.1 + 1e-7), 2) == 1.26
    assert step_size[0].round(3).tolist() == [0.009, 0.005]
    assert np.all(np.diff(step_size, axis=0) <= 0)  # "only shrinks"
    assert distance_to_beale_minimum(adagrad) > distance_to_beale_minimum(zoo["sgd"])


def test_rmsprop_first_step_is_316_times_eta():
    """Claim: "so the first step of each weight is sqrt(1/(1-rho)) ~ 3.16 times eta (on Beale
    too)"."""
    path = simulate_zoo("beale", names="rmsprop")["rmsprop"]
    eta = ZOO["rmsprop"].learning_rate
    first_step = np.abs(path.points[1] - path.points[0]) / eta
    np.testing.assert_allclose(first_step, math.sqrt(1 / (1 - 0.9)), rtol=1e-5)
    assert round(math.sqrt(1 / (1 - 0.9)), 2) == 3.16


def test_centered_rmsprop_divides_by_the_square_root_of_the_variance():
    """Claim: "centered=True divides instead by the square root of a variance estimate,
    sqrt(v - g_bar^2 + eps)" (Keras' RMSprop, one step with gradient 2)."""
    keras = pytest.importorskip("keras")
    optimizer = keras.optimizers.RMSprop(learning_rate=0.01, centered=True)
    w = keras.Variable(np.zeros(1, dtype="float32"))
    optimizer.apply_gradients([(keras.ops.full((1,), 2.0), w)])
    g, rho = 2.0, 0.9
    v, g_bar = (1 - rho) * g**2, (1 - rho) * g
    expected = -0.01 * g / math.sqrt(v - g_bar**2 + 1e-7)  # square root of the variance
    by_variance = -0.01 * g / (v - g_bar**2 + 1e-7)  # what the old text said
    got = float(keras.ops.convert_to_numpy(w)[0])
    assert got == pytest.approx(expected, rel=1e-5)
    assert got != pytest.approx(by_variance, rel=0.1)


# --- Adam, Adamax, AdamW --------------------------------------------------------------


def test_wrong_bias_correction_ratio_matches_its_closed_form():
    """Claim: "(with epsilon = 0 it depends only on t, not on the gradients)": the ratio computed by
    running Adam's moments equals (1 - b1^t)/(1 - b1) * sqrt((1 - b2)/(1 - b2^t))."""
    rng = np.random.default_rng(5)
    t = np.arange(1, 2001)
    for beta_1, beta_2 in ((0.9, 0.999), (0.8, 0.99)):
        closed = (1 - beta_1**t) / (1 - beta_1) * np.sqrt((1 - beta_2) / (1 - beta_2**t))
        for gradients in (np.ones(2000), rng.normal(size=2000), rng.lognormal(size=2000)):
            ratio = adam_wrong_correction_ratio(gradients, beta_1, beta_2)
            np.testing.assert_allclose(ratio, closed, rtol=1e-10)


def test_wrong_bias_correction_doubles_then_shrinks_the_steps():
    """Claim: "It is 1.34 at t = 2, between 1.9 and 2.1 from t = 6 to t = 23, and it falls towards
    sqrt(1 - beta_2)/(1 - beta_1) ~ 0.32: the wrong correction first doubles the steps,
    then shrinks them to a third" (the table's ratio, t = 1 .. 10000)."""
    ratio = adam_wrong_correction_ratio(np.ones(10_000))
    assert ratio[0] == pytest.approx(1.0)
    assert round(ratio[1], 2) == 1.34
    between = np.flatnonzero((ratio >= 1.9) & (ratio <= 2.1)) + 1
    assert between.tolist() == list(range(6, 24))
    assert ratio.max() < 2.1
    limit = math.sqrt(1 - 0.999) / (1 - 0.9)
    assert round(limit, 2) == 0.32
    assert ratio[-1] == pytest.approx(limit, rel=1e-3)
    assert np.all(np.diff(ratio[20:]) < 0)  # falls from its peak on


def test_exercise_hint_1_minus_beta_agrees_only_at_t_1():
    """Exercise "One Adam step", hint 2: "The bias correction divides by 1 - beta**t ...
    not by 1 - beta: for t = 1 both agree, from t = 2 on they do not"."""
    assert "for t = 1 both agree, from t = 2 on they do not" in nb05.adam_step.hints[1]
    ratio = adam_wrong_correction_ratio(np.ones(10_000))
    assert ratio[0] == 1.0
    assert np.all(np.abs(ratio[1:] - 1) > 1e-3)


def test_exercise_epsilon_placement_makes_no_visible_difference():
    """Exercise "One Adam step": "compares the path with Keras' Adam (whose slightly
    different placement of epsilon makes no visible difference here)": the textbook
    solution (float64) and the simulator of Keras' Adam agree far below the check's
    tolerance on all three of its cases."""
    namespace = {"np": np}
    exec(nb05.adam_step.solution_code, namespace)
    solution = namespace["adam_step"]
    exercise = nb05.adam_step
    assert len(exercise.cases) == 3
    for case in exercise.cases:
        got = exercise.call(solution, list(case.args.values()))
        expected = exercise.expected(case)
        assert got.shape == expected.shape == (nb05.STEPS + 1, 2)
        assert np.allclose(got, expected, rtol=exercise.rtol / 10, atol=1e-6), case.label


def test_keras_weight_decay_is_learning_rate_times_lambda():
    """Claim: "Keras' rule (_apply_weight_decay in keras/src/optimizers/base_optimizer.py, default
    weight_decay=0.004) is w <- w - eta lambda w with eta the learning rate, before the Adam
    step" (Keras' AdamW, one step with a zero gradient, so that the Adam step is 0)."""
    keras = pytest.importorskip("keras")
    assert keras.optimizers.AdamW().weight_decay == pytest.approx(0.004)
    optimizer = keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.05)
    w = keras.Variable(np.ones(1, dtype="float32"))
    optimizer.apply_gradients([(keras.ops.zeros(1), w)])
    got = float(keras.ops.convert_to_numpy(w)[0])
    assert got == pytest.approx(1 - 0.1 * 0.05, rel=1e-6)  # Keras: eta * lambda
    assert got != pytest.approx(1 - 0.05, rel=1e-3)  # the paper with eta_t = 1: lambda alone


# --- Adadelta and Lion -----------------------------------------------------------------


def test_adadelta_and_lion_defaults_are_keras_and_the_zoos_are_the_papers():
    """Claim: "The paper has no eta (it is 1 there) and uses rho = 0.95, epsilon = 1e-6;
    Keras ... multiplies by learning_rate (default 0.001) and defaults to epsilon = 1e-7.
    The zoo's Adadelta has the paper's settings" and "beta_1 = 0.9, beta_2 = 0.99 (the
    paper's and Keras' defaults) ... the zoo's Lion uses 0.04, a fifth of its Adam's 0.2"."""
    keras = pytest.importorskip("keras")
    adadelta, lion = keras.optimizers.Adadelta(), keras.optimizers.Lion()
    assert float(adadelta.learning_rate) == pytest.approx(0.001)
    assert (adadelta.rho, adadelta.epsilon) == (0.95, 1e-7)
    assert (lion.beta_1, lion.beta_2) == (0.9, 0.99)
    zoo_adadelta = ZOO["adadelta"]
    assert zoo_adadelta.learning_rate == 1.0
    assert zoo_adadelta.options["rho"] == 0.95
    assert zoo_adadelta.options["epsilon"] == 1e-6
    assert ZOO["lion"].learning_rate == 0.04
    assert ZOO["lion"].options["beta_1"] == 0.9
    assert ZOO["lion"].options["beta_2"] == 0.99
    assert 5 * ZOO["lion"].learning_rate == pytest.approx(ZOO["adam"].learning_rate)


def test_adadelta_first_step_is_00045_and_it_travels_the_shortest_way():
    """Claim: "its first step is about sqrt(epsilon/(1 - rho)) ~ 0.0045 per weight whatever
    the gradient, and the steps grow slowly: on Beale it travels the shortest way of the
    zoo in 100 steps"."""
    zoo = simulate_zoo("beale")
    first = np.abs(zoo["adadelta"].points[1] - zoo["adadelta"].points[0])
    assert round(math.sqrt(1e-6 / (1 - 0.95)), 4) == 0.0045
    np.testing.assert_allclose(first, math.sqrt(1e-6 / 0.05), rtol=1e-3)
    gradient = np.abs(zoo["adadelta"].details["gradient"][0])
    assert gradient.max() / gradient.min() > 1.5  # different gradients, the same first step
    travelled = {
        name: np.hypot(*np.diff(path.points.astype(float), axis=0).T).sum()
        for name, path in zoo.items()
    }
    assert min(travelled, key=travelled.get) == "adadelta"
    steps = np.hypot(*np.diff(zoo["adadelta"].points.astype(float), axis=0).T)
    assert steps[-1] < 10 * steps[0]  # grows slowly


def test_lion_moves_every_weight_by_exactly_the_learning_rate():
    """Claim: "moves every weight by exactly the learning rate, in the direction of the sign
    of a mix of m and the gradient" (the zoo's Lion on every surface, and a float64 loop of
    the text's formulas)."""
    for surface in SURFACES:
        path = simulate_zoo(surface, names="lion")["lion"]
        steps = np.abs(np.diff(path.points.astype(float), axis=0))
        np.testing.assert_allclose(steps, 0.04, rtol=1e-4)
    path = simulate_zoo("beale", names="lion")["lion"]
    w, m = np.array(BEALE.start, dtype=float), np.zeros(2)
    for point in path.points[1:11]:
        g = np.array(BEALE.gradient(*w))
        w = w - 0.04 * np.sign(0.9 * m + 0.1 * g)
        m = 0.99 * m + 0.01 * g
        np.testing.assert_allclose(point, w, atol=1e-5)


# --- The optimizer zoo ----------------------------------------------------------------


def test_bowl_is_25_times_more_curved_in_y():
    """Claim: "an ill-conditioned quadratic bowl f = 0.1x^2 + 2.5y^2 (its curvature is 25 times
    larger in y than in x)" (second differences of the surface)."""
    bowl = get_surface("quadratic")
    x, y = np.meshgrid(np.linspace(-4, 4, 9), np.linspace(-2, 2, 9))
    np.testing.assert_allclose(bowl.function(x, y), 0.1 * x**2 + 2.5 * y**2, rtol=1e-12)
    h = 1e-3
    f_xx = (
        bowl.function(1 + h, 0.5) - 2 * bowl.function(1, 0.5) + bowl.function(1 - h, 0.5)
    ) / h**2
    f_yy = (
        bowl.function(1, 0.5 + h) - 2 * bowl.function(1, 0.5) + bowl.function(1, 0.5 - h)
    ) / h**2
    assert f_yy / f_xx == pytest.approx(25, rel=1e-5)


def test_zoo_sgd_never_zigzags_on_the_bowl():
    """Claim: "On the bowl, the zoo's plain SGD (learning rate 0.01) never zig-zags: each step
    multiplies y by 1 - 5 eta = 0.95, so its y-steps keep their sign and it slides down the
    steep wall before it creeps along the flat axis, still far from the minimum after 100
    steps"."""
    path = simulate_zoo("quadratic", names="sgd")["sgd"]
    assert ZOO["sgd"].learning_rate == 0.01
    assert direction_changes(path) == 0
    y = path.points[:, 1].astype(float)
    np.testing.assert_allclose(y[1:] / y[:-1], 0.95, rtol=1e-5)
    x = path.points[:, 0].astype(float)
    # y falls to under 1 % of its start while x covers under a fifth of its way
    assert abs(y[-1]) < 0.01 * abs(y[0])
    assert abs(x[-1]) > 0.8 * abs(x[0])
    assert np.hypot(x[-1], y[-1]) > 3


def test_sgd_zigzags_above_02_and_at_035_every_step():
    """Claim: "Above eta = 0.2 the factor is negative and SGD zig-zags across the valley; at
    eta = 0.35 (factor -0.75) every y-step reverses the one before, while the x-steps
    (factor 0.93) carry it to the minimum"."""
    for rate, expected in ((0.15, False), (0.19, False), (0.21, True), (0.3, True)):
        path = simulate(make_optimizer("sgd", rate), "quadratic")
        assert (direction_changes(path) > 0) == expected, rate
    assert ZIGZAG_LEARNING_RATE == 0.35
    path = simulate(make_optimizer("sgd", ZIGZAG_LEARNING_RATE), "quadratic")
    assert not path.diverged
    assert direction_changes(path) == path.n_steps - 1 == 99
    points = path.points.astype(float)
    np.testing.assert_allclose(points[1:4, 1] / points[:3, 1], -0.75, rtol=1e-5)
    np.testing.assert_allclose(points[1:4, 0] / points[:3, 0], 0.93, rtol=1e-5)
    assert np.hypot(*points[-1]) < 0.01
    assert direction_changes(path, axis=0) == 0


def test_zoo_hyperparameters_make_some_paths_diverge_elsewhere():
    """Claim: "The hyperparameters are the zoo's (tuned for Beale), so some paths diverge on other
    surfaces (listed under the figure)"."""
    diverged = {
        name: [key for key, path in simulate_zoo(name).items() if path.diverged]
        for name in SURFACES
    }
    assert diverged["beale"] == ["sgd_cyclic"]
    assert sum(len(names) for surface, names in diverged.items() if surface != "beale") > 1


def test_himmelblau_paths_end_at_the_minimum_of_the_starts_basin():
    """Claim: "On Himmelblau's function every zoo path that stays inside ends near the same
    minimum, (-3.78, -3.28), the one whose basin holds the start"."""
    himmelblau = get_surface("himmelblau")
    minima = np.array(himmelblau.minima)
    target = minima[np.argmin(np.hypot(*(minima - (-3.78, -3.28)).T))]
    assert np.allclose(target, (-3.78, -3.28), atol=0.005)
    inside = [path for path in simulate_zoo("himmelblau").values() if not path.diverged]
    assert len(inside) >= 8
    for path in inside:
        nearest = minima[np.argmin(np.hypot(*(minima - path.points[-1]).T))]
        assert np.array_equal(nearest, target), path.name
    # the start's basin: slow gradient descent from the start flows into that minimum
    flow = simulate(make_optimizer("sgd", 0.002), himmelblau, steps=3000)
    assert np.hypot(*(flow.points[-1] - target)) < 1e-3


# --- Exercises ------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", [nb05.momentum_step, nb05.adam_step], ids=lambda e: e.name)
def test_exercise_checks_run_5_steps_on_three_surfaces(exercise):
    """Claim (both exercise texts): "The check runs your step for 5 steps on three surfaces"
    / "The check runs 5 steps on three surfaces", starting from zero state."""
    assert "5 steps on three surfaces" in " ".join(exercise.prompt.split())
    assert nb05.STEPS == 5
    surfaces = [case.args["surface"] for case in exercise.cases]
    assert len(surfaces) == len(set(surfaces)) == 3
    # the path the check compares has the start and 5 updates
    case = exercise.cases[0]
    assert exercise.expected(case).shape == (6, 2)
