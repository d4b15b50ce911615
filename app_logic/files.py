"""What the app accepts from a user's files, in one place: every limit on an uploaded CSV, a
model file and a saved-runs file, what a file really is (its first bytes), how its text is
decoded, and a strict JSON reader shared by model files and saved-runs files.

uploads.py, exports.py and runs.py import these limits and define none of their own. Each
limit is checked before the work or the memory it bounds: the size of the bytes first, then
(for JSON) one linear scan of the text for long numbers, deep nesting and too many values
before ``json.loads`` sees it, then the parsed document's lists before their items are read.
"""

import json
import math
import re

import jsonschema

from mlp_core import FEATURES
from viz.i18n import N_, _

from .settings import MAX_LAYERS, MAX_NEURONS

# ---- every file ------------------------------------------------------------------------------
# Streamlit counts server.maxUploadSize in MB of 1,000,000 bytes (.streamlit/config.toml: 2);
# a larger file is refused by the browser and never reaches the server.
MAX_FILE_MB = 2
MAX_FILE_BYTES = MAX_FILE_MB * 1_000_000

# ---- an uploaded CSV of points ---------------------------------------------------------------
MAX_POINTS = 5_000  # data rows of an uploaded CSV, points of a drawing
MAX_COLUMNS = 50  # columns of an uploaded CSV (the column choosers offer no more)
# The app's networks have one sigmoid output for 2 classes or softmax outputs for 3, and its
# boundary colours blend three class colours: more classes would have no colour to show.
MAX_CLASSES = 3
MAX_CELL_CHARS = 1_000  # characters in one CSV cell
MAX_LABEL_CHARS = 60  # characters in a class name (a CSV label, a model's class_names)
MAX_NUMBER_CHARS = 40  # characters in one number, in a CSV or a JSON file
MAX_ABS_VALUE = 1e15  # a coordinate's size: larger ones make the standardisation overflow

# ---- JSON files (models and saved runs) ------------------------------------------------------
MAX_JSON_DEPTH = 20  # nesting of lists and objects
MAX_JSON_VALUES = 250_000  # numbers, strings, literals, lists and objects in one file

# ---- a model file: the app's own largest network ---------------------------------------------
MAX_HIDDEN_LAYERS = MAX_LAYERS  # 6 hidden layers ...
MAX_HIDDEN_UNITS = MAX_NEURONS  # ... of at most 16 neurons
MAX_INPUTS = len(FEATURES)  # every input feature at once
# Weights and biases of the largest network the app builds: every feature in, six layers of
# 16, softmax out for 3 classes: (7 + 1) * 16 + 5 * (16 + 1) * 16 + (16 + 1) * 3 = 1,539.
MAX_MODEL_PARAMS = ((MAX_INPUTS + 1) * MAX_HIDDEN_UNITS
                    + (MAX_HIDDEN_LAYERS - 1) * (MAX_HIDDEN_UNITS + 1) * MAX_HIDDEN_UNITS
                    + (MAX_HIDDEN_UNITS + 1) * MAX_CLASSES)
MAX_EPOCHS = 10**9  # the epoch a model file says it was trained to

# ---- a saved-runs file ------------------------------------------------------------------------
MAX_RUNS = 8  # runs kept at once, and in one file
MAX_RUN_NAME_CHARS = 40
MAX_CURVE_POINTS = 1_000  # per run and curve; curves are drawn at a few hundred pixels anyway
MAX_RUN_POINTS = 400  # data points a run keeps to draw over its boundary
MAX_GRID = 200  # boundary cells per side
MAX_SETTINGS = 64  # settings in one run's configuration
MAX_SETTING_CHARS = 200  # characters of a text setting

# What a file is, from its first bytes, for files that are not text at all.
SIGNATURES = (
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"RIFF", N_("a RIFF file (WebP image, WAV sound or AVI video)")),
    (b"%PDF", N_("a PDF document")),
    (b"PK\x03\x04", N_("a zip archive (or an Excel workbook, .xlsx)")),
    (b"PK\x05\x06", N_("an empty zip archive")),
    (b"\xd0\xcf\x11\xe0", N_("an old Office document (an Excel workbook, .xls)")),
    (b"\x1f\x8b", N_("a gzip-compressed file")),
    (b"BZh", N_("a bzip2-compressed file")),
    (b"\xfd7zXZ\x00", N_("an xz-compressed file")),
    (b"7z\xbc\xaf\x27\x1c", N_("a 7-Zip archive")),
    (b"\x28\xb5\x2f\xfd", N_("a Zstandard-compressed file")),
    (b"Rar!", N_("a RAR archive")),
    (b"\x80\x02", N_("a Python pickle")),
    (b"\x80\x03", N_("a Python pickle")),
    (b"\x80\x04", N_("a Python pickle")),
    (b"\x80\x05", N_("a Python pickle")),
    (b"\x93NUMPY", N_("a NumPy array file (.npy)")),
    (b"\x89HDF", N_("an HDF5 file")),
    (b"PAR1", N_("a Parquet file")),
    (b"SQLite format 3\x00", N_("an SQLite database")),
    (b"\x7fELF", N_("a program (ELF executable)")),
    (b"MZ", N_("a Windows program")),
    (b"\xca\xfe\xba\xbe", N_("a Java class file or a macOS program")),
    (b"\xcf\xfa\xed\xfe", N_("a macOS program")),
    (b"\x00asm", N_("a WebAssembly module")),
)
# Byte-order marks, the longest first (UTF-32 LE begins like UTF-16 LE).
BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"), (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
        (b"\xef\xbb\xbf", "utf-8", "UTF-8"), (b"\xfe\xff", "utf-16-be", "UTF-16"),
        (b"\xff\xfe", "utf-16-le", "UTF-16"))


class FileError(ValueError):
    """A file that cannot be used; ``str(error)`` is the message to show the user as it is."""


def megabytes(n_bytes):
    """``n_bytes`` in the units of the upload limit (MB of 1,000,000 bytes), for messages."""
    return f"{n_bytes / 1e6:.1f} MB"


def what_it_is(data):
    """What kind of non-text file ``data`` starts like ("a PNG image"), or None."""
    head = bytes(data[:16])
    if head.startswith(b"MZ") and len(head) > 2 and head[2:3] not in b"\t\n\r ,;|" \
            and not head[2:3].isalnum():
        return N_("a Windows program")
    for signature, kind in SIGNATURES:
        if signature != b"MZ" and head.startswith(signature):
            return kind
    return None


def _without_bom_encoding(data):
    """"UTF-16" or "UTF-32" when ``data`` (no byte-order mark) has the zero bytes of
    ASCII text in those encodings, else None."""
    head = bytes(data[:4096])
    if len(head) < 8 or b"\x00" not in head:
        return None
    n = len(head) - len(head) % 4
    zeros = [sum(1 for i in range(k, n, 4) if head[i] == 0) / (n // 4) for k in range(4)]
    if sum(z > 0.9 for z in zeros) == 3:
        return "UTF-32"
    if (zeros[0] > 0.9 and zeros[2] > 0.9) or (zeros[1] > 0.9 and zeros[3] > 0.9):
        return "UTF-16"
    return None


def check_size(data, what, error):
    """``data`` as bytes, refused when empty or over MAX_FILE_BYTES."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise error(f"Expected the {what}'s bytes; got {type(data).__name__}.")
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise error(_("The {what} is {size}; the limit is {limit}.").format(
            what=_(what), size=megabytes(len(data)), limit=megabytes(MAX_FILE_BYTES)))
    if not data.strip():
        raise error(_("The {what} is empty.").format(what=_(what)))
    return data


def decode_text(data, what, error, save_as):
    """The text of ``data`` (bytes within the size limit): UTF-8, or UTF-8/16/32 with a
    byte-order mark. Binary files are named as what they are; ``save_as`` ends the messages
    (e.g. "Save it as CSV UTF-8.")."""
    what, save_as = _(what), _(save_as)
    kind = what_it_is(data)
    if kind is not None:
        raise error(_("This file is {kind}, not a {what}. {save_as}").format(
            kind=_(kind), what=what, save_as=save_as))
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise error(_("The {what} starts like {name} text but is not valid {name}. "
                              "{save_as}").format(what=what, name=name, save_as=save_as)) \
                    from None
    encoding = _without_bom_encoding(data)
    if encoding is not None:
        raise error(_("The {what} looks like {encoding} text without a byte-order mark, "
                      "which cannot be read reliably. {save_as}").format(
            what=what, encoding=encoding, save_as=save_as))
    if b"\x00" in data:
        at = data.index(b"\x00")
        line = data.count(b"\n", 0, at) + 1
        raise error(_("The {what} contains binary data (a zero byte on line {line}); it is "
                      "not a text file. {save_as}").format(what=what, line=line,
                                                           save_as=save_as))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise error(_("The {what} is not UTF-8 text: byte {byte} on line {line} cannot be "
                      "read. {save_as}").format(what=what, byte=f"0x{data[err.start]:02X}",
                                                line=line, save_as=save_as)) from None


# ---- JSON -------------------------------------------------------------------------------------
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]|[-+0-9.eE]+|[A-Za-z]+')


def scan_json(text, what, error):
    """One pass over JSON text refusing, before it is parsed, numbers longer than
    MAX_NUMBER_CHARS, nesting deeper than MAX_JSON_DEPTH and more than MAX_JSON_VALUES
    values. (Malformed text is left for the parser to name.)"""
    depth = values = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        first = token[0]
        if first == "[" or first == "{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise error(_("The {what} nests lists or objects more than {limit} deep; a "
                              "saved file nests at most {limit}.").format(
                    what=_(what), limit=MAX_JSON_DEPTH))
        elif first == "]" or first == "}":
            depth -= 1
            continue
        elif first != '"' and first not in "tfnNI" and len(token) > MAX_NUMBER_CHARS:
            line = text.count("\n", 0, match.start()) + 1
            raise error(_("Line {line} of the {what} has a number of {count:,} characters; a "
                          "number may have at most {limit}.").format(
                line=line, what=_(what), count=len(token), limit=MAX_NUMBER_CHARS))
        values += 1
        if values > MAX_JSON_VALUES:
            raise error(_("The {what} holds more than {limit:,} values; the limit is "
                          "{limit:,}.").format(what=_(what), limit=MAX_JSON_VALUES))


def _json_hooks(what, error):
    def constant(name):
        raise error(_("The {what} contains {name}, which is not a number JSON allows.").format(
            what=_(what), name=name))

    def real(text):
        value = float(text)
        if not math.isfinite(value):
            raise error(_("The {what} contains the number {text}, too large for a 64-bit "
                          "float (at most about 1.8e308).").format(what=_(what), text=text))
        return value

    def integer(text):
        value = int(text)  # at most MAX_NUMBER_CHARS digits: scan_json checked
        if not -1.8e308 < value < 1.8e308:
            raise error(_("The {what} contains the number {text}, too large for a 64-bit "
                          "float.").format(what=_(what), text=text))
        return value

    return constant, real, integer


def _unique_keys(what, error):
    """An object_pairs_hook refusing an object that names a key twice (json.loads would keep
    the last silently, so what the app reads could differ from what another reader sees)."""
    def build(pairs):
        document = dict(pairs)
        if len(document) != len(pairs):
            seen = set()
            twice = next(k for k, _ in pairs if k in seen or seen.add(k))
            raise error(_("The {what} names the key \"{key}\" twice in one object; each key "
                          "may appear once.").format(what=_(what), key=twice[:40]))
        return document
    return build


A_FILE = N_("file")  # what a file the caller does not name is called in messages


def load_json(data, what=A_FILE, error=FileError):
    """Parse JSON bytes strictly; ``error`` (a FileError subclass) with a message for the
    user when they cannot be read. Size, kind, encoding, long numbers, depth and the number
    of values are checked before the parser runs; NaN, Infinity and numbers beyond float64
    (1e400) are refused by it."""
    data = check_size(data, what, error)
    text = decode_text(data, what, error, N_("Is it the right file?"))
    scan_json(text, what, error)
    constant, real, integer = _json_hooks(what, error)
    try:
        return json.loads(text, parse_constant=constant, parse_float=real, parse_int=integer,
                          object_pairs_hook=_unique_keys(what, error))
    except FileError as err:
        raise error(str(err)) from None
    except json.JSONDecodeError as err:
        raise error(_("The {what} is not valid JSON: {problem} at line {line}, column "
                      "{column}.").format(what=_(what), problem=err.msg, line=err.lineno,
                                          column=err.colno)) from None
    except (RecursionError, ValueError):  # neither can pass the scan; one message if they do
        raise error(_("The {what} cannot be read as JSON.").format(what=_(what))) from None


# ---- JSON Schema ------------------------------------------------------------------------------
# A file's format is a JSON Schema (Draft 2020-12; app_logic/file_formats.py). A node may carry
# "message": the sentence shown when the node fails, or a dict of such sentences by failing
# keyword ("*" for any other). The deepest node with a message on the failing path speaks.
# Fields a message may use: {at} (the node's place, as "model.weights[0]"), {parent} (the
# place of what holds it), {key}, {index} (1-based), {value} (the value, short), {text} (a
# string value, quoted and short), {raw} (the value as short JSON), {n} (a list's or object's
# size), {missing} (required keys that are absent), and whatever the caller passes ({where}).
_INTEGER = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(  # 3.0 is no whole number here
    "integer", lambda _, v: isinstance(v, int) and not isinstance(v, bool))
_ITEMS = jsonschema.Draft202012Validator.VALIDATORS["items"]
_PLAIN = {"number": (float, int), "integer": (int,)}  # exact types: a bool is not a number


def _items(validator, items, instance, schema):
    """Draft 2020-12 "items", with a fast path for the long lists of plain numbers (curves,
    weights): when every item is of the type asked, nothing is left to check; otherwise the
    standard keyword finds the first wrong item."""
    kinds = items.get("type") if isinstance(items, dict) and items.keys() <= {"type", "message"} \
        else None
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    allowed = tuple(t for k in kinds for t in _PLAIN.get(k, (type(None),) if k == "null" else ()))
    if kinds and len(allowed) and "prefixItems" not in schema and isinstance(instance, list) \
            and all(type(v) in allowed for v in instance):
        return
    yield from _ITEMS(validator, items, instance, schema)


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"items": _items},
                                          type_checker=_INTEGER)
# Schema keywords that lead to a subschema, and whether they step into the document too.
_INTO_ITEM = {"items": 1, "additionalProperties": 1, "propertyNames": 0}  # one segment
_INTO_NAMED = {"properties": 1, "prefixItems": 1, "anyOf": 0, "allOf": 0, "oneOf": 0}  # two


def validator(schema):
    """A validator for ``schema`` (checked once, when the format is defined)."""
    _Validator.check_schema(schema)
    return _Validator(schema)


def show(value):
    """A value from a file, short, for a message."""
    if isinstance(value, str):
        return _("the text \"{text}\"").format(text=value[:20] + ("…" if len(value) > 20 else ""))
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, (list, dict)):
        return _("a list") if isinstance(value, list) else _("an object")
    return repr(value)[:30]


def place(path):
    """A path into a document as people read it: ``model.weights[0][1]``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text


def _speaker(schema, error):
    """(message node, depth): the deepest schema node with a message on the error's path,
    and how many steps into the document that node stands."""
    node, depth = schema, 0
    found = (node, 0) if "message" in node else None
    segments = list(error.absolute_schema_path)[:-1]  # the last one is the failing keyword
    while segments:
        keyword = segments.pop(0)
        if keyword in _INTO_NAMED:
            node, depth = node[keyword][segments.pop(0)], depth + _INTO_NAMED[keyword]
        else:
            node, depth = node[keyword], depth + _INTO_ITEM.get(keyword, 0)
        if isinstance(node, dict) and "message" in node:
            found = (node, depth)
    return found


def _short_json(value, limit=40):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def refusal(schema_validator, document, error, **context):
    """``error`` (the FileError subclass) with the message of the first way ``document``
    breaks the schema, or None when it fits. The first: keywords are checked in the order
    the schema writes them, so a list's length is checked before its items."""
    failure = next(schema_validator.iter_errors(document), None)
    if failure is None:
        return None
    node, depth = _speaker(schema_validator.schema, failure)
    message = node["message"]
    if isinstance(message, dict):
        message = message.get(failure.validator) or message["*"]
    path = list(failure.absolute_path)[:depth]
    value = document
    for step in path:
        value = value[step]
    present = value if isinstance(value, dict) else {}
    fields = {"at": place(path), "parent": place(path[:-1]),
              "key": path[-1] if path else "", "value": show(value),
              "index": path[-1] + 1 if path and isinstance(path[-1], int) else "",
              "text": repr(value[:20]) if isinstance(value, str) else show(value),
              "n": f"{len(value):,}" if isinstance(value, (list, dict)) else "",
              "raw": _short_json(value),
              "missing": ", ".join(place([*path, k]) for k in failure.validator_value
                                   if k not in present)
              if failure.validator == "required" else "", **context}
    limits = schema_validator.schema.get("messageFields", {})  # what the messages name
    return error(_(message).format(**limits, **fields))
