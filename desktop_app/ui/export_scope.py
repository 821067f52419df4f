"""File > Export's scope: the list as filtered, all articles, done ones, one annotator's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.model import ArticleFilter, Status
from desktop_app.core.store import Store


@dataclass(frozen=True)
class Scope:
    """Which articles an export writes, said in words with their count."""

    key: str  # "filter", "all", "done" or "annotator:NAME"
    label: str
    flt: ArticleFilter
    count: int


def _articles(count: int) -> str:
    return f"{count:,} article" + ("" if count == 1 else "s")


def _describe(flt: ArticleFilter) -> str:
    """The list's search and filters in a few words ("" when it shows everything)."""
    parts = [f"“{flt.search}”"] if flt.search.strip() else []
    for name, value in (("tag", flt.tag), ("label", flt.label), ("annotator", flt.annotator),
                        ("status", flt.status), ("source", flt.source),
                        ("from", flt.published_from), ("before", flt.published_to)):  # fmt: skip
        if value:
            parts.append(f"{name} {value}")
    return ", ".join(parts)


def export_scopes(store: Store, current: ArticleFilter, annotator: str) -> list[Scope]:
    """The scopes an export can have, each with its article count; the list's order is kept."""
    ordering = {"sort": current.sort, "descending": current.descending}
    everything = ArticleFilter(**ordering)  # type: ignore[arg-type]
    described = _describe(current)
    what = f"The list as filtered now ({described})" if described else "The list as shown"
    done = replace(everything, status=Status.DONE, status_annotator=annotator)
    chosen = [
        ("filter", what, replace(current)),
        ("all", "All articles", everything),
        ("done", f"Done by {annotator}", done),
    ]
    chosen += [
        (f"annotator:{name}", f"Annotated by {name}", replace(everything, annotator=name))
        for name in store.annotators()
    ]
    scopes = []
    for key, label, flt in chosen:
        count = store.count_articles(flt)
        scopes.append(Scope(key, f"{label}: {_articles(count)}", flt, count))
    return scopes


def ask_scope(parent: QWidget | None, scopes: Sequence[Scope]) -> Scope | None:
    """Ask which articles to export (a dialog built here); None when cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Export: which articles?")
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel("Export these articles, with everyone's annotations on them:"))
    group = QButtonGroup(dialog)
    buttons: dict[QRadioButton, Scope] = {}
    people = [scope for scope in scopes if scope.key.startswith("annotator:")]
    for scope in scopes:
        if scope in people:
            continue
        button = QRadioButton(scope.label)
        button.setAccessibleName(scope.label)
        group.addButton(button)
        layout.addWidget(button)
        buttons[button] = scope
    combo = QComboBox()
    combo.setAccessibleName("Annotator")
    for scope in people:
        combo.addItem(scope.label, scope.key)
    by_person = QRadioButton("One annotator's articles:")
    if people:
        group.addButton(by_person)
        layout.addWidget(by_person)
        layout.addWidget(combo)
        combo.activated.connect(lambda _=0: by_person.setChecked(True))
    next(iter(buttons)).setChecked(True)
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    box.button(QDialogButtonBox.StandardButton.Ok).setText("Choose file…")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    layout.addWidget(box)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    if by_person.isChecked() and people:
        return people[combo.currentIndex()]
    return next(scope for button, scope in buttons.items() if button.isChecked())
