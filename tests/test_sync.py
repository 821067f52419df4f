"""The sync client against a real team server: push, pull, conflicts, refusals, safety."""

import pytest
from sync_helpers import article, live_annotations, project, server_rows

from desktop_app.core.sync.client import sync


@pytest.fixture
def ana(tmp_path):
    store = project(tmp_path / "ana.sqlite", ["a1", "a2"])
    yield store
    store.close()


@pytest.fixture
def bob(tmp_path):
    store = project(tmp_path / "bob.sqlite")
    yield store
    store.close()


def test_a_span_pushed_by_one_is_pulled_by_another(pg_team, ana, bob):
    span = ana.add_span(article(ana, "a1"), 0, 4, "Person", "ana", note="first")
    report = sync(ana, pg_team.url("ana"))
    assert report.pushed >= 3  # two articles, one span (and labels refused: not an adjudicator)
    assert report.full_sync
    assert ana.sync_settings().pending == 0
    pulled = sync(bob, pg_team.url("bob"))
    assert pulled.pulled >= 3
    got = bob.span(span.uuid)
    assert (got.annotator, got.label, got.quote, got.note) == ("ana", "Person", "Nino", "first")
    # An edit travels back as an update, and a second sync with nothing new does nothing.
    ana.update_span(span.uuid, note="second")
    assert ana.sync_settings().pending == 1
    assert sync(ana, password=pg_team.password("ana")).pushed == 1  # the URL remembered
    assert sync(bob, pg_team.url("bob")).pulled == 1
    assert bob.span(span.uuid).note == "second"
    again = sync(bob, pg_team.url("bob"))
    assert (again.pulled, again.pushed, again.conflicts, again.refused) == (0, 0, [], [])
    assert live_annotations(ana.sync_checksum()) == live_annotations(server_rows(pg_team))
    assert live_annotations(bob.sync_checksum()) == live_annotations(server_rows(pg_team))
