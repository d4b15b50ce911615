"""Ready-made experiments: a whole configuration each, and what it shows in plain words."""

from .settings import default_config


def _preset(explanation, **changes):
    config = default_config()
    config.update(changes)
    return {"config": config, "explanation": explanation}


PRESETS = {
    "Linear model fails on circles": _preset(
        "With no hidden layer the network draws one straight line, and no line separates a "
        "ring from the disc inside it: accuracy stays near 50%.",
        hidden=[], lr=0.03),
    "Add x1² and x2² and a linear model succeeds": _preset(
        "The same linear model, given the squared inputs, can draw a circle: x1² + x2² is "
        "small inside and large outside. Choosing features can replace depth.",
        hidden=[], features=["x1", "x2", "x1^2", "x2^2"]),
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
    "The tutorial's experiment": _preset(
        "The worked example this app grew from: a 2-4-3-1 ReLU network with a sigmoid "
        "output, N(0, 0.1) initial weights, plain gradient descent at lr 0.005 on all "
        "training points at once, for 150 epochs. So small a step barely moves in 150 "
        "epochs: try a larger learning rate or Adam.",
        n_samples=1000, noise=0.1, hidden=[4, 3], activation="relu", init="normal",
        optimizer="sgd", lr=0.005, batch_size=500, epoch_budget=150),
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
