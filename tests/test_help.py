"""Help (issue 13 item 3): the shortcuts sheet from the window's own actions (printable, saved
as HTML and PDF), the user guide offline, and the About box."""

import platform
import re
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QAction, QKeySequence, QTextDocument
from PySide6.QtWidgets import QFileDialog

from desktop_app import paths
from desktop_app.core.migrations import latest_version
from desktop_app.core.model import ArticleDraft
from desktop_app.core.project import open_project
from desktop_app.paths import default_schema_path
from desktop_app.ui.help_dialogs import app_version
from desktop_app.ui.shortcut_sheet import collect_shortcuts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path):
    store, _ = open_project(tmp_path / "p.sqlite", default_schema_path())
    store.add_articles([ArticleDraft("Plain article about energy.", "u1", title="One")])
    yield store
    store.close()


@pytest.fixture
def window(project, show_window):
    return show_window(project, "ana")


def _native(sequence):
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def test_the_sheet_lists_every_action_with_a_shortcut(qtbot, window):
    window.help.open_shortcuts()
    sheet = window.help.sheet
    listed = {(text, keys) for rows in sheet.groups.values() for text, keys in rows}
    listed_keys = {k for _, keys in listed for k in keys.split(" or ")}
    actions = [a for a in window.findChildren(QAction) if any(s.toString() for s in a.shortcuts())]
    assert len(actions) > 30
    for action in actions:
        for sequence in action.shortcuts():
            assert _native(sequence) in listed_keys, action.text()
    plain = sheet.browser.toPlainText()
    for needle in ("Ctrl+Z", "F6", "Ctrl+Shift+T", "Label Person", "Ctrl+1", "F8"):
        assert needle in plain
    assert list(sheet.groups)[:2] == ["File", "Edit"]  # grouped by menu, in menu order
    assert ("Undo", "Ctrl+Z") in sheet.groups["Edit"]
    sheet.close()


def test_the_sheet_lists_the_review_lists_own_letters(qtbot, window):
    from desktop_app.ui.review_panel import _KEYS, _ReviewTable

    assert {keys for keys, _ in _ReviewTable.key_help} == set(_KEYS.values())
    window.help.open_shortcuts()
    rows = window.help.sheet.groups["Review (while its list has the focus)"]
    assert ("Accept A's version", "A") in rows and len(rows) == len(_KEYS)
    window.help.sheet.close()


def test_the_sheet_follows_the_window_it_is_opened_on(qtbot, window):
    extra = QAction("Frobnicate the widgets", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+K"))
    window.addAction(extra)
    window.help.open_shortcuts()
    assert ("Frobnicate the widgets", "Ctrl+Alt+K") in window.help.sheet.groups["Other keys"]
    window.help.sheet.close()


def test_the_sheet_is_saved_as_html_and_pdf(qtbot, window, tmp_path, monkeypatch):
    window.help.open_shortcuts()
    sheet = window.help.sheet
    for kind in ("html", "pdf"):
        target = tmp_path / f"keys.{kind}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, t=target, **k: (str(t), ""))
        assert sheet.save_as(kind) == target
    page = (tmp_path / "keys.html").read_text(encoding="utf-8")
    assert "<h2>Edit</h2>" in page and "Ctrl+Z" in page and "Undo" in page
    pdf = (tmp_path / "keys.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in pdf and len(pdf) > 2000
    sheet.close()


def test_collect_shortcuts_never_lists_an_action_twice(window):
    groups = collect_shortcuts(window)
    rows = [row for rows in groups.values() for row in rows]
    assert len(rows) == len(set(rows))


def test_the_user_guide_renders_the_readme_offline(qtbot, window):
    window.help.open_guide()
    guide = window.help.guide
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", readme, flags=re.MULTILINE)
    assert guide.headings() == headings
    assert "Data safety" in guide.browser.toPlainText()
    guide.sections.setCurrentRow(len(headings) - 1)
    assert guide.browser.textCursor().block().text() == headings[-1]
    image = guide.browser.loadResource(
        QTextDocument.ResourceType.ImageResource.value, QUrl("resources/screenshot.png")
    )
    assert not image.isNull() and image.width() <= 820
    rendered = guide.browser.document().resource(
        QTextDocument.ResourceType.ImageResource.value, QUrl("resources/screenshot.png")
    )
    assert rendered is not None and not rendered.isNull()  # the page really shows it
    guide.close()


def test_the_guide_and_its_images_are_found_installed_or_not(tmp_path, monkeypatch):
    assert paths.guide_path().is_file()
    assert paths.guide_resource("resources/screenshot.png") == (
        paths.resources_dir() / "screenshot.png"
    )
    assert paths.guide_resource("https://example.org/x.png") is None
    # The wheel ships the README inside the package's resources (pyproject's force-include).
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"README.md" = "desktop_app/resources/README.md"' in pyproject
    installed = tmp_path / "desktop_app"
    (installed / "resources").mkdir(parents=True)
    (installed / "resources" / "README.md").write_text("## Guide\n", encoding="utf-8")
    (installed / "resources" / "labels.yaml").write_text("", encoding="utf-8")
    (installed / "resources" / "screenshot.png").write_bytes(b"\x89PNG")
    monkeypatch.setattr(paths, "__file__", str(installed / "paths.py"))
    assert paths.guide_path() == installed / "resources" / "README.md"
    assert paths.guide_resource("resources/screenshot.png") == (
        installed / "resources" / "screenshot.png"
    )


def test_about_names_versions_licence_and_the_project(qtbot, window):
    window.help.open_about()
    about = window.help.about
    facts = about.facts
    assert facts["Version"] == app_version()
    assert facts["Licence"].startswith("MIT")
    assert facts["Qt"] == qVersion()
    assert facts["PySide6"] == PySide6.__version__
    assert facts["Python"] == platform.python_version()
    assert re.fullmatch(r"3\.\d+\.\d+", facts["SQLite"])
    assert facts["Project"] == str(window.store.path)
    assert facts["Schema version"] == str(latest_version())
    text = about.text.text()
    for value in facts.values():
        assert value.replace("&", "&amp;") in text or value in text
    about.close()


def test_about_without_a_project(qtbot, window):
    window.close_project()
    window.help.open_about()
    assert window.help.about.facts["Project"] == "none open"
    window.help.about.close()
