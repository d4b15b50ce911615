"""The tutorial's three published errors, as switches on the engine's one backward pass.

The tutorial the product grew from computes its gradients with three errors:
- SIGMOID_DERIVATIVE: its sigmoid derivative is 2 s (1 - s), twice the true s (1 - s);
- SUMMED_LOSS: its "average" cross-entropy divides by the number of outputs (1), so the loss
  and every gradient are sums over the samples, n times the mean's;
- DB_AVERAGED: dW = a^T dz sums over the batch while db averages dz over it.
``output_delta`` and ``hooks`` turn any subset of them into the arguments of
``MLP.backward``; ``MLP.backprop(..., errors=)`` and ``Trainer(errors=)`` use them, so a run
with the errors is the engine's own backward pass with different numbers fed in.
"""

from .losses import LOSSES

SIGMOID_DERIVATIVE = "sigmoid_derivative"  # f'(z) = 2 s (1 - s) instead of s (1 - s)
SUMMED_LOSS = "summed_loss"  # the "mean" divides by the number of outputs: a sum over samples
DB_AVERAGED = "db_averaged"  # dW = a^T dz sums over the batch while db averages dz over it
TUTORIAL_ERRORS = (SIGMOID_DERIVATIVE, SUMMED_LOSS, DB_AVERAGED)
ERROR_LABELS = {
    SIGMOID_DERIVATIVE: "sigmoid derivative 2·s·(1−s)",
    SUMMED_LOSS: "loss summed, not averaged",
    DB_AVERAGED: "dW summed, db averaged",
}


def check_errors(errors):
    """A frozenset of tutorial error names; ValueError for anything else."""
    if isinstance(errors, str) or not isinstance(errors, (list, tuple, set, frozenset)):
        raise ValueError(f"errors must be a list of names from {TUTORIAL_ERRORS}; got "
                         f"{errors!r:.60}")
    if not all(isinstance(e, str) for e in errors):
        raise ValueError(f"errors must be a subset of {TUTORIAL_ERRORS}; got {list(errors)}")
    errors = frozenset(errors)
    unknown = errors - set(TUTORIAL_ERRORS)
    if unknown:
        raise ValueError(f"errors must be a subset of {TUTORIAL_ERRORS}; got {sorted(unknown)}")
    return errors


def tutorial_sigmoid_derivative(z, a):
    """The tutorial's sigmoid derivative 2 s (1 - s), twice the true s (1 - s); a hook for
    ``MLP.backward(derivatives=...)``."""
    return 2.0 * a * (1.0 - a)


def hooks(activations, errors):
    """``MLP.backward``'s (derivatives, bias_reduction) for a network with ``activations``."""
    wrong = SIGMOID_DERIVATIVE in errors
    derivatives = [tutorial_sigmoid_derivative if name == "sigmoid" and wrong else None
                   for name in activations[:-1]]
    return derivatives, "mean" if DB_AVERAGED in errors else "sum"


def output_delta(loss, activation, z, a, Y, errors):
    """dL/dz at the output under ``errors``: the engine's (fused) delta, times n with a
    summed loss; a wrong sigmoid derivative multiplies a sigmoid output's delta by 2 (the
    fused (p - y)/n equals dL/dŷ · s(1 - s) exactly, whatever the saturation)."""
    scale = float(len(Y)) if SUMMED_LOSS in errors else 1.0
    if activation == "sigmoid" and SIGMOID_DERIVATIVE in errors:
        if loss == "bce":
            return LOSSES[loss].output_delta(z, a, Y, activation) * (2.0 * scale)
        return LOSSES[loss].grad_a(z, a, Y) * scale * tutorial_sigmoid_derivative(z, a)
    return LOSSES[loss].output_delta(z, a, Y, activation) * scale
