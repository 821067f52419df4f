"""The overview (View > Overview, F9): the project's or the list's figures as charts, counted
on a thread from a reader of the project file, refreshed after edits, imports and filters."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from desktop_app.core.model import ArticleFilter
from desktop_app.core.overview import Overview, write_csv
from desktop_app.core.store import Store, StoreError
from desktop_app.ui.background import BackgroundJob
from desktop_app.ui.context import ProjectContext
from desktop_app.ui.controller import Controller
from desktop_app.ui.overview.export import save_png, save_svg
from desktop_app.ui.shell import Shell

if TYPE_CHECKING:
    from desktop_app.ui.overview.panel import Card, OverviewPanel, Pick

REFRESH_DELAY_MS = 400  # edits in a burst (typing a search, a run of labels) count once
OVERVIEW_KEY = "F9"
_FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "csv": "CSV table (*.csv)"}


class OverviewController(Controller):
    """The Overview dock: counts on a thread, never more than one at a time; a result that
    a newer request has overtaken is dropped. Clicking a bar or cell narrows the list."""

    def __init__(self, context: ProjectContext, shell: Shell) -> None:
        super().__init__(context, shell)
        self._panel: OverviewPanel | None = None  # built when first needed: see panel
        self.dock = QDockWidget("Overview", shell.window)
        self.dock.setObjectName("overview")
        shell.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self._placed = False  # put beside the list the first time it is shown
        self.action = self._action("&View", "&Overview", self.toggle, OVERVIEW_KEY, False)
        self.action.setCheckable(True)
        self.dock.visibilityChanged.connect(self._visibility)
        self.job: BackgroundJob | None = None
        self.reader: Store | None = None
        self.overview: Overview | None = None
        self._asked = 0  # requests made; a result answers the one it was started for
        self._started_for = 0
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh_now)
        self.last_seconds = 0.0  # how long the last count took (shown, and for tests)
        for signal in (context.annotations_changed, context.labels_changed):
            signal.connect(self.refresh)
        context.filter_changed.connect(lambda _flt: self._filter_changed())
        context.project_opened.connect(self._opened)
        context.project_closing.connect(self._closing)
        shell.table_model.modelReset.connect(self.refresh)  # imports, merges, restores

    @property
    def panel(self) -> OverviewPanel:
        """The charts, built the first time they are needed: pyqtgraph and seven plots cost
        the window's launch about 150 ms, for a dock most sessions never open."""
        if self._panel is None:
            from desktop_app.ui.overview.panel import OverviewPanel

            panel = OverviewPanel()
            self.dock.setWidget(panel)
            panel.choices_changed.connect(self.refresh_now)
            panel.picked.connect(self.pick)
            panel.export_asked.connect(self.export_dialog)
            self._panel = panel
        return self._panel

    # ------------------------------------------------------------------ showing

    def toggle(self) -> None:
        """Show the overview (beside the list, which its clicks filter) or hide it."""
        if self.dock.isVisible():
            self.dock.hide()
            return
        window = self.shell.window
        if not self._placed:
            # First shown: over the labels (a tab away), beside the list its clicks filter,
            # wide enough for its charts.
            self._placed = True
            if window.dockWidgetArea(self.dock) == window.dockWidgetArea(self.shell.labels_dock):
                window.tabifyDockWidget(self.shell.labels_dock, self.dock)
        self.dock.show()
        self.dock.raise_()
        width = max(420, int(window.width() * 0.5))
        window.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)
        height = int(window.height() * 0.75)
        window.resizeDocks(
            [self.dock, self.shell.annotations_dock],
            [height, max(120, window.height() - height)],
            Qt.Orientation.Vertical,
        )
        self.refresh_now()

    def _visibility(self, visible: bool) -> None:
        self.action.setChecked(visible)
        if visible:
            self.panel  # noqa: B018 (built now, so the dock never shows empty)
            self.refresh()  # what changed while it was hidden was not counted

    # ------------------------------------------------------------------ counting

    def _opened(self) -> None:
        self.overview = None
        try:
            self.reader = self.store.reader()
        except StoreError:
            self.reader = self.store  # no second connection (read-only media): take turns
        self.refresh()

    def _closing(self) -> None:
        self._timer.stop()
        if self.job is not None:
            self.job.wait()
        if self.reader is not None and self.reader is not self.store:
            self.reader.close()
        self.reader = None

    def _filter_changed(self) -> None:
        if self._panel is None or not self._panel.whole_project():
            self.refresh()

    def refresh(self) -> None:
        """Count again soon (a burst of changes counts once); only while it is shown."""
        self._asked += 1
        if self.dock.isVisible():
            self._timer.start()

    def refresh_now(self) -> None:
        """Count now on a thread (or as soon as the running count ends)."""
        self._timer.stop()
        if self.reader is None or not self.dock.isVisible():
            return
        self._asked += 1
        if self.job is not None and self.job.isRunning():
            return  # _done starts the next one: the result in flight is already stale
        self._start()

    def current_filter(self) -> ArticleFilter | None:
        """What the figures count: the list's filter, or None for the whole project."""
        if self.panel.whole_project():
            return None
        return self.shell.table_model.article_filter

    def _start(self) -> None:
        assert self.reader is not None
        reader, flt, by = self.reader, self.current_filter(), self.panel.matrix_columns()
        self._started_for = self._asked
        self.panel.state.setText("Counting…")
        started = time.perf_counter()

        def work() -> tuple[Overview, float]:
            return reader.overview(flt, by), time.perf_counter() - started

        job = BackgroundJob("overview", work)
        job.done.connect(partial(self._done, job))
        self.job = job
        job.start()

    def _done(self, job: BackgroundJob, result: object) -> None:
        job.wait()
        if job is not self.job:
            return
        self.job = None
        if self._started_for != self._asked:
            if self.reader is not None and self.dock.isVisible():
                self._start()  # asked again meanwhile: this result is stale
            return
        if isinstance(result, Exception):
            self.panel.state.setText(f"Not counted: {result}")
            return
        counted, self.last_seconds = cast(tuple[Overview, float], result)
        self.overview = counted
        colors = {name: label.color for name, label in self.context.labels.items()}
        try:
            people = self.store.annotator_colors() if self.context.is_open else {}
        except StoreError:
            people = {}
        self.panel.show_overview(counted, colors, people)
        self.panel.state.setText(
            f"{self.panel.state.text()} · counted in {self.last_seconds * 1000:,.0f} ms"
        )

    # ------------------------------------------------------------------ clicks

    def pick(self, pick: Pick) -> None:
        """Show the articles a bar or cell stands for in the list; the filter bar says so
        (its chip takes the list back). Figures of the list's filter narrow it further."""
        self.shell.list_dock.show()
        self.shell.filter_bar.set_overlay(pick.fields, pick.text, not self.panel.whole_project())

    # ------------------------------------------------------------------ exports

    def export_dialog(self, card: Card, kind: str) -> None:
        """Ask where to export a chart (PNG, SVG) or its figures (CSV), and write it."""
        path, _ = self.shell.dialogs.save_file(
            self.shell.window, "Export chart", f"overview-{card.key}.{kind}", _FILTERS[kind]
        )
        if path:
            self.export_to(card, kind, Path(path))

    def export_to(self, card: Card, kind: str, path: Path) -> None:
        """Write a chart as PNG or SVG, or its table as CSV, to `path`."""
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(f"{path.name}.{kind}")
        try:
            if kind == "png":
                save_png(card.chart, path)
            elif kind == "svg":
                save_svg(card.chart, path, card.title.text().replace("<b>", "").replace("</b>", ""))
            else:
                header, rows = card.chart.table()
                write_csv(path, header, rows)
        except OSError as error:
            self._warn(f"Not exported: {error}")
            return
        self.shell.say(f"Exported {path}", 6000)
