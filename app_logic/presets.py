"""Ready-made experiments: a whole configuration each, and what it shows in plain words."""

from .settings import default_config


def _preset(explanation, **changes):
    config = default_config()
    config.update(changes)
    return {"config": config, "explanation": explanation}


TUTORIAL = "The tutorial's experiment"
PRESETS = {
    "Linear model fails on circles": _preset(
        "With no hidden layer the network draws one straight line, and no line separates a "
        "ring from the disc inside it: accuracy stays near 50%.",
        hidden=[], lr=0.03),
    "Add x1² and x2² and a linear model succeeds": _preset(
        "The same linear model, given the squared inputs, can draw a circle: x1² + x2² is "
        "small inside and large outside. Choosing features can replace depth.",
        hidden=[], features=["x1", "x2", "x1^2", "x2^2"], lr=0.03),
    "Spiral needs depth": _preset(
        "Two interleaved spirals need many bends in the boundary; several layers of neurons "
        "combine simple pieces into that shape. Try removing layers and watch it fail.",
        dataset="spiral", n_samples=600, noise=0.05, hidden=[16, 16, 16], lr=0.01,
        batch_size=16),
    "Too large a learning rate diverges": _preset(
        "Each step overshoots the minimum by more than it gains, so the loss grows until it "
        "is no longer a number. Training stops and keeps the last good network.",
        optimizer="sgd", activation="leaky_relu", init="he", hidden=[8, 8], lr=10.0,
        batch_size=16),
    TUTORIAL: _preset(
        "The worked example this app grew from, replayed to the digit: its 1000 circles, its "
        "2-4-3-1 ReLU network and initial weights, plain gradient descent at lr 0.005 on all "
        "points at once, and its gradients as its code computed them. Its printed “mean” "
        "loss was a sum over the 1000 points, so lr 0.005 acted like lr 5 on the mean: it "
        "learns fast (81.8% at epoch 145) and then jumps about (58% at epoch 146). Compare "
        "it with the corrected gradients below.",
        dataset="tutorial", n_samples=1000, noise=0.1, hidden=[4, 3], activation="relu",
        init="randn", optimizer="sgd", lr=0.005, batch_size=1000, epoch_budget=150,
        gradients="tutorial"),
    "Three classes: blobs": _preset(
        "Three classes use three softmax outputs; the background blends the class colours "
        "by their predicted probabilities.",
        dataset="blobs3", noise=0.1, hidden=[6], lr=0.03),
    "Regression: a plane needs no hidden layer": _preset(
        "Predicting a number, not a class: the target is a tilted plane, and one linear "
        "output (squared error) fits it with no hidden layer. The background shows the "
        "prediction; the points are coloured by their target.",
        dataset="plane", hidden=[], lr=0.03),
    "Regression: a sum of Gaussians needs hidden units": _preset(
        "Six bumps of alternating sign: no plane fits them. Hidden tanh units each carve out "
        "a piece; watch the test loss fall as the bumps appear.",
        dataset="gaussian_sum", n_samples=600, noise=0.05, hidden=[8, 8], lr=0.03),
    "Overfitting: few noisy points, big network": _preset(
        "60 noisy points and a large network: the training loss keeps falling while the "
        "test loss turns upward. Add L2 regularization to pull them together.",
        dataset="moons", n_samples=60, noise=0.35, hidden=[16, 16, 16], activation="relu",
        init="he", lr=0.01, batch_size=8),
}

# The tutorial's run beside corrected ones: (run name, changes to the preset).
TUTORIAL_COMPARISON = (
    ("The tutorial's run (its 3 errors)", {}),
    ("Exact gradients, same start, lr 5", {"gradients": "exact", "lr": 5.0}),
    ("Exact gradients, Xavier start, Adam", {"gradients": "exact", "init": "xavier",
                                             "optimizer": "adam", "lr": 0.03}),
)
TUTORIAL_COMPARISON_NOTE = (
    "With exact gradients the same network from the same weights does not learn at all, at "
    "lr 5 (the published step on the mean loss) or any other plain-SGD rate: its biases, no "
    "longer held back by the averaged db, kill its few ReLUs. The published run learned by "
    "accident. From the usual Xavier weights with Adam the exact gradients reach 99% and "
    "stay there.")


def tutorial_comparison():
    """[(name, config)] of the tutorial's run and the corrected ones beside it."""
    base = PRESETS[TUTORIAL]["config"]
    return [(name, {**base, **changes}) for name, changes in TUTORIAL_COMPARISON]
