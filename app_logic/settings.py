"""The Playground's settings, written once.

Each setting is one row of ``SETTINGS``: its key (in the config dict and in the URL), its
default, how a value is parsed (from a link's text, a widget or a file; ValueError when it
cannot be used), how it is written into a link, the label and tooltip people see, its group
and the widget that edits it. Everything else follows from the table: ``DEFAULTS``,
``validate_config``, the URL round trip, what a change costs (``change_kind``), the sidebar's
widgets (ui/settings_sidebar.py) and the Compare page's labels.

A setting's group decides what changing it does:
    data      new points, so a new network from epoch 0
    network   a new network from epoch 0 on the same points
    training  the same network trains on with the new optimizer settings
    run       nothing is rebuilt (e.g. the epoch budget)
    view      how the run is shown (speed, presenter mode): not part of a saved run
"""

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import mlp_core as mc
from viz.i18n import N_, _

OWN_DATASETS = ("draw", "upload")  # the user's own points: they live in the session only
TUTORIAL_DATASET = "tutorial"  # the tutorial's circles, drawn from its legacy random stream
TUTORIAL_INIT_SEED = 42  # the tutorial seeds its weights with 42: the Playground's seed + 42
GROUPS = ("data", "network", "training", "run", "view")
EXPERIMENT_GROUPS = GROUPS[:-1]  # what a saved run, an exported model or a script keeps
MAX_LAYERS, MAX_NEURONS = 6, 16
MOMENTUM = 0.9  # of the "momentum" optimizer


def log_values(low_exp, high_exp, mantissas=(1, 2, 3, 5)):
    """1e-5, 2e-5, 3e-5, 5e-5, ... up to 10**high_exp: the stops of a log-scale slider."""
    return [round(m * 10.0 ** e, 12) for e in range(low_exp, high_exp + 1) for m in mantissas
            if m * 10.0 ** e <= 10.0 ** high_exp]


def with_value(values, value):
    """``values`` with ``value`` added in order (so a link's in-range lr is kept exactly)."""
    return values if value in values else sorted([*values, value])


# ---- parsing: each returns the clean value or raises ValueError ---------------------------
def _choice(options):
    def parse(value):
        if not isinstance(value, str) or value not in options:
            raise ValueError
        return value
    return parse


def _integer(low, high):
    def parse(value):
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            value = value.strip()
            if not value.lstrip("-").isdigit() or len(value) > 12:
                raise ValueError
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        value = int(value)
        if not low <= value <= high:
            raise ValueError
        return value
    return parse


def _number(low, high):
    def parse(value):
        if isinstance(value, bool) or (isinstance(value, str) and len(value) > 40):
            raise ValueError
        value = float(value)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError
        return value
    return parse


def _features(value):
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [n.strip() if isinstance(n, str) else n for n in names]
    if not names or any(n not in mc.FEATURES for n in names) or len(set(names)) != len(names):
        raise ValueError
    return [n for n in mc.FEATURES if n in names]  # one canonical order


def _hidden(value):
    if isinstance(value, str):
        value = value.strip()
        parts = [] if value in ("", "0") else value.split(",")
    else:
        parts = list(value)
    if len(parts) > MAX_LAYERS:
        raise ValueError
    return [_integer(1, MAX_NEURONS)(p) for p in parts]


def _flag(value):
    if isinstance(value, bool):
        return value
    if value in ("1", "true", "True", 1):
        return True
    if value in ("0", "false", "False", 0):
        return False
    raise ValueError


def _derived_parser(setting):
    """The parser a row's widget implies: one of its options, or a number within its bounds
    (whole numbers when the bounds and step are whole) or between its first and last stop."""
    if setting.options:
        return _choice(setting.options)
    if setting.bounds:
        low, high = setting.bounds[:2]
        whole = all(isinstance(v, int) for v in setting.bounds)
        return _integer(low, high) if whole else _number(low, high)
    if setting.stops:
        return _number(min(setting.stops), max(setting.stops))
    raise ValueError(f"setting {setting.key!r} needs options, bounds, stops or a parser")


def _encode(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@dataclass(frozen=True)
class Setting:
    key: str
    default: object
    label: str
    group: str  # one of GROUPS: what a change costs
    section: str  # the sidebar's heading it appears under
    widget: str  # how ui/settings_sidebar.py draws it (see WIDGETS there)
    help: str
    options: tuple = ()  # choices of a select or multiselect
    option_labels: dict = field(default_factory=dict)  # option -> what people read
    bounds: tuple = ()  # (low, high, step) of a slider or number box
    stops: tuple = ()  # the values of a select_slider
    encode: Callable = _encode  # clean value -> URL text
    disabled_when: Callable | None = None  # config -> True when the setting does not apply
    # raw value -> clean value, ValueError if unusable; by default derived from the row's
    # options, bounds or stops, so a range is written once
    parse: Callable | None = None

    def __post_init__(self):
        if self.parse is None:
            object.__setattr__(self, "parse", _derived_parser(self))

    def option_text(self, value):
        """The label of choice ``value`` in the current language, or None if it has none."""
        text = self.option_labels.get(value)
        return None if text is None else _(text).format(n=value, momentum=MOMENTUM)

    def show(self, value):
        """``value`` as people read it (labels for choices, lists joined)."""
        if isinstance(value, list):
            return ", ".join(self.option_text(v) or str(v) for v in value) or _("none")
        if isinstance(value, float):
            return f"{value:g}"
        return self.option_text(value) or str(value)


DATASET_LABELS = {"circles": N_("Circles"), "moons": N_("Moons"), "xor": "XOR",
                  "gaussians": N_("Gaussians"), "spiral": N_("Spiral"),
                  "blobs3": N_("Blobs (3 classes)"), "spiral3": N_("Spiral (3 classes)"),
                  "plane": N_("Plane (regression)"),
                  "gaussian_sum": N_("Sum of Gaussians (regression)"),
                  TUTORIAL_DATASET: N_("The tutorial's circles"), "draw": N_("Draw your own"),
                  "upload": N_("Upload a CSV")}
DATASET_CHOICES = (*mc.DATASETS, *mc.REGRESSION_DATASETS, TUTORIAL_DATASET, *OWN_DATASETS)
INIT_CHOICES = (*mc.INITS, "randn")
ACTIVATION_LABELS = {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "elu": "ELU", "tanh": "tanh",
                     "sigmoid": "sigmoid", "softplus": "softplus", "swish": "swish",
                     "linear": N_("linear (none)"), "softmax": "softmax"}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
                  "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}  # as the pages write them
LR_STOPS = tuple(log_values(-5, 1))
REG_RATE_STOPS = (0.0, *log_values(-5, 0, (1, 3)))
# Epoch budget stops; 0 (no limit) comes first.
BUDGET_STOPS = (0, 10, 20, 50, 100, 150, 200, 300, 500, 1_000, 2_000, 5_000, 10_000, 20_000,
                50_000, 100_000)
# Live training speeds in epochs per second, slowest first; 0 (as fast as the machine
# allows) comes last, at the fast end of the slider.
SPEED_STOPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 0)


def _speed_label(value):
    if value == 0:
        return N_("fastest")
    return N_("{n} epoch/s") if value == 1 else N_("{n} epochs/s")


def _own_dataset(config):
    return config.get("dataset") in OWN_DATASETS


def _fixed_split(config):
    """The tutorial's circles and the user's own points come with their test points (or
    are split by the test fraction alone); the generators draw as many as asked."""
    return config.get("dataset") in (*OWN_DATASETS, TUTORIAL_DATASET)


SETTINGS = (
    # ---- Data
    Setting("dataset", "circles", N_("Dataset"),
            group="data", section="Data", widget="select", options=DATASET_CHOICES,
            option_labels=DATASET_LABELS,
            help=N_("The 2-D points to classify. Blobs and Spiral (3 classes) need three "
                 "outputs, which the network gets automatically. The regressions predict a "
                 "number at each point (squared error, a linear output). Draw your own or "
                 "upload a CSV to train on your own points.")),
    Setting("n_samples", 400, N_("Samples"), group="data", section="Data",
            widget="slider", bounds=(20, 2000, 10), disabled_when=_own_dataset,
            help=N_("How many points, before splitting into train and test (not used for your "
                 "own points).")),
    Setting("noise", 0.1, N_("Noise"), group="data", section="Data",
            widget="slider", bounds=(0.0, 1.0, 0.01), disabled_when=_own_dataset,
            help=N_("Standard deviation of the random jitter added to each point (not used for "
                 "your own points).")),
    Setting("test_fraction", 0.5, N_("Test fraction"), group="data",
            section="Data", widget="slider", bounds=(0.1, 0.9, 0.05),
            disabled_when=lambda config: config.get("dataset") == TUTORIAL_DATASET,
            help=N_("Share of the points held out for testing; the network never trains on "
                    "them. Test points are drawn outlined, training points filled. Of fewer "
                    "than 50 points of your own, at most a fifth is held out. (The tutorial's "
                    "circles train on all of its points and test on as many more.)")),
    Setting("seed", 0, N_("Seed"), group="data", section="Data",
            widget="seed", bounds=(0, 999_999, 1),
            help=N_("Fixes the points, the split, the initial weights and the batch order: the "
                 "same seed gives the same run.")),
    Setting("features", ["x1", "x2"], N_("Input features"), group="network", parse=_features,
            section="Data", widget="multiselect", options=tuple(mc.FEATURES),
            option_labels=FEATURE_LABELS, encode=",".join,
            help=N_("What the network sees of each point (x₁, x₂ after standardising). Squares "
                 "and products let even a network without hidden layers draw curved "
                 "boundaries.")),
    # ---- Network
    Setting("hidden", [4, 4], N_("Hidden layers"), group="network", section="Network",
            parse=_hidden,
            widget="layers", bounds=(1, MAX_NEURONS, 1),
            encode=lambda v: ",".join(map(str, v)) or "0",
            help=N_("0 gives a linear model (logistic regression): one straight boundary. More "
                 "units in a layer can bend the boundary more.")),
    Setting("activation", "tanh", N_("Activation"),
            group="network", section="Network", widget="select",
            options=mc.HIDDEN_ACTIVATIONS, option_labels=ACTIVATION_LABELS,
            help=N_("The function each hidden unit applies to its weighted sum. The output is "
                 "sigmoid for 2 classes, softmax for 3 and linear for a regression.")),
    Setting("init", "xavier", N_("Initialisation"), group="network",
            section="Network", widget="select", options=INIT_CHOICES,
            option_labels={"he": "He", "xavier": "Xavier", "normal": N_("Normal N(0, 0.1)"),
                           "randn": N_("The tutorial's: randn × 0.1")},
            help=N_("How the starting weights are drawn. He suits ReLU, Xavier suits tanh and "
                 "sigmoid. The tutorial's draws randn × 0.1 from NumPy's old global stream "
                 "with seed 42 (plus the seed here), exactly as its code did.")),
    # ---- Training
    Setting("optimizer", "adam", N_("Optimizer"),
            group="training", section="Training", widget="select",
            options=("sgd", "momentum", "adam"),
            option_labels={"sgd": "SGD", "momentum": N_("SGD + momentum {momentum}"),
                           "adam": "Adam"},
            help=N_("How gradients become weight updates. Changing it keeps the network and "
                    "starts the optimizer's memory afresh.")),
    # 0.003, not 0.03: with Adam at 0.03 the default network's loss spiked above its
    # starting value again and again once it was small (Adam's steps do not shrink with the
    # gradient), which a first-time viewer reads as a fault.
    Setting("lr", 0.003, N_("Learning rate"), group="training",
            section="Training", widget="select_slider", stops=LR_STOPS,
            help=N_("Step size, on a log scale from 0.00001 to 10. Too small crawls, too large "
                    "diverges. With Adam, rates well above 0.003 make a small loss spike now "
                    "and then: its steps do not shrink as the gradient does. Changing it keeps "
                    "the network.")),
    Setting("batch_size", 16, N_("Batch size"), group="training",
            section="Training", widget="number", bounds=(1, 2000, 1),
            help=N_("Training points per update. All training points at once is full-batch "
                 "gradient descent; 1 is pure stochastic.")),
    Setting("gradients", "exact", N_("Gradients"),
            group="training", section="Training", widget="select",
            options=("exact", "tutorial"),
            option_labels={"exact": N_("Exact"), "tutorial": N_("The tutorial's (3 errors)")},
            help=N_("Exact: the gradient of the mean loss, checked against finite differences. "
                 "The tutorial's: as its published code computed them, to replay its run: "
                 "the loss summed over the points (steps 1000× larger on 1000 points), the "
                 "sigmoid's slope doubled, and db averaged while dW is summed.")),
    Setting("regularization", "none", N_("Regularization"),
            group="training", section="Training", widget="select",
            options=("none", "l1", "l2"),
            option_labels={"none": N_("None"), "l1": "L1", "l2": "L2"},
            help=N_("A penalty on large weights: L1 pushes weights to exactly zero, L2 shrinks "
                 "them all. Biases are not penalised.")),
    Setting("reg_rate", 0.001, N_("Regularization rate"), group="training",
            section="Training", widget="select_slider", stops=REG_RATE_STOPS,
            disabled_when=lambda config: config.get("regularization") == "none",
            help=N_("Strength of the penalty (ignored when Regularization is None).")),
    Setting("epoch_budget", 0, N_("Epochs"), group="run",
            parse=_integer(0, 10_000_000),  # a link may ask for more than the stops offer
            section="Training", widget="select_slider", stops=BUDGET_STOPS,
            option_labels={0: N_("no limit")},
            help=N_("Training pauses after this many epochs; “no limit” trains until you pause.")),
    # ---- View: how the run is shown, drawn outside the sidebar's sections
    Setting("speed", 0, N_("Speed"), group="view", section="", widget="speed",
            parse=_integer(0, 1000),  # a link may ask for speeds between the stops
            stops=SPEED_STOPS, option_labels={v: _speed_label(v) for v in SPEED_STOPS},
            help=N_("Epochs per second while playing: slow motion lets a class watch the "
                 "boundary form; “fastest” trains as fast as the machine allows.")),
    Setting("presenter", False, N_("Presenter mode"), group="view", section="", parse=_flag,
            widget="presenter", encode=lambda v: "1" if v else "0",
            help=N_("Hides the explanations and the sidebar and enlarges the figures for a "
                 "projector. It is part of the link, so a reload keeps it.")),
)
BY_KEY = {s.key: s for s in SETTINGS}
DEFAULTS = {s.key: s.default for s in SETTINGS}
# Streamlit's own URL parameters, the language (ui/i18n.py) and the class board a student
# joined (ui/board_join.py): not settings of a run
IGNORED_PARAMS = ("embed", "embed_options", "lang", "board")
SECTIONS = (N_("Data"), N_("Network"), N_("Training"))  # the sidebar's headings, in order


def default_config():
    return copy.deepcopy(DEFAULTS)


def keys_of(group):
    return tuple(s.key for s in SETTINGS if s.group == group)


def experiment(config):
    """The settings that make a run what it is (no view settings): what runs, models and
    scripts keep."""
    return {s.key: config[s.key] for s in SETTINGS if s.group in EXPERIMENT_GROUPS}


def label(key):
    """Setting ``key``'s label in the current language."""
    return _(BY_KEY[key].label) if key in BY_KEY else key


def validate_config(raw):
    """(config, problems): every known key of ``raw`` checked; a missing key takes its default
    silently, a bad or unknown one is dropped and named in ``problems`` (plain sentences)."""
    config = default_config()
    problems = []
    for key, value in raw.items():
        setting = BY_KEY.get(key)
        if setting is None:
            problems.append(_("unknown setting “{key}”").format(key=_shorten(key)))
            continue
        try:
            config[key] = setting.parse(value)
        except (TypeError, ValueError, OverflowError):
            problems.append(_("{key}={value} (kept the default, {default})").format(
                key=key, value=_shorten(value),
                default=_shorten(setting.encode(setting.default))))
    return config, problems


def _shorten(value, limit=40):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def encode_value(key, value):
    return BY_KEY[key].encode(value)


def config_to_query(config):
    """The whole configuration as URL parameters (str -> str); no hidden layers is "0"."""
    return {s.key: s.encode(config[s.key]) for s in SETTINGS}


def config_from_query(params):
    """(config, problems) from URL parameters (a mapping of str to str or list of str)."""
    raw, problems = {}, []
    for key, value in dict(params).items():
        if key in IGNORED_PARAMS:
            continue
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                problems.append(_("{key} given {count} times").format(key=_shorten(key),
                                                                         count=len(value)))
                continue
            value = value[0]
        raw[key] = value
    config, more = validate_config(raw)
    return config, problems + more


def change_kind(old, new):
    """What a config change needs: the first group (in GROUPS order) with a changed setting,
    i.e. "data", "network", "training", "run" or "view"; None if nothing changed."""
    for group in GROUPS:
        if any(old[k] != new[k] for k in keys_of(group)):
            return group
    return None
