"""Bad input to any public entry point gets a ValueError/TypeError that names the parameter.

For every entry point of ``tests/public_api.py``'s registry and each of its parameters,
every bad value of the parameter's kind in ``public_api``'s fixed list is tried, then
Hypothesis draws generated numbers (non-positive sizes, negative seeds, probabilities
outside [0, 1], ...).
Each call runs under a time limit (an alarm) and a memory limit, so a hang or a memory
blow-up fails the example instead of stopping the run. A result other than a clear error is
allowed only where the registry documents it, with its reason, and for stress values (huge
sizes: returning normally, or numpy refusing at once to allocate, is fine there).

Entry points that train Keras models, start kernels or reach the network are marked slow.
"""

import math

import matplotlib.pyplot as plt
import public_api
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SLOW = ("train", "slow", "kernel", "network")
# Seconds before a call counts as a hang. Generous: a refusal takes milliseconds, but under a
# full CI run on two cores a first call (imports, fonts) took over 10 s once; a real hang
# still fails, only later.
TIMEOUT = 60.0

_TARGETS = public_api.targets()


def _generated(kind):
    """Generated bad values of a numeric kind (None: only the fixed list)."""
    floats = st.floats(allow_nan=True, allow_infinity=True)
    base = kind.removesuffix("_or_none")
    return {
        "size": st.integers(max_value=0) | floats,
        "count": st.integers(max_value=-1) | floats,
        "seed": st.integers(max_value=-1) | floats,
        "rate": st.floats(max_value=0.0) | st.just(math.inf) | st.just(math.nan),
        "nonneg": st.floats(max_value=-1e-12) | st.just(math.inf) | st.just(math.nan),
        "probability": floats.filter(lambda x: not 0.0 <= x <= 1.0),
    }.get(base)


def _labelled(value):
    return repr(value), public_api.Const(value)


def _cases():
    for target in _TARGETS:
        marks = [pytest.mark.slow] if target.entry.heavy in SLOW else []
        for parameter in target.parameters():
            yield pytest.param(target, parameter, id=f"{target.qualname}-{parameter}", marks=marks)


def test_every_public_callable_and_parameter_is_registered():
    """A public function or parameter added without a registry entry is named here."""
    assert public_api.missing_parameters() == []


def test_the_registry_has_no_stale_entries():
    """Every registry key still names a public callable (after modules moved)."""
    public = public_api.all_public_names()
    stale = [
        key
        for key in public_api.REGISTRY
        if key.rsplit(".", 1)[-1] not in public and key not in public_api.FORMER
    ]
    assert stale == []


def _judge(target, parameter, label, make_value):
    """The failure message of one bad-value call, or None when its outcome is acceptable."""
    try:
        outcome = public_api.run_in_process(target, parameter, make_value, timeout=TIMEOUT)
    finally:
        plt.close("all")
    if public_api.acceptable(outcome, label, public_api.documented(target, parameter, label)):
        return None
    return (
        f"{target.qualname}({parameter}={label}): {outcome.outcome}"
        + (f" ({outcome.error}: {outcome.message})" if outcome.error else "")
        + f"; expected a ValueError/TypeError naming {parameter!r}"
    )


@pytest.mark.parametrize(("target", "parameter"), list(_cases()))
def test_bad_value_gets_a_clear_error(target, parameter):
    """Every value of the kind's fixed list, then generated numbers drawn by Hypothesis.

    The fixed list is tried in full (not sampled), so the verdict does not depend on which
    examples a Hypothesis version happens to draw.
    """
    kind = target.entry.kinds[parameter]
    failures = [
        message
        for label, make_value in sorted(public_api.bad_values(kind).items())
        if (message := _judge(target, parameter, label, make_value)) is not None
    ]
    assert failures == []
    generated = _generated(kind)
    if generated is None:
        return

    @settings(
        max_examples=4,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(generated.map(_labelled))
    def check(case):
        message = _judge(target, parameter, *case)
        assert message is None, message

    check()
