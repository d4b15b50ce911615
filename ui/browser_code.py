"""The live components' browser code (``static/``), served by the app itself.

A v2 component's inline JavaScript travels with every message the component receives: the
live board's 14 kB went out with each tick, more than its frames. So each component's inline
code is a loader of a few lines that imports its module from the app's static files
(``server.enableStaticServing``); the browser imports a module once per page.
"""

import hashlib
import pathlib

import streamlit as st

STATIC = pathlib.Path(__file__).resolve().parents[1] / "static"


def _version():
    """A digest of every module: a new version of the app gets new addresses, never a
    browser's cached copy of an older file."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(STATIC.glob("*.js")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


VERSION = _version()


def loader(module):
    """Inline code for a component whose module is ``static/<module>``: it imports the module
    from the app (under the server's base path) and hands it every message."""
    if not (STATIC / module).is_file():
        raise FileNotFoundError(STATIC / module)
    base = "/".join(part for part in st.get_option("server.baseUrlPath").split("/") if part)
    path = f"/{base + '/' if base else ''}app/static/{module}?v={VERSION}"
    return (f"const code = import(new URL({path!r}, window.location.origin).href);\n"
            "export default async function (component) {\n"
            "  return (await code).default(component);\n"
            "}\n")


def component(name, module, css):
    """A v2 component named ``name`` drawn by ``static/<module>`` with the CSS file ``css``."""
    return st.components.v2.component(
        name, js=loader(module), css=pathlib.Path(css).read_text(encoding="utf-8"),
        isolate_styles=False,  # the page's tests and benchmarks read the root's data-* attributes
    )
