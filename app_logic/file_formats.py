"""The model file and the saved-runs file, each described once as a JSON Schema.

A schema says what a file's structure is (types, list lengths, ranges, names) and, in each
node's "message", what the user reads when the file breaks it (see the JSON Schema section of
files.py for the fields a message may use). Keywords are checked in the order written here,
so a list's length is refused before its items are read. What a schema cannot say (a weight
matrix's shape against the layer sizes, the boundary's bytes against its shape, the settings
against the Playground's validator) stays in Python beside the reader: exports.py, runs.py.
"""

import mlp_core as mc

from .files import (
    MAX_CLASSES,
    MAX_CURVE_POINTS,
    MAX_EPOCHS,
    MAX_GRID,
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    MAX_INPUTS,
    MAX_LABEL_CHARS,
    MAX_POINTS,
    MAX_RUN_NAME_CHARS,
    MAX_RUN_POINTS,
    MAX_RUNS,
    MAX_SETTING_CHARS,
    MAX_SETTINGS,
    validator,
)
from .settings import INIT_CHOICES, SETTINGS

MODEL_FORMAT = "backprop-playground-model"
MODEL_VERSION = 1
RUNS_FORMAT = "backprop-playground-runs"
RUNS_VERSION = 1
CURVES = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")
METRICS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")

NOT_FINITE = '"{parent}" item {index} is {value}, not a finite number.'
MAX_LAYER_WIDTH = max(MAX_INPUTS, MAX_HIDDEN_UNITS, MAX_CLASSES)


def _numbers(at, length):
    """Exactly ``length`` finite numbers."""
    return {"type": "array", "minItems": length, "maxItems": length,
            "message": f'"{at}" must be a list of {length} numbers; it has {{n}} items.',
            "items": {"type": "number", "message": NOT_FINITE}}


def _nested_numbers(levels, at):
    """Lists nested ``levels`` deep, each at most as long as the app's widest layer, of
    finite numbers; the exact shape is checked against the layer sizes in Python."""
    node = {"type": "number", "message": NOT_FINITE}
    for _ in range(levels):
        node = {"type": "array", "maxItems": MAX_LAYER_WIDTH, "items": node,
                "message": f'"{{at}}" must be a list of numbers as large as its layer '
                           f"(at most {MAX_LAYER_WIDTH} a side)."}
    return {"type": "array", "maxItems": MAX_HIDDEN_LAYERS + 1, "items": node,
            "message": f'"{at}" must hold one array per layer.'}


def _setting_value(default):
    """What a setting's value may be in a model file: its default's kind."""
    if isinstance(default, bool):
        return {"type": "boolean"}
    if isinstance(default, (int, float)):
        return {"type": "number"}
    if isinstance(default, str):
        return {"type": "string", "maxLength": MAX_SETTING_CHARS}
    return {"type": "array", "maxItems": MAX_SETTINGS,
            "items": {"anyOf": [{"type": "number"},
                                {"type": "string", "maxLength": MAX_SETTING_CHARS}]}}


MODEL_CONFIG = {
    "type": "object", "maxProperties": MAX_SETTINGS,
    "message": {"type": '"config" must be a JSON object.',
                "*": f'"config" has {{n}} settings; the limit is {MAX_SETTINGS}.'},
    "properties": {s.key: {**_setting_value(s.default),
                           "message": 'The setting "{key}" in the file has a value of the '
                                      "wrong kind ({value})."} for s in SETTINGS},
}

MODEL_NETWORK = {
    "type": "object",
    "message": {"required": "The model file is missing {missing}.",
                "*": '"model" must be a JSON object.'},
    "properties": {
        "layer_sizes": {
            "type": "array", "minItems": 2, "maxItems": MAX_HIDDEN_LAYERS + 2,
            "message": f'"model.layer_sizes" must list the inputs, at most {MAX_HIDDEN_LAYERS} '
                       f"hidden layers and the outputs; it has {{n}} sizes.",
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_LAYER_WIDTH,
                      "message": {
                          "maximum": f"The network is larger than the app allows "
                                     f"({MAX_HIDDEN_LAYERS} hidden layers of at most "
                                     f"{MAX_HIDDEN_UNITS} neurons).",
                          "*": '"model.layer_sizes" must be a list of positive integers.'}}},
        "activations": {"type": "array", "maxItems": MAX_HIDDEN_LAYERS + 1,
                        "items": {"type": "string"},
                        "message": '"model.activations" must name one activation per layer.'},
        "init": {"enum": list(INIT_CHOICES),
                 "message": f'"model.init" must be one of {", ".join(INIT_CHOICES)}.'},
        "seed": {"type": "integer", "minimum": 0, "maximum": mc.MAX_SEED,
                 "message": f'"model.seed" must be a whole number from 0 to {mc.MAX_SEED:,}; '
                            f"it is {{value}}."},
        "weights": _nested_numbers(2, "model.weights"),
        "biases": _nested_numbers(1, "model.biases"),
    },
    "required": ["layer_sizes", "activations", "weights", "biases"],
}

# The drawn or uploaded points a network was trained on (only such a network's file has them).
_POINTS_LENGTH = f'"points" must hold "X" and "y" of the same length, 2 to {MAX_POINTS:,}.'
MODEL_POINTS = {
    "type": "object", "required": ["source", "X", "y"],
    "message": '"points" must be an object with "source", "X" and "y".',
    "properties": {
        "source": {"enum": ["draw", "upload"],
                   "message": '"points.source" must be "draw" or "upload".'},
        "X": {"type": "array", "minItems": 2, "maxItems": MAX_POINTS, "message": _POINTS_LENGTH,
              "items": {"type": "array", "minItems": 2, "maxItems": 2,
                        "message": '"points.X" must be a list of 2 numbers per point.',
                        "items": {"type": "number", "message": NOT_FINITE}}},
        "y": {"type": "array", "minItems": 2, "maxItems": MAX_POINTS, "message": _POINTS_LENGTH,
              "items": {"type": "integer", "minimum": 0, "maximum": MAX_CLASSES - 1,
                        "message": '"points.y" must hold class numbers.'}},
        "axis_names": {"type": "array", "minItems": 2, "maxItems": 2,
                       "items": {"type": "string", "maxLength": MAX_LABEL_CHARS},
                       "message": f'"points.axis_names" must be two names of at most '
                                  f"{MAX_LABEL_CHARS} characters."},
        "description": {"type": "string", "maxLength": MAX_SETTING_CHARS,
                        "message": f'"points.description" must be a text of at most '
                                   f"{MAX_SETTING_CHARS} characters."},
    },
}

MODEL_SCHEMA = {
    "message": "The model file must hold a JSON object.",
    "allOf": [
        {"type": "object"},
        {"required": ["format"], "properties": {"format": {"const": MODEL_FORMAT}},
         "message": f'This is not a Backprop Playground model file ("format" must be '
                    f'"{MODEL_FORMAT}").'},
        {"required": ["version"], "properties": {"version": {
            "type": "integer", "minimum": MODEL_VERSION, "maximum": MODEL_VERSION,
            "message": {"maximum": f"The model file has version {{value}}; this app reads "
                                   f"version {MODEL_VERSION}. Is the app out of date?",
                        "minimum": "Unknown model file version {value}.",
                        "*": 'The model file has no valid "version".'}}},
         "message": 'The model file has no valid "version".'},
        {"required": ["config", "features", "normalisation", "class_names", "model"],
         "message": "The model file is missing {missing}.",
         "properties": {
             "epoch": {"type": "integer", "minimum": 0, "maximum": MAX_EPOCHS,
                       "message": f'"epoch" must be a whole number from 0 to {MAX_EPOCHS:,}; '
                                  f"it is {{value}}."},
             "features": {
                 "type": "array", "minItems": 1, "maxItems": MAX_INPUTS,
                 "message": {"uniqueItems": '"features" names a feature twice.',
                             "*": f'"features" must list 1 to {MAX_INPUTS} feature names.'},
                 "items": {"type": "string", "enum": list(mc.FEATURES),
                           "message": {"enum": f"Unknown feature {{text}}; known: "
                                               f"{', '.join(mc.FEATURES)}.",
                                       "*": f'"features" must list 1 to {MAX_INPUTS} feature '
                                            f"names."}},
                 "uniqueItems": True},
             "normalisation": {
                 "type": "object", "required": ["mean", "std"],
                 "message": '"normalisation" must hold "mean" and "std".',
                 "properties": {
                     "mean": _numbers("normalisation.mean", 2),
                     "std": {**_numbers("normalisation.std", 2),
                             "items": {"type": "number", "exclusiveMinimum": 0,
                                       "message": {"exclusiveMinimum": '"normalisation.std" '
                                                                       "must be positive.",
                                                   "*": NOT_FINITE}}}}},
             "class_names": {
                 "type": "array",
                 "anyOf": [{"maxItems": 0}, {"minItems": 2, "maxItems": MAX_CLASSES}],
                 "items": {"type": "string", "maxLength": MAX_LABEL_CHARS,
                           "message": {"maxLength": f"A class name in the file is longer than "
                                                    f"{MAX_LABEL_CHARS} characters.",
                                       "*": '"class_names" must be a list of names.'}},
                 "uniqueItems": True,
                 "message": {"anyOf": f'"class_names" must list 2 to {MAX_CLASSES} classes '
                                      f"(none for a regression); it has {{n}}.",
                             "uniqueItems": '"class_names" repeats a name.',
                             "*": '"class_names" must be a list of names.'}},
             "model": MODEL_NETWORK,
             "config": MODEL_CONFIG,
             "points": MODEL_POINTS,
         }},
    ],
}

# ---- saved runs -------------------------------------------------------------------------------
RUNS_SCHEMA = {
    "message": f'This is not a saved-runs file ("format" must be "{RUNS_FORMAT}").',
    "allOf": [
        {"type": "object", "required": ["format"],
         "properties": {"format": {"const": RUNS_FORMAT}}},
        {"required": ["version"], "properties": {"version": {
            "type": "integer", "minimum": 1, "maximum": RUNS_VERSION,
            "message": {"maximum": f"The runs file has version {{value}}; this app reads "
                                   f"version {RUNS_VERSION}. Is the app out of date?",
                        "*": 'The runs file has no valid "version".'}}},
         "message": 'The runs file has no valid "version".'},
        {"required": ["runs"], "properties": {"runs": {
            "type": "array", "minItems": 1, "maxItems": MAX_RUNS,
            "message": {"minItems": "The runs file holds no runs.",
                        "maxItems": f"The runs file holds {{n}} runs; at most {MAX_RUNS} fit.",
                        "*": 'The runs file has no list of "runs".'}}},
         "message": 'The runs file has no list of "runs".'},
    ],
}

RUN_KEYS = ("name", "config", "history", "boundary", "grid_x", "grid_y", "metrics",
            "class_names")
# One run, before its name is known: {where} is "Run 2".
RUN_ENTRY_SCHEMA = {
    "type": "object", "required": list(RUN_KEYS),
    "message": {"type": "{where}: must be a JSON object.",
                "required": "{where}: is missing {missing}."},
    "properties": {"name": {"type": "string", "message": "{where}: A run's name must be text."}},
}


def _curve(nullable):
    return {"type": "array", "maxItems": MAX_CURVE_POINTS,
            "message": {"maxItems": f"{{where}}, {{at}}: has {{n}} values; the limit is "
                                    f"{MAX_CURVE_POINTS:,}.",
                        "*": "{where}, {at}: must be a list of numbers."},
            "items": {"type": ["number", "null"] if nullable else "number",
                      "message": "{where}, {parent}: value {index} ({value}) is not a finite "
                                 "number."}}


_SCALAR = {"anyOf": [{"type": ["number", "boolean", "null"]},
                     {"type": "string", "maxLength": MAX_SETTING_CHARS}]}
_POINTS_MESSAGE = {"maxItems": f"{{where}}: points must be at most {MAX_RUN_POINTS}, one label "
                               f"each; the file has {{n}}.",
                   "*": "{where}: points must have X and y lists."}

# One run, its name known: {where} is 'Run 2 ("adam, 2 layers")'.
RUN_SCHEMA = {
    "properties": {
        "config": {
            "type": "object", "maxProperties": MAX_SETTINGS,
            "propertyNames": {"maxLength": MAX_RUN_NAME_CHARS},
            "message": f"{{where}}: config must be a JSON object of at most {MAX_SETTINGS} "
                       f"settings with names of at most {MAX_RUN_NAME_CHARS} characters.",
            "additionalProperties": {
                "anyOf": [_SCALAR, {"type": "array", "maxItems": MAX_SETTINGS,
                                    "items": _SCALAR}],
                "message": '{where}: setting "{key}" must be a number, text or a list of '
                           "them."}},
        "history": {
            "type": "object", "required": list(CURVES),
            "message": f"{{where}}: history must have the columns {', '.join(CURVES)}.",
            "properties": {k: _curve(nullable=k != "epoch") for k in CURVES}},
        "boundary": {
            "type": "object", "required": ["shape", "data"],
            "message": "{where}: boundary must have a shape and base64 data.",
            "properties": {
                "shape": {"type": "array", "minItems": 2, "maxItems": 3,
                          "prefixItems": [{"type": "integer", "minimum": 1, "maximum": MAX_GRID},
                                          {"type": "integer", "minimum": 1, "maximum": MAX_GRID},
                                          {"const": 3}],
                          "message": f"{{where}}: boundary shape {{raw}} must be (h, w) or "
                                     f"(h, w, 3), each at most {MAX_GRID}."},
                "data": {"type": "string",
                         "message": "{where}: boundary must have a shape and base64 data."}}},
        "grid_x": {**_curve(nullable=False), "maxItems": MAX_GRID},
        "grid_y": {**_curve(nullable=False), "maxItems": MAX_GRID},
        "metrics": {"type": "object", "message": "{where}: metrics must be a JSON object.",
                    "properties": {k: {"type": ["number", "null"],
                                       "message": "{where}, metrics: {key} ({value}) is not a "
                                                  "finite number."} for k in METRICS}},
        "class_names": {
            "type": "array", "maxItems": MAX_CLASSES,
            "items": {"type": "string", "maxLength": MAX_LABEL_CHARS},
            "message": f"{{where}}: class_names must be a list of at most {MAX_CLASSES} names "
                       f"of at most {MAX_LABEL_CHARS} characters."},
        "points": {
            "type": "object", "required": ["X", "y"], "message": _POINTS_MESSAGE,
            "properties": {
                "X": {"type": "array", "maxItems": MAX_RUN_POINTS, "message": _POINTS_MESSAGE,
                      "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                "message": "{where}, points.X: must have 2 values; it has {n}.",
                                "items": {"type": "number", "message":
                                          "{where}, points.X: value {index} ({value}) is not "
                                          "a finite number."}}},
                "y": {"type": "array", "maxItems": MAX_RUN_POINTS, "message": _POINTS_MESSAGE,
                      "items": {"type": "number", "message":
                                "{where}, points.y: value {index} ({value}) is not a finite "
                                "number."}}}},
    },
}

MODEL = validator(MODEL_SCHEMA)
RUNS = validator(RUNS_SCHEMA)
RUN_ENTRY = validator(RUN_ENTRY_SCHEMA)
RUN = validator(RUN_SCHEMA)
