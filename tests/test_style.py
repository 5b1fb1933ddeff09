"""The style module: media, scoped settings, colour maps."""

import matplotlib as mpl
import numpy as np
import pytest

from lecture_nn import style


def test_course_style_is_scoped_and_restores_settings():
    before = mpl.rcParams["font.size"]
    with style.course_style("print") as medium:
        assert medium == "print"
        assert mpl.rcParams["font.size"] == 8.0
    assert mpl.rcParams["font.size"] == before


def test_medium_from_environment(monkeypatch):
    monkeypatch.setenv("LECTURE_NN_MEDIUM", "print")
    assert style.default_medium() == "print"
    assert style.figsize(10, 5) == (8.0, 4.0)
    monkeypatch.setenv("LECTURE_NN_MEDIUM", "poster")
    with pytest.raises(ValueError, match="LECTURE_NN_MEDIUM must be one of"):
        style.default_medium()


def test_bad_medium_and_size():
    with pytest.raises(ValueError, match="medium must be one of"):
        style.style_rc("slides")
    with pytest.raises(ValueError, match="width must be a number > 0"):
        style.figsize(0, 3)
    with pytest.raises(ValueError, match="height must be a finite number"):
        style.figsize(3, float("nan"))
    with pytest.raises(TypeError, match="width must be a real number"):
        style.figsize("6", 3)
    with pytest.raises(TypeError, match="medium must be one of"):
        style.style_rc(1)
    assert style.figsize(np.int64(10), 5, medium="print") == (8.0, 4.0)


def test_colour_maps_exist_and_none_is_jet():
    names = [style.SEQUENTIAL_CMAP, style.DIVERGING_CMAP]
    for name in names:
        assert name in mpl.colormaps
    assert "jet" not in names
    assert style.style_rc("screen")["image.cmap"] != "jet"
