"""The numpy initializers against their formulas and against keras.initializers samples."""

import math

import numpy as np
import pytest

from lecture_nn.initializers import (
    INITIALIZERS,
    TRUNCATED_NORMAL_STD,
    expected_std,
    initialize,
    truncated_normal,
)

keras = pytest.importorskip("keras")

FAN_IN, FAN_OUT = 400, 300  # 120 000 samples: the sample std is within ~0.3 % of the truth
RANDOM = [name for name in INITIALIZERS if name != "zeros"]
KERAS_CLASS = {
    "glorot_normal": "GlorotNormal",
    "glorot_uniform": "GlorotUniform",
    "he_normal": "HeNormal",
    "he_uniform": "HeUniform",
    "random_normal": "RandomNormal",
}


def keras_sample(name, fan_in=FAN_IN, fan_out=FAN_OUT, seed=1):
    initializer = getattr(keras.initializers, KERAS_CLASS[name])(seed=seed)
    return np.asarray(initializer(shape=(fan_in, fan_out)))


@pytest.mark.parametrize("name", RANDOM)
def test_sample_std_matches_the_formula_and_keras(name):
    weights = initialize(name, FAN_IN, FAN_OUT, seed=0)
    assert weights.shape == (FAN_IN, FAN_OUT)
    assert weights.dtype == np.float64
    target = expected_std(name, FAN_IN, FAN_OUT)
    ours, theirs = weights.std(), keras_sample(name).std()
    assert ours == pytest.approx(target, rel=0.02)
    assert theirs == pytest.approx(target, rel=0.02)  # so our formula is Keras' formula
    assert ours == pytest.approx(theirs, rel=0.02)
    assert abs(weights.mean()) < 0.02 * target


def test_expected_std_formulas():
    assert expected_std("glorot_normal", 3, 5) == pytest.approx(math.sqrt(2 / 8))
    assert expected_std("glorot_uniform", 3, 5) == pytest.approx(math.sqrt(2 / 8))
    assert expected_std("he_normal", 3, 5) == pytest.approx(math.sqrt(2 / 3))
    assert expected_std("he_uniform", 3, 5) == pytest.approx(math.sqrt(2 / 3))
    assert expected_std("random_normal", 3, 5) == 0.05
    assert expected_std("random_normal", 3, 5, stddev=0.3) == 0.3
    assert expected_std("zeros", 3, 5) == 0.0


@pytest.mark.parametrize(("name", "n"), [("glorot_uniform", 350.0), ("he_uniform", 400.0)])
def test_uniform_variants_stay_within_their_limit(name, n):
    scale = 2.0 if name.startswith("he") else 1.0
    limit = math.sqrt(3 * scale / n)  # Keras: uniform in [-limit, limit]
    ours, theirs = initialize(name, FAN_IN, FAN_OUT, seed=2), keras_sample(name)
    for sample in (ours, theirs):
        assert np.abs(sample).max() <= limit
        assert np.abs(sample).max() > 0.999 * limit  # and they fill the whole range


@pytest.mark.parametrize(("name", "n"), [("glorot_normal", 350.0), ("he_normal", 400.0)])
def test_normal_variants_are_truncated_at_two_stddev_like_keras(name, n):
    scale = 2.0 if name.startswith("he") else 1.0
    untruncated_std = math.sqrt(scale / n) / TRUNCATED_NORMAL_STD
    bound = 2 * untruncated_std
    ours, theirs = initialize(name, FAN_IN, FAN_OUT, seed=3), keras_sample(name)
    for sample in (ours, theirs):
        assert np.abs(sample).max() <= bound
        assert np.abs(sample).max() > 0.99 * bound
    # Same shape of distribution: about the same share beyond one untruncated std.
    share = [np.mean(np.abs(s) > untruncated_std) for s in (ours, theirs)]
    assert share[0] == pytest.approx(share[1], abs=0.01)


def test_random_normal_is_not_truncated_and_takes_a_stddev():
    weights = initialize("random_normal", FAN_IN, FAN_OUT, seed=4)
    assert np.abs(weights).max() > 3 * 0.05
    wide = initialize("random_normal", FAN_IN, FAN_OUT, seed=4, stddev=0.5)
    assert wide.std() == pytest.approx(0.5, rel=0.02)


def test_zeros():
    weights = initialize("zeros", 3, 4)
    assert weights.shape == (3, 4)
    assert not weights.any()


def test_seed_and_rng_make_draws_reproducible():
    np.testing.assert_array_equal(
        initialize("he_normal", 5, 6, seed=7), initialize("he_normal", 5, 6, seed=7)
    )
    np.testing.assert_array_equal(
        initialize("he_normal", 5, 6, seed=7),
        initialize("he_normal", 5, 6, rng=np.random.default_rng(7)),
    )
    assert not np.array_equal(
        initialize("he_normal", 5, 6, seed=7), initialize("he_normal", 5, 6, seed=8)
    )
    # One generator for several layers gives different layers.
    rng = np.random.default_rng(0)
    first, second = (
        initialize("glorot_uniform", 4, 4, rng=rng),
        initialize("glorot_uniform", 4, 4, rng=rng),
    )
    assert not np.array_equal(first, second)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r"name must be one of .*glorot_normal.*'xavier'"):
        initialize("xavier", 2, 3)
    with pytest.raises(ValueError, match=r"name must be one of"):
        expected_std("he", 2, 3)
    with pytest.raises(TypeError, match="name must be one of"):
        initialize(3, 2, 3)
    with pytest.raises(ValueError, match="fan_in must be an integer >= 1, got 0"):
        initialize("he_normal", 0, 3)
    with pytest.raises(ValueError, match="fan_out must be an integer >= 1, got -2"):
        expected_std("glorot_normal", 2, -2)
    with pytest.raises(TypeError, match="fan_in must be an integer"):
        initialize("he_normal", 2.0, 3)
    with pytest.raises(ValueError, match="stddev must be a number > 0"):
        initialize("random_normal", 2, 3, stddev=0)
    with pytest.raises(ValueError, match="either rng or seed"):
        initialize("he_normal", 2, 3, rng=np.random.default_rng(), seed=1)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        initialize("he_normal", 2, 3, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="seed must be an integer"):
        initialize("he_normal", 2, 3, seed="1")
    with pytest.raises(ValueError, match="stddev must be a number > 0"):
        expected_std("he_normal", 2, 3, stddev=-1.0)  # checked whatever the name
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        truncated_normal("rng", (2, 2), 1.0)
    with pytest.raises(ValueError, match="std must be a number > 0"):
        truncated_normal(np.random.default_rng(0), (2, 2), -1.0)
    with pytest.raises(ValueError, match=r"shape\[0\] must be an integer >= 1"):
        truncated_normal(np.random.default_rng(0), (0, 2), 1.0)


@pytest.mark.parametrize(
    ("argument", "error"), [(3, TypeError), (None, TypeError), ("", ValueError)]
)
def test_check_initializer_name_checks_the_argument_name(argument, error):
    from lecture_nn.initializers import check_initializer_name

    with pytest.raises(error, match=r"\bargument\b"):
        check_initializer_name("he_normal", argument)


def test_check_initializer_name_names_the_callers_parameter():
    from lecture_nn.initializers import check_initializer_name

    with pytest.raises(ValueError, match=r"^kernel_initializer must be one of"):
        check_initializer_name("he_normall", "kernel_initializer")
