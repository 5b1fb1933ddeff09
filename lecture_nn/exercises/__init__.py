"""Exercises for the course notebooks, with specific feedback, graded hints and solutions.

In notebook NN::

    from lecture_nn.exercises import nb03 as exercises

    exercises.leaky_relu.check(leaky_relu)   # ✓ Correct / ✗ Incorrect: ... / … Not attempted yet
    exercises.leaky_relu.hint()              # hint 1 of 3, then 2 of 3, ...
    exercises.leaky_relu.solution()          # the reference code

The framework is in :mod:`lecture_nn.exercises.core`, the exercises of notebook NN in
``lecture_nn.exercises.nbNN``. Each exercise is named "nbNN.short_name"; the notebook's
answer cell carries that name in its metadata (``{"exercise": "nb03.leaky_relu"}``) and
the tag ``exercise-answer``, so that :mod:`lecture_nn.tooling.solutions` can fill it in.
"""

from __future__ import annotations

import importlib

from lecture_nn.exercises.core import Exercise

#: One module per course notebook.
MODULES = ("nb01", "nb02", "nb03", "nb04", "nb05", "nb06", "nb07")

#: Tag of the notebook cell that holds a student's answer.
ANSWER_TAG = "exercise-answer"

#: Tag of the notebook cell that checks it.
CHECK_TAG = "exercise-check"

__all__ = ["ANSWER_TAG", "CHECK_TAG", "MODULES", "Exercise", "all_exercises", "get_exercise"]


def get_exercise(name: str) -> Exercise:
    """Return the exercise called ``name`` ("nb03.leaky_relu"); ValueError naming the valid ones."""
    module_name, _, short_name = str(name).partition(".")
    if module_name in MODULES:
        exercises = importlib.import_module(f"{__name__}.{module_name}").EXERCISES
        if short_name in exercises:
            return exercises[short_name]
    raise ValueError(f"unknown exercise {name!r}; known: {', '.join(all_exercises())}")


def all_exercises() -> dict[str, Exercise]:
    """Every exercise of the course, by full name, in course order."""
    found: dict[str, Exercise] = {}
    for module_name in MODULES:
        module = importlib.import_module(f"{__name__}.{module_name}")
        found.update({exercise.name: exercise for exercise in module.EXERCISES.values()})
    return found
