"""Read a user's CSV of 2-D points: two numeric feature columns and a label column.

The flow for a UI:

    preview = inspect_csv(data)               # UploadError if the file is unusable
    if preview.ambiguous:                     # more than 3 columns: let the user pick
        features, label = <two of preview.feature_candidates>, <one of preview.columns>
    points = parse_csv(data, features, label)  # UploadError naming line and column

Every problem raises ``UploadError`` with one message meant for the user as it is.
Line numbers are the file's own (the header, if any, is line 1), so an editor finds them.
Accepted: UTF-8 (with or without BOM) or UTF-16/UTF-32 with a BOM; comma, semicolon, tab or
pipe separated; any line endings; a header row or none; labels that are integers or names;
digits of any script. The limits (app_logic/files.py) are checked as the file is read:
MAX_FILE_BYTES, MAX_POINTS rows, MAX_COLUMNS columns, MAX_CELL_CHARS per cell,
MAX_NUMBER_CHARS per number, MAX_LABEL_CHARS per label, MAX_CLASSES classes, MAX_ABS_VALUE.
"""

import csv
import io
import math
import re
from dataclasses import dataclass

import numpy as np

import mlp_core as mc
from viz.i18n import N_, _, number

from .files import (
    MAX_ABS_VALUE,
    MAX_CELL_CHARS,
    MAX_CLASSES,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_LABEL_CHARS,
    MAX_NUMBER_CHARS,
    MAX_POINTS,
    FileError,
    check_size,
    decode_text,
)

MIN_ROWS = 4
LABEL_NAMES = ("label", "labels", "class", "classes", "target", "y", "category", "species")
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": N_("comma"), ";": N_("semicolon"), "\t": N_("tab"), "|": N_("pipe")}
_MISSING = {"nan", "na", "n/a", "#n/a", "null", "none", "?"}
# A spreadsheet runs a cell that starts with one of these as a formula: a download puts a
# quote in front (as spreadsheets do themselves), which an upload takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SAVE_AS = N_("Save the data as CSV UTF-8 (for example Excel's \"CSV UTF-8\") and upload that.")
__all__ = ["MAX_FILE_BYTES", "MAX_POINTS", "MAX_CLASSES", "MAX_COLUMNS", "UploadError",
           "CsvPreview", "UploadedData", "inspect_csv", "parse_csv", "points_to_csv"]


class UploadError(FileError):
    """A file that cannot be used; ``str(error)`` is the message to show the user."""


@dataclass(frozen=True)
class CsvPreview:
    columns: list            # column names (from the header, else "column 1", ...)
    has_header: bool
    delimiter: str
    n_rows: int              # data rows (blank lines not counted)
    numeric: list            # per column: True if every cell is a number
    feature_candidates: list  # indices of numeric columns
    suggested_features: tuple  # (i, j)
    suggested_label: int
    ambiguous: bool          # True when the user should confirm the columns


@dataclass(frozen=True)
class UploadedData:
    X: np.ndarray            # (n, 2) float64 in the file's own units
    y: np.ndarray            # (n,) int64 in 0 .. n_classes - 1
    class_names: list        # class_names[k] is the file's label for class k
    feature_names: list      # the two feature columns' names
    label_name: str
    conflicts: int = 0       # places (x1, x2) holding points of different labels

    @property
    def n_classes(self):
        return len(self.class_names)

    def to_dataset(self, name="upload"):
        return mc.Dataset(self.X.copy(), self.y.copy(), self.n_classes, name)


# ---- reading the text ------------------------------------------------------------------
def _decode(data):
    data = check_size(data, "file", UploadError)
    return decode_text(data, N_("CSV file"), UploadError, SAVE_AS)


def _unquote(cell):
    """A cell as written, without the quote a download puts before a formula-like start."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def _number(cell, decimal_comma=False):
    """The cell as a float, or None if it is not a number (NaN and inf count as numbers
    here so that the caller can say exactly what is wrong with them). Digits of any script
    (Arabic-Indic, Persian, full-width) are read as digits."""
    text = cell.strip().replace("\u066b", ".")  # the Arabic decimal separator
    if decimal_comma and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if "_" in text:  # Python reads 1_000; a CSV does not
        return None
    try:
        return float(text)  # cells are at most MAX_CELL_CHARS long: cheap
    except ValueError:
        return None


# Plain ASCII decimals, one per line: every one of them is something float() reads.
_PLAIN_NUMBERS = re.compile(r"(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\n)*")


def _all_numbers(cells, decimal_comma=False):
    """Whether every cell is a number (as ``_number`` reads it). One regular expression over
    the column answers for the usual file of plain decimals; the rest go cell by cell."""
    if _PLAIN_NUMBERS.fullmatch("\n".join(cells) + "\n"):
        return True
    return all(_number(c, decimal_comma) is not None for c in cells)


_NUMBER_LIKE = re.compile(r"[+-]?\d*[.,\u066b]?\d*(?:[eE][+-]?\d+)?")


def _cell_too_long(line, j, cell):
    if _NUMBER_LIKE.fullmatch(cell):
        return UploadError(_("Line {line}, column {column} has a number of {n} characters; a "
                             "number may have at most {limit}.").format(
            line=line, column=j + 1, n=number(len(cell)), limit=MAX_NUMBER_CHARS))
    return UploadError(_("Line {line}, column {column} has a cell of {n} characters; a cell may "
                         "hold at most {limit}. Is it the right file?").format(
        line=line, column=j + 1, n=number(len(cell)), limit=number(MAX_CELL_CHARS)))


def _rows(text, delimiter, check=True):
    """(line number, cells) for every non-blank line; cells are stripped and (with
    ``check``) checked not to be longer than MAX_CELL_CHARS."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            if not cells:
                continue
            cells = [_unquote(c) for c in map(str.strip, cells)]
            if any(cells):
                if check and max(map(len, cells)) > MAX_CELL_CHARS:
                    j = next(j for j, c in enumerate(cells) if len(c) > MAX_CELL_CHARS)
                    raise _cell_too_long(reader.line_num, j, cells[j])
                yield reader.line_num, cells
    except csv.Error as err:
        if "field larger than field limit" in str(err):
            raise UploadError(_(
                "Line {line} has a cell of more than {n} characters; a cell may hold at most "
                "{limit}. Is a quote (\") left open, or is it the wrong file?").format(
                line=reader.line_num + 1, n=number(csv.field_size_limit()),
                limit=number(MAX_CELL_CHARS))) from None
        raise UploadError(_("Line {line} cannot be read as CSV: {error}.").format(
            line=reader.line_num, error=err)) from None


def _sample(text, delimiter, n=30):
    """The first ``n`` non-blank records split by ``delimiter``, or those before the first
    that cannot be read."""
    rows = []
    try:
        for _, cells in _rows(text, delimiter, check=False):
            rows.append(cells)
            if len(rows) == n:
                break
    except UploadError:
        pass
    return rows


def _first_content(text):
    """Where the line holding the first non-blank character begins (0 if none)."""
    stripped = text.lstrip(" \t\r\n\f\v")
    first = len(text) - len(stripped)
    return max(text.rfind("\n", 0, first), text.rfind("\r", 0, first)) + 1


def _choose_delimiter(text):
    """The separator that splits the first 30 records into the same number (>= 2) of cells,
    preferring the one that yields the most numbers."""
    sample = text[_first_content(text):]
    best, best_score = None, None
    for delimiter in _DELIMITERS:
        rows = _sample(sample, delimiter)
        widths = {len(r) for r in rows}
        if not rows or min(widths) < 2:
            continue
        numbers = sum(_number(c, delimiter != ",") is not None for r in rows[:30]
                      for c in r[:MAX_COLUMNS + 1])
        score = (len(widths) == 1, numbers, -_DELIMITERS.index(delimiter))
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _column_label(columns, j):
    default = _("column {j}").format(j=j + 1)
    return default if columns[j] == default else _("column {j} (\"{name}\")").format(
        j=j + 1, name=columns[j])


@dataclass(frozen=True)
class _Table:
    columns: list
    has_header: bool
    delimiter: str
    rows: list  # (line number, cells)


def _used_width(cells):
    """Cells up to the last non-empty one (a spreadsheet may end lines with separators)."""
    n = len(cells)
    while n and not cells[n - 1]:
        n -= 1
    return n


def _column_names(header):
    """The header's names, a blank one named by its place; a name used twice is refused."""
    columns = [c if c else _("column {j}").format(j=j + 1) for j, c in enumerate(header)]
    seen = {}
    for j, name in enumerate(columns):
        if name in seen:
            raise UploadError(_("The header names the column \"{name}\" twice (columns {first} "
                                "and {second}); column names must differ.").format(
                name=name[:40], first=seen[name] + 1, second=j + 1))
        seen[name] = j
    return columns


def _collect_rows(text, delimiter, decimal_comma):
    """(rows as (line, cells), the width of the first); every row as wide as the first."""
    rows = []
    width = None
    for line, cells in _rows(text, delimiter):
        if width is None:
            width = len(cells)
            if _used_width(cells) > MAX_COLUMNS:
                raise UploadError(_("Line {line} has {n} columns; the limit is {limit}. Keep "
                                    "the two feature columns and the label column.").format(
                    line=line, n=number(_used_width(cells)), limit=MAX_COLUMNS))
        elif len(cells) != width:
            header = all(_number(c, decimal_comma) is None for c in rows[0][1])
            text = (_("Line {line} has {n} cells but the header has {width}. Every row needs "
                      "the same columns ({separator} separated).") if header else
                    _("Line {line} has {n} cells but the first row has {width}. Every row needs "
                      "the same columns ({separator} separated)."))
            raise UploadError(text.format(line=line, n=number(len(cells)), width=width,
                                          separator=_(_DELIMITER_NAMES[delimiter])))
        rows.append((line, cells))
        if len(rows) > MAX_POINTS + 1:  # +1: the first row may be a header
            raise UploadError(_("The file has more than {limit} rows; the limit is {limit}. "
                                "Upload a sample of the points.").format(
                limit=number(MAX_POINTS)))
    return rows, width


def _read_table(data):
    text = _decode(data)
    delimiter = _choose_delimiter(text)
    if delimiter is None:
        if not text.strip():
            raise UploadError(_("The file is empty."))
        raise UploadError(_("The file has only one column. It needs two numeric feature "
                            "columns and a label column, separated by commas."))
    decimal_comma = delimiter != ","
    rows, width = _collect_rows(text, delimiter, decimal_comma)
    if not rows:
        raise UploadError(_("The file is empty."))
    first = rows[0][1]
    has_header = all(_number(c, decimal_comma) is None for c in first)
    if has_header:
        rows = rows[1:]
        if not rows:
            raise UploadError(_("The file has a header row but no data rows."))
    if len(rows) > MAX_POINTS:
        raise UploadError(_("The file has {n} data rows; the limit is {limit}. Upload a sample "
                            "of the points.").format(n=number(len(rows)),
                                                     limit=number(MAX_POINTS)))
    # Spreadsheets often end every line with a separator: drop columns that hold nothing.
    keep = [j for j in range(width)
            if first[j] or any(cells[j] for _, cells in rows)]
    if len(keep) < width:
        first = [first[j] for j in keep]
        rows = [(line, [cells[j] for j in keep]) for line, cells in rows]
        width = len(keep)
    columns = (_column_names(first) if has_header else
               [_("column {j}").format(j=j + 1) for j in range(width)])
    if width < 3:
        raise UploadError(
            _("The file has only one column. It needs two numeric feature columns and a label "
              "column.") if width == 1 else
            _("The file has only 2 columns. It needs two numeric feature columns and a label "
              "column."))
    return _Table(columns, has_header, delimiter, rows)


def _preview(table):
    columns, rows = table.columns, table.rows
    decimal_comma = table.delimiter != ","
    by_column = list(zip(*(cells for _, cells in rows)))
    numeric = [_all_numbers(column, decimal_comma) for column in by_column]
    label = _suggest_label(columns, numeric, rows)
    candidates = [j for j in range(len(columns)) if numeric[j] and j != label
                  and not _looks_like_index(columns[j], by_column[j])]
    if len(candidates) < 2:
        candidates = [j for j in range(len(columns)) if j != label]
    return CsvPreview(columns=list(columns), has_header=table.has_header,
                      delimiter=table.delimiter, n_rows=len(rows), numeric=numeric,
                      feature_candidates=[j for j in range(len(columns)) if numeric[j]],
                      suggested_features=tuple(candidates[:2]), suggested_label=label,
                      ambiguous=len(columns) > 3)


def inspect_csv(data):
    """Read the file's shape and suggest which columns are the features and the label."""
    return _preview(_read_table(data))


def _looks_like_index(name, cells):
    """A row number column ("id", or 0, 1, 2, ... / 1, 2, 3, ...) is not a feature."""
    if name.strip().lower() in ("id", "index", "row", "#"):
        return True
    if len(cells) <= 2 or not all(c.isdecimal() and len(c) <= 15 for c in cells):
        return False  # (int() of a long digit string is slow, then refused by Python)
    start = int(cells[0])
    return all(int(c) == start + i for i, c in enumerate(cells))


def _suggest_label(columns, numeric, rows):
    lower = [name.strip().lower() for name in columns]
    # "y" names the label only when it is not the second coordinate next to an "x".
    names = [n for n in LABEL_NAMES if n != "y" or "x" not in lower]
    named = [j for j, name in enumerate(lower) if name in names]
    if named:
        return named[-1]
    text_columns = [j for j in range(len(columns)) if not numeric[j]]
    if text_columns:
        return text_columns[-1]
    few_values = [j for j in range(len(columns))
                  if len({cells[j] for _, cells in rows}) <= MAX_CLASSES]
    if few_values:
        return few_values[-1]
    return len(columns) - 1


# ---- turning the table into points -------------------------------------------------------
def _column_index(choice, columns, what):
    if isinstance(choice, str):
        if choice not in columns:
            raise UploadError(_("There is no column \"{choice}\" for the {what}; the columns "
                                "are {columns}.").format(choice=choice, what=_(what),
                                                         columns=", ".join(columns)))
        return columns.index(choice)
    if isinstance(choice, bool) or not isinstance(choice, (int, np.integer)) \
            or not 0 <= choice < len(columns):
        raise UploadError(_("The {what} must be one of the {n} columns; got {choice}.").format(
            what=_(what), n=len(columns), choice=repr(choice)))
    return int(choice)


def _feature(cell, where, decimal_comma):
    """A feature cell's number; ``where`` names the cell in a refusal."""
    if not cell:
        raise UploadError(_("{where} is empty; every point needs both features.").format(
            where=where))
    value = _number(cell, decimal_comma)
    if value is None:
        raise UploadError(_("{where}: \"{cell}\" is not a number.").format(where=where,
                                                                          cell=cell[:40]))
    if len(cell) > MAX_NUMBER_CHARS:
        raise UploadError(_("{where} has a number of {n} characters; a number may have at "
                            "most {limit}.").format(where=where, n=number(len(cell)),
                                                    limit=MAX_NUMBER_CHARS))
    if not math.isfinite(value):
        raise UploadError(_("{where}: \"{cell}\" is not a finite number.").format(
            where=where, cell=cell[:40]))
    if abs(value) > MAX_ABS_VALUE:
        raise UploadError(_("{where}: {cell} is too large (the limit is {limit}).").format(
            where=where, cell=cell[:40], limit=f"{MAX_ABS_VALUE:.0e}"))
    return value


def parse_csv(data, features=None, label=None):
    """Points and labels from CSV bytes. ``features`` (two columns) and ``label`` are column
    names or indices; without them the suggestion is used, which needs an unambiguous file."""
    table = _read_table(data)
    preview = _preview(table)
    columns, delimiter, rows = table.columns, table.delimiter, table.rows
    if features is None or label is None:
        if preview.ambiguous:
            raise UploadError(_("The file has {n} columns; choose the two feature columns and "
                                "the label column.").format(n=len(columns)))
        features = preview.suggested_features if features is None else features
        label = preview.suggested_label if label is None else label
    if isinstance(features, str) or len(features) != 2:
        raise UploadError(_("Choose exactly two feature columns; got {features}.").format(
            features=repr(features)))
    fx, fy = (_column_index(f, columns, N_("feature column")) for f in features)
    lab = _column_index(label, columns, N_("label column"))
    if len({fx, fy, lab}) < 3:
        raise UploadError(_("The two feature columns and the label column must be three "
                            "different columns."))

    decimal_comma = delimiter != ","
    X = np.empty((len(rows), 2))
    for i, (line, cells) in enumerate(rows):
        for k, j in enumerate((fx, fy)):
            X[i, k] = _feature(cells[j], _("Line {line}, {column}").format(
                line=line, column=_column_label(columns, j)), decimal_comma)
    y, class_names = _labels(rows, lab, columns, decimal_comma)
    for k, j in enumerate((fx, fy)):
        if np.ptp(X[:, k]) == 0:
            raise UploadError(_("{column} has the same value ({value}) in every row; a feature "
                                "has to vary.").format(
                column=_column_label(columns, j).capitalize(), value=f"{X[0, k]:g}"))
    if len(rows) < MIN_ROWS:
        raise UploadError(_("The file has {n} data rows; at least {least} are needed to split "
                            "into training and test points.").format(n=len(rows),
                                                                     least=MIN_ROWS))
    return UploadedData(X=X, y=y, class_names=class_names,
                        feature_names=[columns[fx], columns[fy]], label_name=columns[lab],
                        conflicts=_conflicts(X, y))


def _conflicts(X, y):
    """How many distinct places hold points of more than one label (they are all kept)."""
    places = np.unique(np.column_stack([X, y]), axis=0)[:, :2]
    _, counts = np.unique(places, axis=0, return_counts=True)
    return int((counts > 1).sum())


def _labels(rows, j, columns, decimal_comma):
    where = _column_label(columns, j)
    cells = []
    for line, row in rows:
        if not row[j]:
            raise UploadError(_("Line {line}, {where} is empty; every point needs a "
                                "label.").format(line=line, where=where))
        if len(row[j]) > MAX_LABEL_CHARS:
            raise UploadError(_("Line {line}, {where} has a label of {n} characters; a label "
                                "may have at most {limit}.").format(
                line=line, where=where, n=number(len(row[j])), limit=MAX_LABEL_CHARS))
        if row[j].lower() in _MISSING:
            raise UploadError(_("Line {line}, {where}: \"{label}\" is a missing label; every "
                                "point needs one.").format(line=line, where=where,
                                                           label=row[j]))
        cells.append(row[j])
    distinct = list(dict.fromkeys(cells))
    numbers = [_number(c, decimal_comma) for c in distinct]
    if all(v is not None and math.isfinite(v) for v in numbers):
        # Numeric labels: "1" and "1.0" are one class; classes are ordered by value.
        by_value = {}
        for cell, v in zip(distinct, numbers):
            by_value.setdefault(v, cell)
        order = sorted(by_value)
        names = [str(int(v)) if v == int(v) and abs(v) < 1e15 else by_value[v] for v in order]
        index = {v: k for k, v in enumerate(order)}
        keys = [_number(c, decimal_comma) for c in cells]
    else:
        order = sorted(distinct)
        names = order
        index = {c: k for k, c in enumerate(order)}
        keys = cells
    if len(order) < 2:
        raise UploadError(_("Every row has the same label (\"{label}\") in {where}; at least "
                            "two classes are needed.").format(label=cells[0][:40], where=where))
    if len(order) > MAX_CLASSES:
        shown = ", ".join(f"\"{n[:20]}\"" for n in names[:5])
        more = ", ..." if len(names) > 5 else ""
        raise UploadError(_("The label {where} has {n} different values ({shown}); at most "
                            "{limit} classes are supported. Is it the right label "
                            "column?").format(where=where, n=len(order), shown=shown + more,
                                              limit=MAX_CLASSES))
    y = np.array([index[k] for k in keys], dtype=np.int64)
    return y, [str(n) for n in names]


def _safe_cell(text):
    """A name as a download writes it: a quote before a start a spreadsheet would run as a
    formula (numbers such as -1 are left as they are); ``parse_csv`` takes it off again."""
    text = str(text)
    if text.startswith(FORMULA_STARTS) and _number(text) is None:
        return "'" + text
    return text


def points_to_csv(X, y, class_names=None, feature_names=("x1", "x2"), label_name="label"):
    """CSV bytes (UTF-8, with a header) that ``parse_csv`` reads back to the same points:
    floats are written with ``repr`` so they round-trip exactly; names that would start a
    spreadsheet formula get a leading quote."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=np.int64)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_safe_cell(n) for n in (*feature_names, label_name)])
    names = [_safe_cell(n) for n in class_names] if class_names is not None else None
    for (a, b), k in zip(X, y):
        writer.writerow([repr(float(a)), repr(float(b)), names[k] if names else int(k)])
    return out.getvalue().encode("utf-8")
