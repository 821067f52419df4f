"""File > Export: the scope is chosen and said, the counts are right, Ctrl+E works anywhere."""

import json

import pytest
from PySide6.QtCore import QEvent, QObject, Qt

from desktop_app.core.exporters.jsonl import export_jsonl
from desktop_app.core.model import ArticleDraft, Status
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path
from desktop_app.ui import export_scope


@pytest.fixture
def project(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles(
        [
            ArticleDraft("Energy prices rose in London.", "u1", title="One"),
            ArticleDraft("Energy talks in Paris.", "u2", title="Two"),
            ArticleDraft("A quiet day.", "u3", title="Three"),
        ]
    )
    one, two = store.article_id("u1"), store.article_id("u2")
    store.add_span(one, 0, 6, "Event", "ana")
    store.add_span(one, 22, 28, "Location", "ana")
    store.add_span(two, 16, 21, "Location", "bob")
    store.set_tag(one, "Energy", "ana", True)
    store.set_tag(two, "Energy", "bob", True)
    store.set_status(one, "ana", Status.DONE)
    yield store
    store.close()


def test_jsonl_export_counts_spans_and_tags(project, tmp_path):
    report = export_jsonl(project, tmp_path / "all.jsonl")
    assert (report.articles, report.spans, report.tags) == (3, 3, 2)
    lines = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert sum(len(r["spans"]) for r in lines) == report.spans
    assert sum(len(r["tags"]) for r in lines) == report.tags


def test_cli_export_prints_full_counts(project, tmp_path, capsys):
    from desktop_app.cli import main

    path = str(project.path)
    project.close()
    assert main(["export", "--db", path, "--format", "jsonl", "-o", str(tmp_path / "o.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "3 articles, 3 spans, 2 tags written" in out


@pytest.fixture
def window(project, show_window):
    return show_window(project, "ana")


def choose(monkeypatch, pick, seen):
    """Answer the scope dialog with the choice whose key is `pick`; keep what it offered."""

    def ask(parent, scopes):
        seen.extend(scopes)
        return next(s for s in scopes if s.key == pick)

    monkeypatch.setattr(export_scope, "ask_scope", ask)


@pytest.mark.parametrize(
    "pick, uids", [("filter", ["u1", "u2"]), ("all", ["u1", "u2", "u3"]), ("done", ["u1"])]
)
def test_export_scope_is_chosen(qtbot, window, tmp_path, monkeypatch, pick, uids):
    window.filter_bar.search.setText("energy")
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 2)
    seen = []
    choose(monkeypatch, pick, seen)
    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(
        window.exports.shell.dialogs,
        "save_file",
        lambda *a: (str(out), "Marginalia JSONL, everything (*.jsonl)"),
    )
    window.exports.export_dialog()
    qtbot.waitUntil(lambda: out.exists() and not window.exports.export_job.isRunning())
    written = [json.loads(line)["uid"] for line in out.read_text().splitlines()]
    assert sorted(written) == uids
    labels = [s.label for s in seen]
    assert any("energy" in lb and "2 articles" in lb for lb in labels)
    assert any("All articles" in lb and "3 articles" in lb for lb in labels)
    assert any("ana" in lb and "1 article" in lb for lb in labels)


def test_export_one_annotators_articles(qtbot, window, tmp_path, monkeypatch):
    seen = []
    choose(monkeypatch, "annotator:bob", seen)
    out = tmp_path / "bob.jsonl"
    window.exports.start_export(out, "jsonl", window.exports.ask_scope())
    qtbot.waitUntil(lambda: out.exists() and not window.exports.export_job.isRunning())
    assert [json.loads(line)["uid"] for line in out.read_text().splitlines()] == ["u2"]


class EndOfLineOnCtrlE(QObject):
    """What a line edit does on X11, where Ctrl+E is "end of line": it claims the key first
    (the offscreen platform binds no Ctrl+E, so the test brings that behaviour)."""

    def eventFilter(self, watched, event):
        ctrl = Qt.KeyboardModifier.ControlModifier
        if event.type() != QEvent.Type.ShortcutOverride or event.key() != Qt.Key.Key_E:
            return False
        if event.modifiers() & ctrl:
            event.accept()
            return True
        return False


@pytest.mark.parametrize("focus", ["search", "view"])
def test_ctrl_e_works_wherever_the_focus_is(qtbot, window, monkeypatch, focus):
    asked = []
    monkeypatch.setattr(window.exports, "export_dialog", lambda: asked.append(1))
    widget = window.filter_bar.search if focus == "search" else window.view
    claim = EndOfLineOnCtrlE(widget)
    widget.installEventFilter(claim)
    window.table.setFocus()  # then into the widget, as the analyst would
    qtbot.waitUntil(window.table.hasFocus)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    qtbot.keyClick(widget, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked == [1]
