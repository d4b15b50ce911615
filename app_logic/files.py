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

from mlp_core import FEATURES

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
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP image, WAV sound or AVI video)"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (or an Excel workbook, .xlsx)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (an Excel workbook, .xls)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard-compressed file"),
    (b"Rar!", "a RAR archive"),
    (b"\x80\x02", "a Python pickle"),
    (b"\x80\x03", "a Python pickle"),
    (b"\x80\x04", "a Python pickle"),
    (b"\x80\x05", "a Python pickle"),
    (b"\x93NUMPY", "a NumPy array file (.npy)"),
    (b"\x89HDF", "an HDF5 file"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"\xca\xfe\xba\xbe", "a Java class file or a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\x00asm", "a WebAssembly module"),
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
        return "a Windows program"
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
        raise error(f"The {what} is {megabytes(len(data))}; the limit is "
                    f"{megabytes(MAX_FILE_BYTES)}.")
    if not data.strip():
        raise error(f"The {what} is empty.")
    return data


def decode_text(data, what, error, save_as):
    """The text of ``data`` (bytes within the size limit): UTF-8, or UTF-8/16/32 with a
    byte-order mark. Binary files are named as what they are; ``save_as`` ends the messages
    (e.g. "Save it as CSV UTF-8.")."""
    kind = what_it_is(data)
    if kind is not None:
        raise error(f"This file is {kind}, not a {what}. {save_as}")
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise error(f"The {what} starts like {name} text but is not valid {name}. "
                            f"{save_as}") from None
    encoding = _without_bom_encoding(data)
    if encoding is not None:
        raise error(f"The {what} looks like {encoding} text without a byte-order mark, which "
                    f"cannot be read reliably. {save_as}")
    if b"\x00" in data:
        at = data.index(b"\x00")
        line = data.count(b"\n", 0, at) + 1
        raise error(f"The {what} contains binary data (a zero byte on line {line}); it is not "
                    f"a text file. {save_as}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise error(f"The {what} is not UTF-8 text: byte 0x{data[err.start]:02X} on line "
                    f"{line} cannot be read. {save_as}") from None


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
                raise error(f"The {what} nests lists or objects more than {MAX_JSON_DEPTH} "
                            f"deep; a saved file nests at most {MAX_JSON_DEPTH}.")
        elif first == "]" or first == "}":
            depth -= 1
            continue
        elif first != '"' and first not in "tfnNI" and len(token) > MAX_NUMBER_CHARS:
            line = text.count("\n", 0, match.start()) + 1
            raise error(f"Line {line} of the {what} has a number of {len(token):,} characters; "
                        f"a number may have at most {MAX_NUMBER_CHARS}.")
        values += 1
        if values > MAX_JSON_VALUES:
            raise error(f"The {what} holds more than {MAX_JSON_VALUES:,} values; the limit is "
                        f"{MAX_JSON_VALUES:,}.")


def _json_hooks(what, error):
    def constant(name):
        raise error(f"The {what} contains {name}, which is not a number JSON allows.")

    def real(text):
        value = float(text)
        if not math.isfinite(value):
            raise error(f"The {what} contains the number {text}, too large for a 64-bit "
                        f"float (at most about 1.8e308).")
        return value

    def integer(text):
        value = int(text)  # at most MAX_NUMBER_CHARS digits: scan_json checked
        if not -1.8e308 < value < 1.8e308:
            raise error(f"The {what} contains the number {text}, too large for a 64-bit float.")
        return value

    return constant, real, integer


def load_json(data, what="file", error=FileError):
    """Parse JSON bytes strictly; ``error`` (a FileError subclass) with a message for the
    user when they cannot be read. Size, kind, encoding, long numbers, depth and the number
    of values are checked before the parser runs; NaN, Infinity and numbers beyond float64
    (1e400) are refused by it."""
    data = check_size(data, what, error)
    text = decode_text(data, what, error, "Is it the right file?")
    scan_json(text, what, error)
    constant, real, integer = _json_hooks(what, error)
    try:
        return json.loads(text, parse_constant=constant, parse_float=real, parse_int=integer)
    except FileError as err:
        raise error(str(err)) from None
    except json.JSONDecodeError as err:
        raise error(f"The {what} is not valid JSON: {err.msg} at line {err.lineno}, "
                    f"column {err.colno}.") from None
    except (RecursionError, ValueError):  # neither can pass the scan; one message if they do
        raise error(f"The {what} cannot be read as JSON.") from None
