"""The team server's status-bar indicator in words: what it says and its tooltip (no Qt)."""

from __future__ import annotations

from datetime import datetime

from desktop_app.core.store.sync_state import SyncSettings

# Words of libpq's and the server's messages that mean "not reachable", not "refused".
_OFFLINE = ("cannot connect", "cannot listen", "connection refused", "could not connect",
            "server closed the connection", "terminating connection", "timeout", "timed out",
            "no such file or directory", "could not translate host", "consuming input failed",
            "connection is lost", "the connection is closed")  # fmt: skip


def is_offline(message: str) -> bool:
    """Whether a sync error means the server could not be reached (else: it said no)."""
    lowered = message.lower()
    if "password" in lowered or "authentication" in lowered:
        return False
    return any(word in lowered for word in _OFFLINE)


def clock(iso: str) -> str:
    """An ISO time as the local HH:MM ("" for none)."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%H:%M")
    except ValueError:
        return ""


def indicator_text(state: SyncSettings, error: str, user: str, automatic: bool) -> tuple[str, str]:
    """(Synced 12:04 / N edits to push / Offline (12:04) / Sync error, its tooltip)."""
    last = clock(state.last_sync)
    edits = f"{state.pending} edit{'s' if state.pending != 1 else ''} to push"
    if error and is_offline(error):
        text = f"Offline ({last})" if last else "Offline"
    elif error:
        text = "Sync error"
    elif state.pending:
        text = edits
    elif last:
        text = f"Synced {last}"
    else:
        text = "Not synced yet"
    from desktop_app.core.sync.connection import display  # psycopg: only once a server is set

    tip = [f"Team server: {display(state.url)}"]
    if user:
        tip.append(f"You are {user}")
    tip.append(f"Last sync: {last or 'never'}; {edits if state.pending else 'nothing to push'}")
    if error:
        tip.append(error)
    tip.append("Automatic sync is " + ("on" if automatic else "off") + "; click to change")
    return text, "\n".join(tip)
