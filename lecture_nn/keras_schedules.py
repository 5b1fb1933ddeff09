"""Keras learning-rate schedules: the twins of :mod:`lecture_nn.schedules` (imports Keras).

:func:`to_keras` turns any numpy schedule of :mod:`lecture_nn.schedules` into the Keras
schedule that computes the same float32 values: Keras' own class of the same name, or
for the cyclical rate this module's :class:`CyclicalLearningRate`. The dependency runs
one way: this module imports :mod:`lecture_nn.schedules`, never the other way round.

:class:`CyclicalLearningRate` replaces tensorflow-addons' ``CyclicalLearningRate``
(tensorflow-addons is no longer maintained and does not work with Keras 3). It uses
``keras.ops`` only, so it runs on every Keras backend, and it is registered for
serialisation as ``"lecture_nn>CyclicalLearningRate"``: models compiled with it survive
``model.save`` / ``keras.models.load_model`` as long as this module has been imported.

The numpy twin, :class:`lecture_nn.schedules.CyclicalLearningRate`, computes the same
float32 values step for step.
"""

from __future__ import annotations

import keras
from keras import ops

from lecture_nn import schedules as _numpy_schedules

__all__ = ["CyclicalLearningRate", "to_keras"]


@keras.saving.register_keras_serializable(package="lecture_nn")
class CyclicalLearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """Cyclical learning rate of Smith (2017), "Cyclical Learning Rates for Training NNs".

    One cycle lasts ``2 * step_size`` optimizer steps; the rate climbs linearly from
    ``initial_learning_rate`` to ``maximal_learning_rate`` and back. With
    ``cycle = floor(1 + step / (2 step_size))`` and ``x = |step / step_size - 2 cycle + 1|``
    the rate is ``initial + (maximal - initial) * max(0, 1 - x) * scale``, where ``scale``
    is 1 (``mode="triangular"``), ``1 / 2**(cycle - 1)`` (``"triangular2"``) or
    ``gamma**step`` (``"exp_range"``: the lower bound stays, the amplitude shrinks), as in
    Section 3.1 of the paper and in tensorflow-addons.

    Parameters
    ----------
    initial_learning_rate : float
        Lower bound of the cycle, > 0.
    maximal_learning_rate : float
        Upper bound, >= ``initial_learning_rate``.
    step_size : float
        Half a cycle, in optimizer steps (> 0).
    mode : {"triangular", "triangular2", "exp_range"}
        How the amplitude changes from cycle to cycle.
    gamma : float
        Decay per step for ``"exp_range"``, in (0, 1].
    name : str
        Name scope of the ops.

    Raises
    ------
    TypeError, ValueError
        A bad argument (checked by the numpy twin; the message names it).
    """

    def __init__(
        self,
        initial_learning_rate,
        maximal_learning_rate,
        step_size,
        mode="triangular",
        gamma=1.0,
        name="CyclicalLearningRate",
    ):
        super().__init__()
        if not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r} ({type(name).__name__})")
        # The numpy twin validates the arguments with clear messages and normalises them.
        checked = _numpy_schedules.CyclicalLearningRate(
            initial_learning_rate, maximal_learning_rate, step_size, mode, gamma
        )
        self.initial_learning_rate = checked.initial_learning_rate
        self.maximal_learning_rate = checked.maximal_learning_rate
        self.step_size = checked.step_size
        self.mode = checked.mode
        self.gamma = checked.gamma
        self.name = name

    def __call__(self, step):
        """Return the learning rate at ``step`` (a scalar or tensor of optimizer iterations).

        Parameters
        ----------
        step : int or tensor
            The optimizer's iteration count (updates already applied).

        Returns
        -------
        tensor
            The learning rate, in the dtype of ``initial_learning_rate`` (float32).
        """
        with keras.name_scope(self.name):
            initial = ops.convert_to_tensor(self.initial_learning_rate)
            dtype = initial.dtype
            maximal = ops.cast(self.maximal_learning_rate, dtype)
            step_size = ops.cast(self.step_size, dtype)
            step = ops.cast(step, dtype)
            one = ops.cast(1.0, dtype)
            two = ops.cast(2.0, dtype)
            cycle = ops.floor(one + step / (two * step_size))
            x = ops.abs(step / step_size - two * cycle + one)
            if self.mode == "triangular":
                scale = one
            elif self.mode == "triangular2":
                scale = one / ops.power(two, cycle - one)
            else:
                scale = ops.power(ops.cast(self.gamma, dtype), step)
            zero = ops.cast(0.0, dtype)
            return initial + (maximal - initial) * ops.maximum(zero, one - x) * scale

    def get_config(self):
        """Return the constructor arguments, for serialisation.

        Returns
        -------
        dict
            The arguments by name, ``name`` included.
        """
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "maximal_learning_rate": self.maximal_learning_rate,
            "step_size": self.step_size,
            "mode": self.mode,
            "gamma": self.gamma,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config):
        """Rebuild the schedule from :meth:`get_config`.

        Parameters
        ----------
        config : dict
            What :meth:`get_config` returned.

        Returns
        -------
        CyclicalLearningRate
            A schedule with the same arguments.
        """
        return cls(**config)


def to_keras(
    schedule: _numpy_schedules.Schedule,
) -> keras.optimizers.schedules.LearningRateSchedule:
    """Return the Keras schedule equivalent to a numpy schedule of :mod:`lecture_nn.schedules`.

    Parameters
    ----------
    schedule : lecture_nn.schedules.Schedule
        A numpy schedule, e.g. ``ExponentialDecay(0.02, 100, 0.96)``.

    Returns
    -------
    keras.optimizers.schedules.LearningRateSchedule
        A fresh instance of Keras' class of the same name with the same arguments (for
        :class:`lecture_nn.schedules.CyclicalLearningRate`, this module's twin); it
        computes the same float32 rates step for step.

    Raises
    ------
    TypeError
        ``schedule`` is not a schedule of :mod:`lecture_nn.schedules`.
    """
    if not isinstance(schedule, _numpy_schedules.Schedule):
        raise TypeError(
            "schedule must be a schedule of lecture_nn.schedules (e.g. ExponentialDecay), "
            f"got {type(schedule).__name__}"
        )
    if isinstance(schedule, _numpy_schedules.CyclicalLearningRate):
        return CyclicalLearningRate(**schedule.get_config())
    keras_class = getattr(keras.optimizers.schedules, type(schedule).__name__, None)
    if keras_class is None:
        raise TypeError(f"Keras has no schedule that matches {type(schedule).__name__}")
    return keras_class(**schedule.get_config())
