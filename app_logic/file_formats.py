"""The model file and the saved-runs file, each described once as a JSON Schema.

A schema says what a file's structure is (types, list lengths, ranges, names) and, in each
node's "message", what the user reads when the file breaks it (see the JSON Schema section of
files.py for the fields a message may use). Keywords are checked in the order written here,
so a list's length is refused before its items are read. What a schema cannot say (a weight
matrix's shape against the layer sizes, the boundary's bytes against its shape, the settings
against the Playground's validator) stays in Python beside the reader: exports.py, runs.py.
"""

import mlp_core as mc
from viz.i18n import N_

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

NOT_FINITE = N_('"{parent}" item {index} is {value}, not a finite number.')
MAX_LAYER_WIDTH = max(MAX_INPUTS, MAX_HIDDEN_UNITS, MAX_CLASSES)
# The limits the messages name: each schema's "messageFields" (files.refusal fills them in,
# after translating the message, so a translation may place them where its grammar wants).
LIMIT_FIELDS = {
    "max_classes": MAX_CLASSES, "max_curve_points": f"{MAX_CURVE_POINTS:,}",
    "max_epochs": f"{MAX_EPOCHS:,}", "max_grid": MAX_GRID, "max_hidden_layers": MAX_HIDDEN_LAYERS,
    "max_hidden_units": MAX_HIDDEN_UNITS, "max_inputs": MAX_INPUTS,
    "max_label_chars": MAX_LABEL_CHARS, "max_points": f"{MAX_POINTS:,}",
    "max_run_name_chars": MAX_RUN_NAME_CHARS, "max_run_points": MAX_RUN_POINTS,
    "max_runs": MAX_RUNS, "max_setting_chars": MAX_SETTING_CHARS, "max_settings": MAX_SETTINGS,
    "max_seed": f"{mc.MAX_SEED:,}", "max_layer_width": MAX_LAYER_WIDTH,
    "model_format": MODEL_FORMAT, "model_version": MODEL_VERSION, "runs_format": RUNS_FORMAT,
    "runs_version": RUNS_VERSION, "init_choices": ", ".join(INIT_CHOICES),
    "features_known": ", ".join(mc.FEATURES), "curves": ", ".join(CURVES),
}


def _pair():
    """Exactly two finite numbers."""
    return {"type": "array", "minItems": 2, "maxItems": 2,
            "message": N_('"{at}" must be a list of 2 numbers; it has {n} items.'),
            "items": {"type": "number", "message": NOT_FINITE}}


def _nested_numbers(levels):
    """Lists nested ``levels`` deep, each at most as long as the app's widest layer, of
    finite numbers; the exact shape is checked against the layer sizes in Python."""
    node = {"type": "number", "message": NOT_FINITE}
    for _level in range(levels):
        node = {"type": "array", "maxItems": MAX_LAYER_WIDTH, "items": node,
                "message": N_('"{at}" must be a list of numbers as large as its layer (at most '
                              "{max_layer_width} a side).")}
    return {"type": "array", "maxItems": MAX_HIDDEN_LAYERS + 1, "items": node,
            "message": N_('"{at}" must hold one array per layer.')}


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
    "message": {"type": N_('"config" must be a JSON object.'),
                "*": N_('"config" has {n} settings; the limit is {max_settings}.')},
    "properties": {s.key: {**_setting_value(s.default),
                           "message": N_('The setting "{key}" in the file has a value of the '
                                         "wrong kind ({value}).")} for s in SETTINGS},
}

MODEL_NETWORK = {
    "type": "object",
    "message": {"required": N_("The model file is missing {missing}."),
                "*": N_('"model" must be a JSON object.')},
    "properties": {
        "layer_sizes": {
            "type": "array", "minItems": 2, "maxItems": MAX_HIDDEN_LAYERS + 2,
            "message": N_('"model.layer_sizes" must list the inputs, at most '
                          "{max_hidden_layers} hidden layers and the outputs; it has {n} "
                          "sizes."),
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_LAYER_WIDTH,
                      "message": {
                          "maximum": N_("The network is larger than the app allows "
                                        "({max_hidden_layers} hidden layers of at most "
                                        "{max_hidden_units} neurons)."),
                          "*": N_('"model.layer_sizes" must be a list of positive integers.')}}},
        "activations": {"type": "array", "maxItems": MAX_HIDDEN_LAYERS + 1,
                        "items": {"type": "string"},
                        "message": N_('"model.activations" must name one activation per '
                                      "layer.")},
        "init": {"enum": list(INIT_CHOICES),
                 "message": N_('"model.init" must be one of {init_choices}.')},
        "seed": {"type": "integer", "minimum": 0, "maximum": mc.MAX_SEED,
                 "message": N_('"model.seed" must be a whole number from 0 to {max_seed}; it '
                               "is {value}.")},
        "weights": _nested_numbers(2),
        "biases": _nested_numbers(1),
    },
    "required": ["layer_sizes", "activations", "weights", "biases"],
}

# The drawn or uploaded points a network was trained on (only such a network's file has them).
_POINTS_LENGTH = N_('"points" must hold "X" and "y" of the same length, 2 to {max_points}.')
MODEL_POINTS = {
    "type": "object", "required": ["source", "X", "y"],
    "message": N_('"points" must be an object with "source", "X" and "y".'),
    "properties": {
        "source": {"enum": ["draw", "upload"],
                   "message": N_('"points.source" must be "draw" or "upload".')},
        "X": {"type": "array", "minItems": 2, "maxItems": MAX_POINTS, "message": _POINTS_LENGTH,
              "items": {"type": "array", "minItems": 2, "maxItems": 2,
                        "message": N_('"points.X" must be a list of 2 numbers per point.'),
                        "items": {"type": "number", "message": NOT_FINITE}}},
        "y": {"type": "array", "minItems": 2, "maxItems": MAX_POINTS, "message": _POINTS_LENGTH,
              "items": {"type": "integer", "minimum": 0, "maximum": MAX_CLASSES - 1,
                        "message": N_('"points.y" must hold class numbers.')}},
        "axis_names": {"type": "array", "minItems": 2, "maxItems": 2,
                       "items": {"type": "string", "maxLength": MAX_LABEL_CHARS},
                       "message": N_('"points.axis_names" must be two names of at most '
                                     "{max_label_chars} characters.")},
        "description": {"type": "string", "maxLength": MAX_SETTING_CHARS,
                        "message": N_('"points.description" must be a text of at most '
                                      "{max_setting_chars} characters.")},
    },
}

MODEL_SCHEMA = {
    "messageFields": LIMIT_FIELDS,
    "message": N_("The model file must hold a JSON object."),
    "allOf": [
        {"type": "object"},
        {"required": ["format"], "properties": {"format": {"const": MODEL_FORMAT}},
         "message": N_('This is not a Backprop Playground model file ("format" must be '
                       '"{model_format}").')},
        {"required": ["version"], "properties": {"version": {
            "type": "integer", "minimum": MODEL_VERSION, "maximum": MODEL_VERSION,
            "message": {"maximum": N_("The model file has version {value}; this app reads "
                                      "version {model_version}. Is the app out of date?"),
                        "minimum": N_("Unknown model file version {value}."),
                        "*": N_('The model file has no valid "version".')}}},
         "message": N_('The model file has no valid "version".')},
        {"required": ["config", "features", "normalisation", "class_names", "model"],
         "message": N_("The model file is missing {missing}."),
         "properties": {
             "epoch": {"type": "integer", "minimum": 0, "maximum": MAX_EPOCHS,
                       "message": N_('"epoch" must be a whole number from 0 to {max_epochs}; '
                                     "it is {value}.")},
             "features": {
                 "type": "array", "minItems": 1, "maxItems": MAX_INPUTS,
                 "message": {"uniqueItems": N_('"features" names a feature twice.'),
                             "*": N_('"features" must list 1 to {max_inputs} feature names.')},
                 "items": {"type": "string", "enum": list(mc.FEATURES),
                           "message": {"enum": N_("Unknown feature {text}; known: "
                                                  "{features_known}."),
                                       "*": N_('"features" must list 1 to {max_inputs} '
                                               "feature names.")}},
                 "uniqueItems": True},
             "normalisation": {
                 "type": "object", "required": ["mean", "std"],
                 "message": N_('"normalisation" must hold "mean" and "std".'),
                 "properties": {
                     "mean": _pair(),
                     "std": {**_pair(),
                             "items": {"type": "number", "exclusiveMinimum": 0,
                                       "message": {"exclusiveMinimum": N_(
                                           '"normalisation.std" must be positive.'),
                                                   "*": NOT_FINITE}}}}},
             "class_names": {
                 "type": "array",
                 "anyOf": [{"maxItems": 0}, {"minItems": 2, "maxItems": MAX_CLASSES}],
                 "items": {"type": "string", "maxLength": MAX_LABEL_CHARS,
                           "message": {"maxLength": N_("A class name in the file is longer "
                                                       "than {max_label_chars} characters."),
                                       "*": N_('"class_names" must be a list of names.')}},
                 "uniqueItems": True,
                 "message": {"anyOf": N_('"class_names" must list 2 to {max_classes} classes '
                                         "(none for a regression); it has {n}."),
                             "uniqueItems": N_('"class_names" repeats a name.'),
                             "*": N_('"class_names" must be a list of names.')}},
             "model": MODEL_NETWORK,
             "config": MODEL_CONFIG,
             "points": MODEL_POINTS,
         }},
    ],
}

# ---- saved runs -------------------------------------------------------------------------------
RUNS_SCHEMA = {
    "messageFields": LIMIT_FIELDS,
    "message": N_('This is not a saved-runs file ("format" must be "{runs_format}").'),
    "allOf": [
        {"type": "object", "required": ["format"],
         "properties": {"format": {"const": RUNS_FORMAT}}},
        {"required": ["version"], "properties": {"version": {
            "type": "integer", "minimum": 1, "maximum": RUNS_VERSION,
            "message": {"maximum": N_("The runs file has version {value}; this app reads "
                                      "version {runs_version}. Is the app out of date?"),
                        "*": N_('The runs file has no valid "version".')}}},
         "message": N_('The runs file has no valid "version".')},
        {"required": ["runs"], "properties": {"runs": {
            "type": "array", "minItems": 1, "maxItems": MAX_RUNS,
            "message": {"minItems": N_("The runs file holds no runs."),
                        "maxItems": N_("The runs file holds {n} runs; at most {max_runs} fit."),
                        "*": N_('The runs file has no list of "runs".')}}},
         "message": N_('The runs file has no list of "runs".')},
    ],
}

RUN_KEYS = ("name", "config", "history", "boundary", "grid_x", "grid_y", "metrics",
            "class_names")
# One run, before its name is known: {where} is "Run 2".
RUN_ENTRY_SCHEMA = {
    "messageFields": LIMIT_FIELDS,
    "type": "object", "required": list(RUN_KEYS),
    "message": {"type": N_("{where}: must be a JSON object."),
                "required": N_("{where}: is missing {missing}.")},
    "properties": {"name": {"type": "string",
                            "message": N_("{where}: A run's name must be text.")}},
}


def _curve(nullable):
    return {"type": "array", "maxItems": MAX_CURVE_POINTS,
            "message": {"maxItems": N_("{where}, {at}: has {n} values; the limit is "
                                       "{max_curve_points}."),
                        "*": N_("{where}, {at}: must be a list of numbers.")},
            "items": {"type": ["number", "null"] if nullable else "number",
                      "message": N_("{where}, {parent}: value {index} ({value}) is not a finite "
                                    "number.")}}


_SCALAR = {"anyOf": [{"type": ["number", "boolean", "null"]},
                     {"type": "string", "maxLength": MAX_SETTING_CHARS}]}
_POINTS_MESSAGE = {"maxItems": N_("{where}: points must be at most {max_run_points}, one label "
                                  "each; the file has {n}."),
                   "*": N_("{where}: points must have X and y lists.")}

# One run, its name known: {where} is 'Run 2 ("adam, 2 layers")'.
RUN_SCHEMA = {
    "messageFields": LIMIT_FIELDS,
    "properties": {
        "config": {
            "type": "object", "maxProperties": MAX_SETTINGS,
            "propertyNames": {"maxLength": MAX_RUN_NAME_CHARS},
            "message": N_("{where}: config must be a JSON object of at most {max_settings} "
                          "settings with names of at most {max_run_name_chars} characters."),
            "additionalProperties": {
                "anyOf": [_SCALAR, {"type": "array", "maxItems": MAX_SETTINGS,
                                    "items": _SCALAR}],
                "message": N_('{where}: setting "{key}" must be a number, text or a list of '
                              "them.")}},
        "history": {
            "type": "object", "required": list(CURVES),
            "message": N_("{where}: history must have the columns {curves}."),
            "properties": {k: _curve(nullable=k != "epoch") for k in CURVES}},
        "boundary": {
            "type": "object", "required": ["shape", "data"],
            "message": N_("{where}: boundary must have a shape and base64 data."),
            "properties": {
                "shape": {"type": "array", "minItems": 2, "maxItems": 3,
                          "prefixItems": [{"type": "integer", "minimum": 1, "maximum": MAX_GRID},
                                          {"type": "integer", "minimum": 1, "maximum": MAX_GRID},
                                          {"const": 3}],
                          "message": N_("{where}: boundary shape {raw} must be (h, w) or "
                                        "(h, w, 3), each at most {max_grid}.")},
                "data": {"type": "string",
                         "message": N_("{where}: boundary must have a shape and base64 "
                                       "data.")}}},
        "grid_x": {**_curve(nullable=False), "maxItems": MAX_GRID},
        "grid_y": {**_curve(nullable=False), "maxItems": MAX_GRID},
        "metrics": {"type": "object", "message": N_("{where}: metrics must be a JSON object."),
                    "properties": {k: {"type": ["number", "null"],
                                       "message": N_("{where}, metrics: {key} ({value}) is not "
                                                     "a finite number.")} for k in METRICS}},
        "class_names": {
            "type": "array", "maxItems": MAX_CLASSES,
            "items": {"type": "string", "maxLength": MAX_LABEL_CHARS},
            "message": N_("{where}: class_names must be a list of at most {max_classes} names "
                          "of at most {max_label_chars} characters.")},
        "points": {
            "type": "object", "required": ["X", "y"], "message": _POINTS_MESSAGE,
            "properties": {
                "X": {"type": "array", "maxItems": MAX_RUN_POINTS, "message": _POINTS_MESSAGE,
                      "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                "message": N_("{where}, points.X: must have 2 values; it has "
                                              "{n}."),
                                "items": {"type": "number", "message": N_(
                                          "{where}, points.X: value {index} ({value}) is not "
                                          "a finite number.")}}},
                "y": {"type": "array", "maxItems": MAX_RUN_POINTS, "message": _POINTS_MESSAGE,
                      "items": {"type": "number", "message": N_(
                                "{where}, points.y: value {index} ({value}) is not a finite "
                                "number.")}}}},
    },
}

MODEL = validator(MODEL_SCHEMA)
RUNS = validator(RUNS_SCHEMA)
RUN_ENTRY = validator(RUN_ENTRY_SCHEMA)
RUN = validator(RUN_SCHEMA)
