"""What every file input of the app shares: an uploader with its own message slot under it,
text from files shown as plain text, and callbacks that never end in Streamlit's error box.

    file_input("pg_upload_file", "CSV file", ["csv"], on_change, slot, kept="...")
    with reading(slot, uploaded.name, kept):     # in the uploader's on_change
        ...                                      # a FileError's message, or any other
                                                 # error, ends as a message in ``slot``

A file over the upload limit never reaches the server (the browser refuses it and nothing
reruns); a CSS rule beside the uploader shows a message while the newest file is the refused
one, and hides the slot's earlier "Loaded ..." meanwhile.
"""

import contextlib
import html
import json
import logging
import re

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from app_logic import fair_share
from app_logic.files import MAX_FILE_BYTES, FileError, megabytes
from viz.i18n import ENGLISH, N_, _, language

from . import session

log = logging.getLogger(__name__)

# Backslash-escaped in Markdown: what could make a link or an image ([ ]), HTML or an autolink
# (< >), emphasis, code or strike-through (* _ ` ~), LaTeX ($), an e-mail link (@).
_MARKDOWN = re.compile(r"([\\`*_\[\]<>$~@])")
# A zero-width space after a colon keeps emoji and icon shortcodes (:smile:, :material/x:),
# Streamlit's colour directives (:red[...]) and links (https://) from forming; after "www" it
# keeps a bare "www.example.com" from becoming a link.
_COLON = re.compile(r":(?=[A-Za-z0-9_+\-/])")
_WWW = re.compile(r"(?i)(www)(?=\.)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


def plain(text, limit=200):
    """``text`` from a file (a file name, a label, a run name, a quoted cell) made safe to
    put in Markdown: shown as the characters it is, on one line, at most ``limit`` long. No
    link, image, HTML, LaTeX, emphasis or icon can come of it."""
    text = _CONTROL.sub(" ", str(text))
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    return _WWW.sub("\\1\u200b", _COLON.sub(":\u200b", text))


def _too_big(key, kept):
    """A message (HTML) beside the uploader ``key``, shown only while its newest file chip
    is the one the browser refused for its size; meanwhile the slot's message is hidden."""
    box = f".st-key-{key}_box"
    refused = (f'{box}:has([data-testid="stFileChips"] > div > div:last-child '
               f'[data-testid="stFileChip"][aria-invalid="true"])')
    text = _("The newest file is larger than {limit}, the limit for a file here, so it was "
             "not read. {kept} Remove it (×) or choose a smaller file.").format(
        limit=megabytes(MAX_FILE_BYTES), kept=html.escape(_(kept)))
    return (f"<style>{box} .file-too-big {{ display: none; }} "
            f"{refused} .file-too-big {{ display: block; }} "
            f"{refused} .st-key-{key}_notice {{ display: none; }} "
            f".file-too-big {{ padding: 0.75rem 1rem; border-radius: 0.5rem; "
            f"background: rgba(255, 43, 43, 0.09); color: rgb(125, 53, 59); }}</style>"
            f'<div class="file-too-big" role="alert">{text}</div>')


def _uploader_words(key, types):
    """CSS that shows the uploader's own words (its button, its limit) in the page's
    language: Streamlit writes them in English only and takes no text for them."""
    if language() == ENGLISH:
        return ""
    zone = f'.st-key-{key}_box [data-testid="stFileUploaderDropzone"]'
    limit = _("{size} per file • {types}").format(
        size=megabytes(MAX_FILE_BYTES), types=", ".join(t.upper() for t in types))
    words = {f"{zone} button p": (_("Upload"), "0.875rem"),
             f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] span': (limit,
                                                                                "0.75rem")}
    return "".join(f"<style>{where} {{ font-size: 0; }} {where}::after {{ content: "
                   f"{json.dumps(text, ensure_ascii=False)}; font-size: {size}; }}</style>"
                   for where, (text, size) in words.items())


def file_input(key, label, types, on_change, slot, kept, help=None):
    """A file uploader (widget ``key``), its message slot under it, and the message shown
    while its newest file is over the size limit. ``kept`` says what stays in use (marked
    with N_, translated here)."""
    with st.container(key=f"{key}_box"):
        st.file_uploader(label, type=types, key=key, on_change=on_change, help=help)
        st.html(_too_big(key, kept) + _uploader_words(key, types))
        with st.container(key=f"{key}_notice"):
            session.show_notice(slot, keep=True)


NOT_READ = {"loaded": N_("“{name}” was not loaded: {why} {kept}"),
            "imported": N_("“{name}” was not imported: {why} {kept}")}


@contextlib.contextmanager
def reading(slot, file_name, kept, verb="loaded"):
    """Around the reading of a user's file in a callback: a FileError becomes the message
    "“name” was not loaded: <why>. <kept>" in ``slot``; so does any unforeseen error (logged
    with its traceback), which never reaches the page as Streamlit's exception box. Files are
    read one at a time in the process (fair_share), so twenty uploads at once do not stall
    everybody else's clicks."""
    try:
        with fair_share.REGISTRY.heavy:
            yield
    except ScriptControlException:  # st.rerun() and st.stop() pass through
        raise
    except FileError as err:
        session.notify(slot, "error", _(NOT_READ.get(verb, NOT_READ["loaded"])).format(
            name=plain(file_name), why=plain(err, 600), kept=_(kept)))
    except Exception as err:  # a message for the user, never the exception box
        log.exception("reading %r failed", file_name)
        session.notify(slot, "error", _("“{name}” could not be read ({error}). {kept}").format(
            name=plain(file_name), error=plain(type(err).__name__), kept=_(kept)))
