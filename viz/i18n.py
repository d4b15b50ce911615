"""The app's words in English or Simplified Chinese: gettext with Babel's catalogs.

It lives in viz, the lowest layer that shows words, so figures, the logic and the Streamlit
layer all translate with the same ``_``. It never imports streamlit. The language of a call:
    1. the one set with ``use_language`` or ``speaking`` in the current context (a
       ``ContextVar``: tests, scripts, a thread that wants one language, a run of a page
       or a fragment that looked its session's language up once), else
    2. what the language source says: ui/i18n.py installs, once per process, a function that
       reads the language of the session whose script thread is calling (its link and its
       browser), so every run, callback and fragment rerun of a session speaks its language
       with nothing to set (Streamlit runs them in fresh threads that pass through no common
       code of ours), else
    3. English.
No language is kept at module level: the source is the same function for every session.

Marking a string:
    _("Learning rate")                      translated where it is called
    _("Line {line} is empty.").format(line=3)   placeholders after translation, never f-strings
    N_("Learning rate")                     marked only, for module-level tables; translate
                                            with _(text) where it is shown
The catalogs are ``locales/<lang>/LC_MESSAGES/messages.po``, read and compiled in memory the
first time a language is used (no .mo file, no network); see locales/README.md.
"""

import contextlib
import contextvars
import functools
import io
import pathlib

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent, get_group_symbol
from babel.support import NullTranslations, Translations

LOCALES = pathlib.Path(__file__).resolve().parents[1] / "locales"
ENGLISH = "en"
LANGUAGES = {"en": "English", "zh": "中文"}  # code -> its name in its own language
BABEL_LOCALES = {"en": "en", "zh": "zh_Hans_CN"}

_language = contextvars.ContextVar("language", default=None)
_SOURCE = []  # [function() -> language code]: set once per process by ui/i18n.py


@functools.cache
def translations(language):
    """The compiled catalog of ``language`` (English: the messages themselves), once per
    process: a catalog never changes while the app runs."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language == ENGLISH or not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=BABEL_LOCALES.get(language, language))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # skips fuzzy entries: they fall back to English
    compiled.seek(0)
    return Translations(compiled)


def normalize(code):
    """A supported language code for ``code`` ("zh-CN" -> "zh", "en_GB" -> "en"), or None."""
    if not isinstance(code, str):
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def pick_language(from_url=None, from_browser=None):
    """The link's language if it names one we have, else the browser's, else English."""
    return normalize(from_url) or normalize(from_browser) or ENGLISH


def language():
    """The language of the current call (see the module's docstring)."""
    code = _language.get()
    if code is None and _SOURCE:
        code = normalize(_SOURCE[0]())
    return code or ENGLISH


def use_language(code):
    """Make ``code`` the language of the current context; None gives it back to the source."""
    _language.set(None if code is None else normalize(code) or ENGLISH)


@contextlib.contextmanager
def speaking(code):
    """Within the block the language is ``code``; after it, what it was before."""
    token = _language.set(normalize(code) or ENGLISH)
    try:
        yield
    finally:
        _language.reset(token)


def set_language_source(source):
    """Install ``source()``, the current session's language, for the whole process (the
    Streamlit layer does, when imported)."""
    _SOURCE[:] = [source]


def gettext(message):
    return translations(language()).gettext(message)


def ngettext(singular, plural, n):
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context, message):
    """``message`` translated as it reads in ``context``: one English word may need two
    translations (the Playground's Step button, the backprop page's Step slider)."""
    return translations(language()).pgettext(context, message)


def N_(message):  # the gettext convention names it so
    """Marks ``message`` for extraction without translating it (module-level tables)."""
    return message


_ = gettext


def number(value, decimals=None):
    """``value`` with the language's digit grouping ("12,345"); ``decimals`` fixed places."""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=BABEL_LOCALES[language()])


@functools.cache
def _group_symbol(language):
    return get_group_symbol(BABEL_LOCALES[language])


def integer_format():
    """A function writing integers as ``number`` does in the current language, at a fraction
    of its cost (a live strip labels up to 30 epochs a tick): both languages group digits
    by threes, with the language's own symbol."""
    symbol = _group_symbol(language())
    return lambda value: f"{int(value):,}".replace(",", symbol)


def percent(fraction, decimals=1):
    """``fraction`` (0.987) as a percentage in the language's style ("98.7%")."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(fraction, format=pattern, locale=BABEL_LOCALES[language()])
