"""The file formats are JSON Schemas whose nodes carry the messages users read: every
message formats with the fields files.refusal fills in, and the first fault found is the
one the schema lists first (a list's length before its items)."""

import string

import pytest

from app_logic import file_formats as ff
from app_logic import files

FIELDS = {"at", "parent", "key", "index", "value", "text", "raw", "n", "missing", "where",
          *ff.LIMIT_FIELDS}  # the limits: each schema's "messageFields"


def messages(node):
    if isinstance(node, dict):
        message = node.get("message")
        if isinstance(message, str):
            yield message
        elif isinstance(message, dict):
            yield from message.values()
        for value in node.values():
            yield from messages(value)
    elif isinstance(node, list):
        for value in node:
            yield from messages(value)


@pytest.mark.parametrize("schema", [ff.MODEL_SCHEMA, ff.RUNS_SCHEMA, ff.RUN_ENTRY_SCHEMA,
                                    ff.RUN_SCHEMA], ids=["model", "runs", "entry", "run"])
def test_every_message_uses_known_fields_and_is_a_sentence(schema):
    found = list(messages(schema))
    assert found
    for message in found:
        names = {f for _, f, _, _ in string.Formatter().parse(message) if f}
        assert names <= FIELDS, message
        assert message.endswith((".", "?")), message


def test_the_length_of_a_list_is_refused_before_its_items():
    doc = {"format": ff.RUNS_FORMAT, "version": 1, "runs": ["not a run"] * 9}
    problem = files.refusal(ff.RUNS, doc, files.FileError)
    assert str(problem) == "The runs file holds 9 runs; at most 8 fit."


def test_a_message_names_the_place_and_the_value():
    doc = {"history": {k: [0.0, 1.0] for k in ff.CURVES}}
    doc["history"]["test_acc"][1] = "high"
    problem = files.refusal(ff.RUN, doc, files.FileError, where="Run 3")
    assert str(problem) == ('Run 3, history.test_acc: value 2 (the text "high") is not a '
                            'finite number.')


def test_a_whole_number_is_an_int_not_a_float():
    doc = {"format": ff.RUNS_FORMAT, "version": 1.0, "runs": []}
    assert "no valid \"version\"" in str(files.refusal(ff.RUNS, doc, files.FileError))
    assert files.refusal(ff.RUNS, {**doc, "version": 1, "runs": [{}]}, files.FileError) is None
