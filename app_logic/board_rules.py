"""The class board's rules: what a challenge fixes, how submissions are ranked, and how the
text people type (titles, names, codes, keys) is made safe. No database and no streamlit here;
``board_store`` keeps what these functions check.
"""

import hashlib
import hmac
import io
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from PIL import Image

from viz.boundary import boundary_colors
from viz.i18n import N_, _

from .settings import (
    DATASET_LABELS,
    OWN_DATASETS,
    config_from_query,
    config_to_query,
    experiment,
    label,
)

MAX_TITLE, MAX_NAME = 80, 40
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read off a projector
CODE_LENGTH = 6
KEY_BYTES = 24  # 192 bits from the secrets module
MAX_KEY_TEXT = 128  # longer "keys" are refused before hashing
# Settings every challenge fixes: the points themselves. A "within N epochs" rule also fixes
# the epoch budget, so training stops at N.
DATA_KEYS = ("dataset", "n_samples", "noise", "test_fraction", "seed")
REGRESSIONS = ("plane", "gaussian_sum")


class BoardError(ValueError):
    """A request the board refuses; its text is the message people read."""


@dataclass(frozen=True)
class Rule:
    key: str
    title: str  # with {threshold} or {epochs} where the rule has one (marked: translate)
    needs_classes: bool  # ranks by accuracy, so a regression cannot take part
    choice: str  # how the create form offers it (marked: translate where shown)


RULES = {
    "best_accuracy": Rule("best_accuracy", N_("Highest test accuracy"), True,
                          N_("Highest test accuracy")),
    "fewest_params": Rule("fewest_params",
                          N_("Fewest parameters reaching ≥ {threshold:.0%} test accuracy"), True,
                          N_("Fewest parameters reaching a test accuracy (set below)")),
    "lowest_loss": Rule("lowest_loss", N_("Lowest test loss within {epochs:,} epochs"), False,
                        N_("Lowest test loss within an epoch limit (set below)")),
}
THRESHOLD_RANGE = (0.5, 1.0)
EPOCH_RANGE = (1, 100_000)


# ---- text people type --------------------------------------------------------------------
def clean_text(text, limit, what):
    """``text`` as one line of plain characters: control, format (bidi overrides, zero
    widths) and unassigned characters removed, runs of spaces made one. BoardError when
    nothing is left or more than ``limit`` characters are."""
    if not isinstance(text, str):
        raise BoardError(_("The {what} must be text.").format(what=_(what)))
    if len(text) > 10 * limit:  # refused before any work on it
        raise BoardError(_("The {what} can have at most {limit} characters.")
                         .format(what=_(what), limit=limit))
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if c.isspace() else c for c in text
                   if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    text = re.sub(r" +", " ", text).strip()
    if not text:
        raise BoardError(_("The {what} is empty.").format(what=_(what)))
    if len(text) > limit:
        raise BoardError(_("The {what} can have at most {limit} characters; it has {n}.")
                         .format(what=_(what), limit=limit, n=len(text)))
    return text


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def parse_code(text):
    """A class code as typed (any case, spaces or a dash allowed), or None if it cannot be
    one."""
    if not isinstance(text, str) or len(text) > 20:
        return None
    code = re.sub(r"[\s-]", "", text).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def new_key():
    return secrets.token_urlsafe(KEY_BYTES)


def hash_key(key):
    """The stored form of a lecturer key. The key is 192 random bits, so one SHA-256 is
    enough: there is no dictionary to try."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_matches(key, stored_hash):
    """Whether ``key`` opens a board whose key hashes to ``stored_hash`` (constant time)."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_TEXT \
            or not isinstance(stored_hash, str):
        return False
    return hmac.compare_digest(hash_key(key), stored_hash)


# ---- challenges --------------------------------------------------------------------------
def rule_title(rule, threshold=None, epochs=None):
    return _(RULES[rule].title).format(threshold=threshold or 0, epochs=epochs or 0)


def check_challenge(config, rule, threshold=None, epochs=None):
    """(rule, threshold, epochs) for a new board on ``config``; BoardError if it cannot be a
    challenge."""
    if rule not in RULES:
        raise BoardError(_("Unknown rule {rule}; choose one of: {rules}.").format(
            rule=repr(rule), rules=_(", ").join(_(r.choice) for r in RULES.values())))
    if config["dataset"] in OWN_DATASETS:
        raise BoardError(_("A challenge needs data that a link can rebuild: drawn or uploaded "
                           "points live in one browser only. Choose a generated dataset."))
    if RULES[rule].needs_classes and config["dataset"] in REGRESSIONS:
        raise BoardError(_("{dataset} is a regression, which has no accuracy: choose the rule "
                           "on test loss, or a classification.")
                         .format(dataset=_(DATASET_LABELS[config["dataset"]])))
    threshold = _in_range(threshold, THRESHOLD_RANGE, N_("threshold")) \
        if rule == "fewest_params" else None
    epochs = int(_in_range(epochs, EPOCH_RANGE, N_("number of epochs"))) \
        if rule == "lowest_loss" else None
    return rule, threshold, epochs


def _in_range(value, bounds, what):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise BoardError(_("The rule needs a {what}.").format(what=_(what))) from None
    if not (math.isfinite(value) and bounds[0] <= value <= bounds[1]):
        raise BoardError(_("The {what} must be between {low} and {high}.")
                         .format(what=_(what), low=f"{bounds[0]:g}", high=f"{bounds[1]:g}"))
    return value


def challenge_config(config, rule, epochs=None):
    """The setup students start from: ``config``'s experiment, with the epoch budget set to
    the rule's limit (so training stops there)."""
    setup = experiment(config)
    if rule == "lowest_loss":
        setup["epoch_budget"] = int(epochs)
    return setup


def fixed_keys(rule):
    return DATA_KEYS + (("epoch_budget",) if rule == "lowest_loss" else ())


def setup_query(config):
    """A setup as the text of a link's query (no "?"), made from a checked config only."""
    return urlencode(config_to_query({**config, "speed": 0, "presenter": False}))


def setup_from_query(text):
    """The config a stored setup query holds (problems would mean a damaged row)."""
    config, _ = config_from_query(dict(parse_qsl(text or "")))
    return config


def differing(challenge, config, rule):
    """Labels of the fixed settings where ``config`` is not the challenge's."""
    return [label(k) for k in fixed_keys(rule) if challenge[k] != config[k]]


# ---- ranking -------------------------------------------------------------------------------
def _nan_last(value, sign=1):
    return math.inf if value is None or not math.isfinite(value) else sign * value


def qualifies(row, rule, threshold=None, epochs=None):
    """Whether a submission meets the rule's condition (a threshold or an epoch limit)."""
    if rule == "fewest_params":
        return row["test_acc"] is not None and row["test_acc"] >= threshold - 1e-12
    if rule == "lowest_loss":
        return row["epoch"] <= epochs
    return True


def sort_key(row, rule, threshold=None, epochs=None):
    """Better first: qualifying runs, then the rule's measure, then the earlier one."""
    order = (not qualifies(row, rule, threshold, epochs),)
    if rule == "best_accuracy":
        order += (_nan_last(row["test_acc"], -1), _nan_last(row["test_loss"]), row["params"])
    elif rule == "fewest_params":
        order += (row["params"], _nan_last(row["test_acc"], -1))
    else:
        order += (_nan_last(row["test_loss"]), row["params"])
    return (*order, row["created"], row["id"])


def ranked(rows, rule, threshold=None, epochs=None):
    """Each student's best submission (best by the rule), best first, with "rank", "runs"
    (how many that student made) and "qualifies"."""
    best, runs = {}, {}
    for row in rows:
        student = row["student"]
        runs[student] = runs.get(student, 0) + 1
        key = sort_key(row, rule, threshold, epochs)
        if student not in best or key < best[student][0]:
            best[student] = (key, row)
    ordered = sorted(best.values(), key=lambda pair: pair[0])
    return [{**row, "rank": i + 1, "runs": runs[row["student"]],
             "qualifies": qualifies(row, rule, threshold, epochs)}
            for i, (_, row) in enumerate(ordered)]


def formula_safe(value):
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---- what a submission stores ------------------------------------------------------------
THUMBNAIL_PX = 56  # 1.3 kB as 32 colours: 300 of them fit in a refresh of the board


def run_result(state):
    """What the board stores of a Playground session (an app_logic.session.PlaygroundState),
    computed here from its own network and points: nothing comes from the browser."""
    net = state.net
    metrics = {"train_loss": net.loss(state.X_train, state.train.y, state.loss),
               "test_loss": net.loss(state.X_test, state.test.y, state.loss),
               "train_acc": None, "test_acc": None}
    if not state.regression:
        metrics["train_acc"] = float((net.predict(state.X_train) == state.train.y).mean())
        metrics["test_acc"] = float((net.predict(state.X_test) == state.test.y).mean())
    return {"setup": experiment(state.config), "epoch": int(state.epoch),
            "params": int(sum(w.size + b.size for w, b in zip(net.weights, net.biases))),
            "thumbnail": thumbnail_png(state.boundary_u8()), **metrics}


def thumbnail_png(boundary):
    """A small PNG of a boundary snapshot (north up, as the Playground draws it)."""
    rgb = boundary_colors(boundary)[::-1]
    image = Image.fromarray(rgb).resize((THUMBNAIL_PX, THUMBNAIL_PX), Image.BILINEAR)
    out = io.BytesIO()
    image.quantize(32).save(out, format="PNG", optimize=True)
    return out.getvalue()
