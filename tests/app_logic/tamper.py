"""Edits of a parsed JSON document, for the tampered-file tests of models and saved runs."""


def set_path(path, value):
    """A function that sets ``doc[path[0]][path[1]]...`` to ``value`` and returns ``doc``."""
    def change(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value
        return doc
    return change
