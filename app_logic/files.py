"""What the app accepts from a user's files, in one place: the limits, and a strict JSON
reader shared by model files and saved-runs files."""

import json

MAX_FILE_BYTES = 2 * 1024 * 1024  # every uploaded file; matches server.maxUploadSize
# The app's networks have one sigmoid output for 2 classes or softmax outputs for 3, and its
# boundary colours blend three class colours: more classes would have no colour to show.
MAX_CLASSES = 3
MAX_POINTS = 5_000  # rows of an uploaded CSV, points of a drawing


class FileError(ValueError):
    """A file that cannot be used; ``str(error)`` is the message to show the user as it is."""


def _reject_constant(name):
    raise FileError(f"The file contains {name}, which is not a number JSON allows.")


def load_json(data, what="file", error=FileError, max_bytes=MAX_FILE_BYTES):
    """Parse JSON bytes strictly (no NaN/Infinity tokens); ``error`` (a FileError subclass)
    with a message for the user when they cannot be read."""
    if not isinstance(data, (bytes, bytearray)):
        raise error(f"Expected the {what}'s bytes; got {type(data).__name__}.")
    if len(data) > max_bytes:
        raise error(f"The {what} is {len(data) / 1e6:.1f} MB; the limit is "
                    f"{max_bytes / 1e6:.1f} MB.")
    if not data.strip():
        raise error(f"The {what} is empty.")
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"The {what} is not UTF-8 text (is it the right file?).") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except FileError as err:
        raise error(str(err)) from None
    except json.JSONDecodeError as err:
        raise error(f"The {what} is not valid JSON: {err.msg} at line {err.lineno}, "
                    f"column {err.colno}.") from None
    except RecursionError:
        raise error(f"The {what} is nested too deeply to be a saved file.") from None
