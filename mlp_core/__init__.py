"""mlp_core: a multilayer perceptron in NumPy with explicit backpropagation.

    import mlp_core as mc
    ds = mc.make_dataset("circles", n_samples=1000, noise=0.1, seed=0)
    train, test = mc.train_test_split(ds, test_fraction=0.5, seed=0)
    net = mc.MLP([2, 8, 8, 1], activations=["relu", "relu", "sigmoid"], init="he", seed=0)
    trainer = mc.Trainer(net, loss="bce", optimizer=mc.Adam(lr=0.01), batch_size=32, seed=0)
    trainer.run_epochs(train.X, train.y, n_epochs=100, X_test=test.X, y_test=test.y)
"""

from ._validate import MAX_LAYERS, MAX_PARAMS, MAX_SEED, MAX_UNITS, MAX_VALUES
from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, sigmoid, softmax
from .datasets import (
    CLASSIFICATION_DATASETS,
    DATASETS,
    FEATURES,
    MAX_SAMPLES,
    REGRESSION_DATASETS,
    Dataset,
    expand_features,
    make_dataset,
    train_test_split,
)
from .gradcheck import gradient_check, numerical_gradients, relative_error
from .losses import LOSSES
from .network import INITS, MLP, predicted_labels, targets
from .optimizers import SGD, Adam
from .published_errors import TUTORIAL_ERRORS
from .training import Diverged, History, Trainer

__all__ = [
    "MAX_LAYERS", "MAX_PARAMS", "MAX_SEED", "MAX_UNITS", "MAX_VALUES", "MAX_SAMPLES",
    "ACTIVATIONS", "HIDDEN_ACTIVATIONS", "OUTPUT_ACTIVATIONS", "sigmoid", "softmax",
    "DATASETS", "CLASSIFICATION_DATASETS", "REGRESSION_DATASETS", "FEATURES", "Dataset",
    "expand_features", "make_dataset", "train_test_split",
    "gradient_check", "numerical_gradients", "relative_error", "LOSSES",
    "INITS", "MLP", "predicted_labels", "targets", "SGD", "Adam",
    "Diverged", "History", "Trainer", "TUTORIAL_ERRORS",
]
