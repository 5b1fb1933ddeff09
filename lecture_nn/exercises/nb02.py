"""Exercises of notebook 02 (training): the backward pass of a dense layer, one chain-rule gradient.

The reference values come from :class:`lecture_nn.network.Network`, whose backward pass the
test suite checks against Keras.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from lecture_nn.activations import sigmoid, sigmoid_derivative, tanh_derivative
from lecture_nn.exercises.core import Case, Diagnosis, FunctionExercise, ValueExercise
from lecture_nn.network import Network

__all__ = ["backprop_by_hand", "dense_backward"]


def _layer_gradients(X, W, b, dZ):
    """(dL/dW, dL/db, dL/dX) of z = X @ W + b for the upstream gradient dL/dz = dZ.

    Computed by the backward pass of a one-layer linear ``Network`` with mean squared
    error, whose output gradient is 2 (yhat - y) / (n * n_out) (Keras' MSE has no 1/2):
    choosing y = yhat - dZ * n * n_out / 2 makes the gradient arriving at z exactly dZ.
    """
    n, n_out = dZ.shape
    layer = Network([W.shape[0], n_out], ["linear"], loss="mean_squared_error")
    layer.set_weights([W, b])
    forward = layer.forward(X)
    gradients = layer.backward(forward, forward.output - dZ * (n * n_out / 2))
    return gradients.weights[0], gradients.bias[0], gradients.activations[0]


def _dense_backward_cases() -> list[Case]:
    rng = np.random.default_rng(2)
    cases = []
    for n, n_in, n_out in ((4, 3, 2), (3, 3, 3), (1, 2, 4)):
        args = {
            "X": rng.normal(size=(n, n_in)).round(2),
            "W": rng.normal(size=(n_in, n_out)).round(2),
            "b": rng.normal(size=n_out).round(2),
            "dZ": (rng.normal(size=(n, n_out)) / n).round(3),
        }
        label = f"a batch of {n}: X {(n, n_in)}, W {(n_in, n_out)}, b {(n_out,)}, dZ {(n, n_out)}"
        cases.append(Case(args, label=label))
    return cases


dense_backward = FunctionExercise(
    "nb02.dense_backward",
    title="The backward pass of a dense layer",
    prompt=(
        "A dense layer computes $\\mathbf{Z} = \\mathbf{X}\\mathbf{W} + \\mathbf{b}$ for a batch "
        "`X` of shape `(n, n_in)`, weights `W` `(n_in, n_out)` and bias `b` `(n_out,)`. "
        "Backpropagation hands it the gradient of the (batch-mean) loss with respect to its "
        "output, `dZ` $= \\partial\\mathcal{L}/\\partial\\mathbf{Z}$, shape `(n, n_out)`; the "
        "$1/n$ of the mean is already in it. Write `dense_backward(X, W, b, dZ)` returning the "
        "tuple `(dW, db, dX)`: the gradients with respect to `W`, `b` and the input `X`, each "
        "with the shape of the array it belongs to."
    ),
    blank=(
        "def dense_backward(X, W, b, dZ):\n"
        '    """(dL/dW, dL/db, dL/dX) of Z = X @ W + b, given dL/dZ (n, n_out)."""\n'
        "    ..."
    ),
    solution=(
        "def dense_backward(X, W, b, dZ):\n"
        '    """(dL/dW, dL/db, dL/dX) of Z = X @ W + b, given dL/dZ (n, n_out)."""\n'
        "    dW = X.T @ dZ  # (n_in, n_out): sums the contributions of the examples\n"
        "    db = dZ.sum(axis=0)  # (n_out,): the bias is added to every example\n"
        "    dX = dZ @ W.T  # (n, n_in): each input feeds every unit through W\n"
        "    return dW, db, dX"
    ),
    hints=(
        "Start from the shapes: dW must have the shape of W, (n_in, n_out), db that of b, "
        "(n_out,), and dX that of X, (n, n_in). Only one arrangement of X, W and dZ fits each.",
        "Z[k, j] = sum_i X[k, i] W[i, j] + b[j]. So dZ[k, j] / dW[i, j] brings in X[k, i], "
        "summed over the examples k; the bias gets dZ summed over the examples; and X[k, i] "
        "reaches every unit j through W[i, j].",
        "dW = X.T @ dZ, db = dZ summed over the batch axis (axis 0), dX = dZ @ W.T. No "
        "division by n: dZ already holds the 1/n of the mean loss.",
    ),
    diagnoses=(
        Diagnosis(
            "dL/db: looks like you summed over the wrong axis; sum over the batch (the "
            "examples), so that db has one entry per unit, like b.",
            lambda X, W, b, dZ: (X.T @ dZ, dZ.sum(axis=1), dZ @ W.T),
            part=1,
        ),
        Diagnosis(
            "dL/db must be summed over the batch, one entry per unit like b; you return dZ itself.",
            lambda X, W, b, dZ: (X.T @ dZ, dZ, dZ @ W.T),
            part=1,
        ),
        Diagnosis(
            "dL/db: you averaged over the batch, but dZ already carries the 1/n of the mean "
            "loss, so averaging again divides by n twice; sum instead.",
            lambda X, W, b, dZ: (X.T @ dZ, dZ.mean(axis=0), dZ @ W.T),
            part=1,
        ),
        Diagnosis(
            "dL/dW: you divided by the batch size, but dZ already carries the 1/n of the mean "
            "loss: averaging twice.",
            lambda X, W, b, dZ: (X.T @ dZ / len(X), dZ.sum(axis=0), dZ @ W.T),
            part=0,
        ),
        Diagnosis(
            "dL/dW comes out transposed, with shape (n_out, n_in); it needs the shape of W, "
            "(n_in, n_out): swap the order of the product (and transpose accordingly).",
            lambda X, W, b, dZ: ((X.T @ dZ).T, dZ.sum(axis=0), dZ @ W.T),
            part=0,
        ),
        Diagnosis(
            "dL/dW: a transpose of X is missing; X is (n, n_in) and dZ is (n, n_out), so the "
            "product has to run over the batch axis that both share.",
            lambda X, W, b, dZ: (X @ dZ, dZ.sum(axis=0), dZ @ W.T),
            part=0,
        ),
        Diagnosis(
            "dL/dX: a transpose is missing; W maps inputs to units, so going back from the "
            "units to the inputs needs W transposed.",
            lambda X, W, b, dZ: (X.T @ dZ, dZ.sum(axis=0), dZ @ W),
            part=2,
        ),
    ),
    reference=_layer_gradients,
    cases=_dense_backward_cases,
    output_names=("dW", "db", "dX"),
    rtol=1e-6,
    atol=1e-9,
)


@cache
def worked_example() -> dict[str, np.ndarray | float | Network]:
    """Return the 2-3-1 network and data point of notebook 02's worked example, with its quantities.

    The same names as in the notebook: ``worked`` (tanh hidden layer, sigmoid output, seed
    3), ``x``, ``y``, ``hidden``, ``output``, ``fp`` (its forward pass), ``z_h``, ``a_h``,
    ``z_o``, ``y_hat``, and the imported ``sigmoid``, ``sigmoid_derivative``,
    ``tanh_derivative`` and ``np``, so that an answer written for the notebook can be run
    on it.
    """
    worked = Network([2, 3, 1], ["tanh", "sigmoid"], loss="mean_squared_error", seed=3)
    x, y = np.array([[0.5, -1.0]]), np.array([[1.0]])
    hidden, output = worked.layers
    fp = worked.forward(x)
    return {
        "np": np,
        "sigmoid": sigmoid,
        "sigmoid_derivative": sigmoid_derivative,
        "tanh_derivative": tanh_derivative,
        "worked": worked,
        "x": x,
        "y": y,
        "hidden": hidden,
        "output": output,
        "fp": fp,
        "z_h": fp.z[0][0],
        "a_h": fp.a[1][0],
        "z_o": fp.z[1][0, 0],
        "y_hat": fp.a[2][0, 0],
    }


def _half_squared_error_gradients():
    """Backpropagated gradients of the notebook's loss 1/2 (yhat - y)^2 for every weight.

    Keras' mean squared error (the network's loss) has no 1/2, so its gradients are halved.
    """
    example = worked_example()
    gradients = example["worked"].gradients(example["x"], example["y"])
    return gradients.weights[0] / 2, gradients.weights[1] / 2


def _dw13_reference() -> float:
    hidden_gradients, _ = _half_squared_error_gradients()
    return float(hidden_gradients[0, 2])  # from input x_1 to hidden unit 3


def _dw13_diagnoses() -> tuple[Diagnosis, ...]:
    example = worked_example()
    z_3, z_o, x = example["z_h"][2], example["z_o"], example["x"][0]
    hidden_gradients, output_gradients = _half_squared_error_gradients()
    right = hidden_gradients[0, 2]
    return (
        Diagnosis(
            "The sign is flipped: the chain starts with dL/dy_hat = (y_hat - y), not (y - y_hat).",
            -right,
        ),
        Diagnosis(
            "Looks like the derivative of the output sigmoid, sigmoid'(z_o), is missing from "
            "the chain.",
            right / sigmoid_derivative(z_o),
        ),
        Diagnosis(
            "Looks like the derivative of the hidden activation, tanh'(z_3), is missing from "
            "the chain.",
            right / tanh_derivative(z_3),
        ),
        Diagnosis(
            "Looks like you multiplied by tanh(z_3), the activation itself, where the chain "
            "needs its derivative tanh'(z_3).",
            right / tanh_derivative(z_3) * np.tanh(z_3),
        ),
        Diagnosis(
            "Looks like you multiplied by sigmoid(z_o) = y_hat where the chain needs the "
            "derivative sigmoid'(z_o).",
            right / sigmoid_derivative(z_o) * sigmoid(z_o),
        ),
        Diagnosis(
            "Twice the right value: that is the gradient of Keras' mean squared error "
            "(y_hat - y)^2, without the 1/2 of this example's loss.",
            2 * right,
        ),
        Diagnosis(
            "That is the gradient of w_23 (from input x_2): the last factor of the chain is "
            "the input on the weight's own edge, x_1.",
            right * x[1] / x[0],
        ),
        Diagnosis(
            "That is the gradient of a weight into hidden unit 1 or 2: w_13 leads into unit 3, "
            "so the chain goes through w_3, z_3 and tanh'(z_3).",
            hidden_gradients[0, 0],
        ),
        Diagnosis(
            "That is the gradient of a weight into hidden unit 1 or 2: w_13 leads into unit 3, "
            "so the chain goes through w_3, z_3 and tanh'(z_3).",
            hidden_gradients[0, 1],
        ),
        Diagnosis(
            "That is the gradient of the output weight w_3; w_13 sits one layer further back, "
            "so the chain continues through w_3 and tanh'(z_3) to x_1.",
            output_gradients[2, 0],
        ),
    )


backprop_by_hand = ValueExercise(
    "nb02.backprop_by_hand",
    title="One gradient by hand",
    prompt=(
        "In the worked 2-3-1 example above (loss $\\mathcal{L} = \\frac{1}{2}(\\hat y - y)^2$), "
        "compute $\\partial \\mathcal{L} / \\partial w_{13}$, the gradient of the weight from "
        "input $x_1$ to hidden unit 3 (`hidden.weights[0, 2]`), with the chain rule. Use the "
        "quantities the example computed (`x`, `y`, `z_h`, `z_o`, `y_hat`, `output.weights`, "
        "`sigmoid_derivative`, `tanh_derivative`), not `worked.gradients`."
    ),
    blank="dL_dw13 = ...",
    solution=(
        "delta_o = (y_hat - y[0, 0]) * sigmoid_derivative(z_o)  # dL/dz_o, as for w_1\n"
        "dL_dw13 = delta_o * output.weights[2, 0] * tanh_derivative(z_h[2]) * x[0, 0]"
    ),
    hints=(
        "The chain is the one for w_21 in the example, but through hidden unit 3 and input 1.",
        "dL/dw_13 = [(y_hat - y) sigma'(z_o) w_3] tanh'(z_3) x_1. Python counts from 0: "
        "w_3 is output.weights[2, 0], z_3 is z_h[2] and x_1 is x[0, 0].",
        "Reuse the first two factors, (y_hat - y[0, 0]) * sigmoid_derivative(z_o), then "
        "multiply by output.weights[2, 0], tanh_derivative(z_h[2]) and x[0, 0].",
    ),
    diagnoses=_dw13_diagnoses,
    reference=_dw13_reference,
    what="your dL/dw_13",
    answer_name="dL_dw13",
    rtol=2e-3,  # lets through products of the 4-digit values the example prints
    atol=0.0,
)

EXERCISES = {exercise.short_name: exercise for exercise in (dense_backward, backprop_by_hand)}
