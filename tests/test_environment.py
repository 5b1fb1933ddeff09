"""The environment report helpers refuse bad arguments with an error naming them."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from lecture_nn.tooling.environment import (
    NOT_INSTALLED,
    format_report,
    is_tensorflow_startup_noise,
    package_version,
)


@pytest.mark.parametrize(("bad", "error"), [(3, TypeError), (None, TypeError), ("", ValueError)])
def test_package_version_refuses_a_name_that_is_not_a_string(bad, error):
    """Before the fix ``package_version(3)`` failed inside importlib without naming it."""
    with pytest.raises(error, match="distribution must be"):
        package_version(bad)


def test_package_version_reads_the_installed_metadata():
    assert package_version("numpy") == version("numpy")
    assert package_version("surely-not-a-distribution-xyz") == NOT_INSTALLED


@pytest.mark.parametrize("bad", ["x", [1], 3, None])
def test_format_report_refuses_what_is_not_a_mapping(bad):
    """Before the fix ``format_report("x")`` was an AttributeError about ``items``."""
    with pytest.raises(TypeError, match="report must be a mapping"):
        format_report(bad)


def test_format_report_refuses_names_that_are_not_strings():
    with pytest.raises(TypeError, match="report names must be strings"):
        format_report({1: "one"})


def test_format_report_aligns_values_and_continuation_lines():
    text = format_report({"a": "1\n2", "bbb": 3})
    assert text.splitlines() == ["a:   1", "     2", "bbb: 3"]


@pytest.mark.parametrize("bad", [3, b"I0000 00:00:1.2 1 x.cc:1] bytes", None])
def test_startup_noise_filter_refuses_a_line_that_is_not_text(bad):
    """Before the fix ``is_tensorflow_startup_noise(3)`` was an AttributeError (rstrip)."""
    with pytest.raises(TypeError, match="line must be a string"):
        is_tensorflow_startup_noise(bad)


def test_an_empty_line_is_not_noise():
    assert is_tensorflow_startup_noise("") is False
    assert is_tensorflow_startup_noise("\n") is False
