"""Never a grey page: a browser that lost its session comes back from its link, with a notice.

Streamlit's page reconnects by itself when the connection drops (a restarted server or worker
gives it a fresh session, which the app builds from the URL: the URL holds the whole setup).
One state it never leaves is a fatal error on the connection (for example a message it cannot
process): it shows "Connection error" and greys the page until it is reloaded. A small script
in the page watches for that state (Streamlit marks its app element with its connection
state, DISCONNECTED_FOREVER) and, once the server answers its health check, reloads the page
with ``reconnected=1``.

Either way the fresh session tells the user: the script also keeps a cookie naming the
server process that drew the page, so a new session whose browser names another process
(restarted, or another worker behind deploy/serve) came back after losing its session.
"""

import uuid

import streamlit as st

from viz.i18n import _

from . import session
from .session import RESTARTED

# This server process. A constant for the life of the process: what differs is the process.
SERVER_ID = uuid.uuid4().hex
COOKIE = "pg_server"  # the SERVER_ID of the process that last drew a page in this browser
MARKER = "reconnected"  # URL parameter of the reload after a fatal connection error
CHECKED = "reconnect_checked"  # session-state flag: this session's first run has looked

WATCHDOG = """<script>
(() => {
  document.cookie = "%(cookie)s=%(server)s; path=/; SameSite=Lax";
  if (window.pgWatchdog) return;  // one watchdog per page, whatever reruns draw this again
  window.pgWatchdog = setInterval(async () => {
    const app = document.querySelector("[data-test-connection-state]");
    const state = app && app.getAttribute("data-test-connection-state");
    if (state !== "DISCONNECTED_FOREVER") return;  // connected, or Streamlit is retrying
    try {
      const health = await fetch(new URL("_stcore/health", window.location.href),
                                 {cache: "no-store"});
      if (!health.ok) return;  // the server is still away: reload only once it answers
    } catch (error) { return; }
    const url = new URL(window.location.href);
    url.searchParams.set("%(marker)s", "1");
    window.location.replace(url);
  }, 1000);
})();
</script>"""


def came_back(params, cookies, server_id=SERVER_ID):
    """Whether a new session's browser had lost its previous session: it was reloaded after a
    fatal connection error, or it last drew a page from another server process."""
    if params.get(MARKER):
        return True
    seen = cookies.get(COOKIE)
    return bool(seen) and seen != server_id


def keep_connected():
    """Install the watchdog in the page; on a session's first run, tell a user who came back
    that the page was rebuilt from its link."""
    st.html(WATCHDOG % {"cookie": COOKIE, "server": SERVER_ID, "marker": MARKER},
            unsafe_allow_javascript=True)
    if session.kept(CHECKED):
        return
    session.keep(CHECKED, True)
    if came_back(st.query_params, st.context.cookies):
        st.toast(_(RESTARTED), icon=":material/restart_alt:", duration="long")
    if MARKER in st.query_params:  # its work is done; a link copied now should not carry it
        del st.query_params[MARKER]
