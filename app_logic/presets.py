"""Ready-made experiments: a whole configuration each, and what it shows in plain words.

Names and explanations are marked with N_ and translated where they are shown: a preset's
name is also the value of the Preset widget, which must not change with the language."""

from viz.i18n import N_

from .settings import default_config, experiment


def _preset(explanation, speed, epochs, stops=(), **changes):
    """A preset plays at ``speed`` epochs per second and stops after ``epochs``, so a class
    sees its point happen; live training also pauses at each epoch of ``stops``."""
    config = default_config()
    config.update(changes, speed=speed, epoch_budget=epochs)
    return {"config": config, "explanation": explanation, "stops": tuple(stops)}


TUTORIAL = N_("The tutorial's experiment")
PRESETS = {
    N_("Linear model fails on circles"): _preset(
        N_("With no hidden layer the network draws one straight line, and no line separates a "
           "ring from the disc inside it: the loss stays at 0.69 (what guessing costs) and the "
           "test accuracy wanders between 45% and 70% for all 100 epochs."),
        20, 100, hidden=[], lr=0.03),
    N_("Add x1² and x2² and a linear model succeeds"): _preset(
        N_("The same linear model, given the squared inputs, can draw a circle: x1² + x2² is "
           "small inside and large outside. The test accuracy passes 95% within 5 epochs and the "
           "loss keeps falling. Choosing features can replace depth."),
        10, 50, hidden=[], features=["x1", "x2", "x1^2", "x2^2"],
        lr=0.03),
    N_("Spiral needs depth"): _preset(
        N_("Two interleaved spirals need many bends in the boundary; three layers of neurons "
           "combine simple pieces into that shape. For 30 epochs the loss barely moves, then it "
           "drops and the test accuracy climbs past 90% by epoch 60. Try removing layers and "
           "watch it fail."),
        10, 150, dataset="spiral", n_samples=600, noise=0.05, hidden=[16, 16, 16], lr=0.01,
        batch_size=16),
    N_("Too large a learning rate diverges"): _preset(
        N_("Gradient descent on all points at lr 10: each step overshoots the minimum by more "
           "than it gains, so from epoch 2 on the loss grows, tenfold and then ever faster "
           "(from 1.07 to 570 at epoch 4 and 10^241 at epoch 11, on a log axis), until in "
           "epoch 12 it is no longer a number. Training stops and keeps the last good network."),
        2, 20, optimizer="sgd", activation="leaky_relu", init="he", hidden=[8, 8], lr=10.0,
        batch_size=200),
    TUTORIAL: _preset(
        N_("The worked example this app grew from, replayed to the digit: its 1000 circles, its "
           "2-4-3-1 ReLU network and initial weights, plain gradient descent at lr 0.005 on all "
           "points at once, and its gradients as its code computed them. Its printed “mean” "
           "loss was a sum over the 1000 points, so lr 0.005 acted like lr 5 on the mean. The "
           "accuracy sits at 50% until epoch 109, then swings between 50% and 92% as each step "
           "overshoots: the run pauses at epoch 145 (81.8%, the tutorial's last printout) and at "
           "146 (58%). Compare it with the corrected gradients."),
        20, 150, (145, 146), dataset="tutorial", n_samples=1000, noise=0.1, hidden=[4, 3],
        activation="relu", init="randn", optimizer="sgd", lr=0.005, batch_size=1000,
        gradients="tutorial"),
    N_("Three classes: blobs"): _preset(
        N_("Three classes use three softmax outputs; the background blends the class colours "
           "by their predicted probabilities. The test accuracy reaches 95% by epoch 5 and "
           "stays near 94%."),
        10, 50, dataset="blobs3", noise=0.1, hidden=[6], lr=0.03),
    N_("Regression: a plane needs no hidden layer"): _preset(
        N_("Predicting a number, not a class: the target is a tilted plane, and one linear "
           "output (squared error) fits it with no hidden layer: the loss falls from 0.17 to "
           "0.003 (the noise) in 5 epochs. The background shows the prediction; the points are "
           "coloured by their target."),
        5, 30, dataset="plane", hidden=[], lr=0.03),
    N_("Regression: a sum of Gaussians needs hidden units"): _preset(
        N_("Six bumps of alternating sign: no plane fits them. Hidden tanh units each carve out "
           "a piece; the test loss falls from 0.43 to about 0.02 as the bumps appear."),
        20, 150, dataset="gaussian_sum", n_samples=600, noise=0.05, hidden=[8, 8], lr=0.03),
    N_("Overfitting: few noisy points, big network"): _preset(
        N_("60 noisy points and a large network: the training loss keeps falling while the "
           "test loss turns upward after epoch 6 (from 0.26 to almost 2) and the test "
           "accuracy drops from 90% to about 70%. Add L2 regularization to pull them together."),
        20, 150, dataset="moons", n_samples=60, noise=0.35, hidden=[16, 16, 16], activation="relu",
        init="he", lr=0.01, batch_size=8),
}

# The tutorial's run beside corrected ones: (run name, changes to the preset).
TUTORIAL_COMPARISON = (
    (N_("The tutorial's run (its 3 errors)"), {}),
    (N_("Exact gradients, same start, lr 5"), {"gradients": "exact", "lr": 5.0}),
    (N_("Exact gradients, Xavier start, Adam"), {"gradients": "exact", "init": "xavier",
                                             "optimizer": "adam", "lr": 0.03}),
)
TUTORIAL_COMPARISON_NOTE = N_(
    "With exact gradients the same network from the same weights does not learn at all, at "
    "lr 5 (the published step on the mean loss) or any other plain-SGD rate: its biases, no "
    "longer held back by the averaged db, kill its few ReLUs. The published run learned by "
    "accident. From the usual Xavier weights with Adam the exact gradients reach 99% and "
    "stay there.")


def preset_of(config):
    """The name of the preset whose experiment ``config`` runs, or None."""
    return next((name for name, p in PRESETS.items()
                 if experiment(p["config"]) == experiment(config)), None)


def stops_for(config):
    """The planned pauses of the preset ``config`` runs (none for a custom setup)."""
    name = preset_of(config)
    return PRESETS[name]["stops"] if name else ()


def tutorial_comparison():
    """[(name, config)] of the tutorial's run and the corrected ones beside it."""
    base = PRESETS[TUTORIAL]["config"]
    return [(name, {**base, **changes}) for name, changes in TUTORIAL_COMPARISON]
