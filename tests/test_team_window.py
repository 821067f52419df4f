"""The team server in the window: the dialog, the indicator, automatic sync, live updates."""

import time

import pytest
from sync_helpers import article, project, server_rows

from desktop_app.core.sync.client import sync
from desktop_app.ui.team_indicator import clock, is_offline
from desktop_app.ui.team_live import LiveUpdates


@pytest.fixture
def ana_store(tmp_path):
    store = project(tmp_path / "ana.sqlite", ["a1", "a2"])
    yield store
    store.close()


@pytest.fixture
def bob(tmp_path):
    store = project(tmp_path / "bob.sqlite")
    yield store
    store.close()


def address(team, name):
    """The analyst's URL without the password (what the dialog's address field holds)."""
    return team.server.url(team.database, name)


def open_dialog(window, team, name="ana", password=None):
    window.team.open_dialog()
    dialog = window.team.dialog
    dialog.address.setText(address(team, name))
    dialog.user.setText(name)
    dialog.password.setText(team.password(name) if password is None else password)
    return dialog


def label_text(window, start, end, name="Person"):
    cursor = window.view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    window.editing.apply_label(name)


def synced_in_window(qtbot, window, team):
    """Sync the window's project through the dialog (the password typed there)."""
    dialog = open_dialog(window, team)
    dialog.sync_button.click()
    qtbot.waitUntil(lambda: window.team.indicator.text().startswith("Synced"), timeout=10000)
    dialog.close()


def test_test_connection_says_who_you_are_and_never_shows_the_password(
    qtbot, show_window, pg_team, ana_store
):
    window = show_window(ana_store)
    assert not window.team.indicator.isVisible()  # no team server yet
    dialog = open_dialog(window, pg_team)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.outcome.text().startswith("Connected"), timeout=10000)
    assert "as ana" in dialog.outcome.text() and "not an adjudicator" in dialog.outcome.text()
    dialog.address.setText(address(pg_team, "adam"))
    dialog.user.setText("adam")
    dialog.password.setText(pg_team.password("adam"))
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "as adam" in dialog.outcome.text(), timeout=10000)
    assert "an adjudicator" in dialog.outcome.text()
    wrong = "Wr0ng-s3cret-%&"
    dialog.password.setText(wrong)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.outcome.text().startswith("Not connected"), timeout=10000)
    shown = dialog.outcome.text()
    assert "password" in shown.lower() and wrong not in shown and "adam-pass" not in shown
    assert window.store.sync_settings().url == ""  # a test remembers nothing


def test_sync_now_pushes_a_span_and_the_indicator_says_synced(
    qtbot, show_window, pg_team, ana_store, tmp_path
):
    window = show_window(ana_store)
    window._select_row(0)
    label_text(window, 0, 4)
    synced_in_window(qtbot, window, pg_team)
    spans = server_rows(pg_team)["spans"]
    assert [(s[1], s[3], s[6]) for s in spans] == [("ana", "Person", window.article.text[:4])]
    assert window.store.sync_settings().pending == 0
    indicator = window.team.indicator
    assert (
        indicator.isVisible()
        and indicator.text() == f"Synced {clock(window.store.sync_settings().last_sync)}"
    )
    assert "You are ana" in indicator.toolTip()
    # Neither the project nor the settings keep the password; the address is remembered.
    assert window.store.sync_settings().url == address(pg_team, "ana")
    window.store.db.conn.execute("PRAGMA wal_checkpoint(FULL)")
    secret = pg_team.password("ana").encode()
    for path in (tmp_path / "ana.sqlite", tmp_path / "settings.ini"):
        assert secret not in path.read_bytes()
    # Clicking the indicator opens the dialog, filled in.
    window.team.dialog = None
    indicator.click()
    assert window.team.dialog.isVisible() and window.team.dialog.user.text() == "ana"


def test_a_colleagues_edit_appears_in_the_open_window_through_listen_notify(
    qtbot, show_window, pg_team, ana_store, bob
):
    window = show_window(ana_store)
    window.everyone_action.setChecked(True)
    window.toggle_everyone()
    window._select_row(0)
    reading = window.article
    window.view.select_range(5, 8)  # the analyst's selection must survive the refresh
    synced_in_window(qtbot, window, pg_team)
    qtbot.waitUntil(lambda: window.team.live is not None and window.team.live.isRunning())
    sync(bob, pg_team.url("bob"))  # bob gets the articles
    time.sleep(0.5)  # the window's pull after bob's (article-less) push has settled
    span = bob.add_span(article(bob, reading.uid), 0, 4, "Person", "bob", note="from bob")
    sync(bob, pg_team.url("bob"))
    pushed = time.monotonic()
    qtbot.waitUntil(lambda: span.uuid in window.view._spans, timeout=2000)  # within 2 s
    latency = time.monotonic() - pushed
    print(f"colleague's edit in the open window after {latency * 1000:.0f} ms")
    assert window.article.id == reading.id  # the same article, still selected in the list
    assert window.table.currentIndex().row() == window.table_model.row_of(reading.id)
    assert window.view.selected_range() == (5, 8)
    assert any(s.uuid == span.uuid for s in window.annotation_list.model()._spans)


def test_offline_edits_save_locally_and_the_indicator_says_offline(
    qtbot, show_window, pg_team, ana_store
):
    from pg_server import _free_port

    port = pg_team.server.port
    ana_store.set_sync_url(address(pg_team, "ana").replace(f":{port}/", f":{_free_port()}/"))
    window = show_window(ana_store)
    window.team.sync_now()
    qtbot.waitUntil(lambda: window.team.indicator.text().startswith("Offline"), timeout=10000)
    window._select_row(0)
    label_text(window, 0, 4)
    assert len(window.store.spans(window.article.id, "ana")) == 1  # saved here
    assert window.store.sync_settings().pending >= 1
    assert window.team.indicator.text().startswith("Offline")
    assert "to push" in window.team.indicator.toolTip()
    assert "cannot" in window.team.indicator.toolTip()  # the reason (connect or listen)


def test_an_edit_is_synced_by_itself_soon_after(qtbot, show_window, pg_team, ana_store):
    window = show_window(ana_store)
    window._select_row(0)
    synced_in_window(qtbot, window, pg_team)
    assert window.team.periodic.isActive()  # and every minute
    label_text(window, 0, 4)
    pending = window.store.sync_settings().pending  # the span and the article's status
    assert window.team.indicator.text() == f"{pending} edit{'s' if pending > 1 else ''} to push"
    qtbot.waitUntil(lambda: window.store.sync_settings().pending == 0, timeout=8000)
    qtbot.waitUntil(lambda: window.team.indicator.text().startswith("Synced"), timeout=5000)
    assert len([s for s in server_rows(pg_team)["spans"] if not s[-1]]) == 1
    # Automatic sync off: the edit waits, and the listener stops.
    window.team.set_automatic(False)
    assert window.team.live is None and not window.team.periodic.isActive()
    label_text(window, 10, 14)
    qtbot.wait(2500)
    assert window.store.sync_settings().pending == 1
    pending = window.store.sync_settings().pending  # the span and the article's status
    assert window.team.indicator.text() == f"{pending} edit{'s' if pending > 1 else ''} to push"


def test_closing_the_window_stops_the_threads(qtbot, show_window, pg_team, ana_store):
    window = show_window(ana_store)
    synced_in_window(qtbot, window, pg_team)
    live = window.team.live
    assert isinstance(live, LiveUpdates) and live.isRunning()
    window.team.sync_now()
    window.close()
    assert live.isFinished() and window.team.live is None
    assert window.team.job is None or window.team.job.isFinished()
    assert not window.team.periodic.isActive()


def test_which_errors_mean_offline():
    assert is_offline("postgresql://ana@h:5/t: cannot connect: connection refused")
    assert not is_offline("postgresql://ana@h/t: cannot connect: password authentication failed")
    assert not is_offline("postgresql://ana@h/t: not a Marginalia team server")


def test_the_dialogs_address_and_user_make_one_url_without_a_password():
    from desktop_app.core.sync.live import join_url, split_url

    assert split_url("postgresql://ana:s3cret@db.example.org/team") == (
        "postgresql://ana@db.example.org/team",
        "ana",
    )
    assert join_url("postgresql://ana@db/team", "ana") == "postgresql://ana@db/team"
    joined = join_url("postgresql://db.example.org:5433/team", "o'brien")
    assert split_url(joined)[1] == "o'brien" and "5433" in joined and "password" not in joined
    assert join_url(" postgresql://x:pw@db/team ", "") == "postgresql://x@db/team"
    assert split_url("") == ("", "")


@pytest.fixture
def silent_server():
    """A TCP port that takes connections and never answers (a server that hangs): libpq waits
    for its reply until the connect timeout (10 s)."""
    import socket

    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    listening.listen(16)  # the kernel completes the handshakes; nothing is ever accepted
    yield f"postgresql://ana@127.0.0.1:{listening.getsockname()[1]}/team"
    listening.close()


def test_closing_the_window_while_the_server_hangs_is_prompt_and_loses_nothing(
    qtbot, show_window, ana_store, silent_server
):
    ana_store.set_sync_url(silent_server)
    window = show_window(ana_store)
    window._select_row(0)
    label_text(window, 0, 4)  # committed here, waiting to be pushed
    window.team.sync_now()
    job, live = window.team.job, window.team.live
    assert job is not None and job.isRunning()  # connecting, and the listener too
    assert live is not None and live.isRunning()
    qtbot.wait(300)  # both are inside the connection attempt
    started = time.monotonic()
    window.close()
    closed = time.monotonic() - started
    print(f"closed in {closed * 1000:.0f} ms while the server did not answer")
    assert closed < 3, f"closing took {closed:.1f} s"  # a guard against a hang (it was 10 s)
    assert job.isFinished() and live.isFinished()  # nothing runs on the store any more
    assert len(ana_store.spans(window.article.id, "ana")) == 1
    assert ana_store.sync_settings().pending >= 1  # still to push, next time
