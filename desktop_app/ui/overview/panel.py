"""The overview panel: its charts in cards (each with PNG, SVG and CSV export), the scope and
matrix choices, and what a click on a bar or cell asks the list to show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.overview import BY_SOURCE, BY_TAG, STATUSES, Overview, published_buckets
from desktop_app.core.plural import counted
from desktop_app.ui.overview.charts import BarChart, MatrixChart, Series, _Chart

STATUS_COLORS = ("#c9ccd1", "#f2b33d", "#3a9a5b")  # todo, in progress, done
NEUTRAL = "#6c8ebf"
CARD_WIDTH = 380  # a card's narrowest comfortable width: the columns follow the panel's width


@dataclass(frozen=True)
class Pick:
    """What a click asks the list to show: ArticleFilter fields, and how to say it."""

    fields: dict[str, Any]
    text: str


class Card(QFrame):
    """A chart with its title and an export menu."""

    def __init__(self, key: str, title: str, chart: _Chart, export: Callable[[Card, str], None]):
        super().__init__()
        self.key, self.chart = key, chart
        self.setObjectName(f"card_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{title}</b>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.menu_button = QToolButton()
        self.menu_button.setText("Export ▾")
        self.menu_button.setObjectName(f"export_{key}")
        self.menu_button.setToolTip("Export this chart as PNG or SVG, or its figures as CSV")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.menu_button)
        for kind, text in (
            ("png", "Image (PNG)…"),
            ("svg", "Drawing (SVG)…"),
            ("csv", "Figures (CSV)…"),
        ):
            menu.addAction(text, partial(export, self, kind))
        self.menu_button.setMenu(menu)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.menu_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(head)
        layout.addWidget(chart, 1)
        self.setMinimumWidth(240)

    def set_title(self, title: str) -> None:
        """Say what the chart shows now."""
        self.title.setText(f"<b>{title}</b>")


class OverviewPanel(QWidget):
    """The charts of one Overview; `picked` says what a click on a bar or cell chose."""

    picked = Signal(object)  # a Pick
    choices_changed = Signal()  # the scope or the matrix's columns changed
    export_asked = Signal(object, str)  # (Card, "png" / "svg" / "csv")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scope = QComboBox()
        self.scope.setObjectName("overview_scope")
        self.scope.setAccessibleName("Overview of")
        self.scope.addItem("The list's articles", "filter")
        self.scope.addItem("The whole project", "project")
        self.scope.setToolTip("Count the articles the list shows now, or every article")
        self.matrix_by = QComboBox()
        self.matrix_by.setObjectName("overview_matrix_by")
        self.matrix_by.setAccessibleName("Matrix of labels by")
        self.matrix_by.addItem("Labels × sources", BY_SOURCE)
        self.matrix_by.addItem("Labels × tags", BY_TAG)
        for combo in (self.scope, self.matrix_by):
            combo.currentIndexChanged.connect(self.choices_changed)
        self.state = QLabel("")
        self.state.setObjectName("overview_state")
        self.state.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.scope)
        top.addWidget(self.matrix_by)
        top.addStretch(1)

        self.status_chart = BarChart("annotator")
        self.activity_chart = BarChart("day", horizontal=False)
        self.labels_chart = BarChart("span label")
        self.tags_chart = BarChart("document tag")
        self.sources_chart = BarChart("source")
        self.published_chart = BarChart("published", horizontal=False)
        self.matrix_chart = MatrixChart("span label")
        made = (
            ("status", "Progress per annotator", self.status_chart),
            ("activity", "Annotations per day", self.activity_chart),
            ("labels", "Spans per label", self.labels_chart),
            ("matrix", "Labels × sources", self.matrix_chart),
            ("tags", "Document tags per label", self.tags_chart),
            ("sources", "Articles per source", self.sources_chart),
            ("published", "Articles by publication date", self.published_chart),
        )
        self.cards = {key: Card(key, title, chart, self._export) for key, title, chart in made}
        for key, card in self.cards.items():
            card.chart.picked.connect(partial(self._picked, key))
        self._grid = QGridLayout()
        self._columns = 0
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(self._grid)
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(body)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addWidget(self.scroll_area, 1)
        self.overview: Overview | None = None
        self._buckets: list[tuple[str, str]] = []  # the published chart's (start, end)
        self._relayout(1)

    # ------------------------------------------------------------------ choices

    def whole_project(self) -> bool:
        """Whether the figures are of the whole project (else of the list's filter)."""
        return bool(self.scope.currentData() == "project")

    def matrix_columns(self) -> str:
        """What the matrix's columns are: BY_SOURCE or BY_TAG."""
        return str(self.matrix_by.currentData())

    # ------------------------------------------------------------------ layout

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Put the cards in as many columns as the width holds."""
        super().resizeEvent(event)
        self._relayout(max(1, min(3, self.width() // CARD_WIDTH)))

    def _relayout(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards.values():
            self._grid.removeWidget(card)
        for number, card in enumerate(self.cards.values()):
            self._grid.addWidget(card, number // columns, number % columns)

    # ------------------------------------------------------------------ figures

    def show_overview(
        self, overview: Overview, colors: dict[str, str], annotator_colors: dict[str, str]
    ) -> None:
        """Draw every chart from `overview`; `colors` are the labels' own colours."""
        self.overview = overview
        who = list(overview.annotators)
        self.status_chart.set_data(
            who,
            [
                Series(state, [overview.status[name][state] for name in who], [color])
                for state, color in zip(STATUSES, STATUS_COLORS, strict=True)
            ],
        )
        days = list(overview.activity_days)
        active = [name for name in who if overview.activity.get(name)]
        self.activity_chart.set_data(
            [day[5:] for day in days],
            [
                Series(
                    name,
                    [overview.activity[name].get(day, 0) for day in days],
                    [annotator_colors.get(name, NEUTRAL)],
                )
                for name in active
            ],
            every=7,
        )
        if days:
            self.cards["activity"].set_title(
                f"Annotations per day ({len(days) // 7} weeks to {days[-1]})"
            )
        self._named_bars(self.labels_chart, overview.span_labels, colors, "spans")
        self._named_bars(self.tags_chart, overview.tag_labels, colors, "tags")
        self._named_bars(self.sources_chart, overview.sources, {}, "articles")
        unit, buckets = published_buckets(overview.published)
        self._buckets = [(bucket.start, bucket.end) for bucket in buckets]
        self.published_chart.set_data(
            [bucket.name for bucket in buckets],
            [Series("articles", [bucket.count for bucket in buckets], [NEUTRAL])],
            every=max(1, (len(buckets) + 5) // 6),
        )
        undated = overview.published.get("", 0)
        self.cards["published"].set_title(
            f"Articles by publication {unit}"
            + (f" ({undated:,} without a date)" if undated else "")
        )
        self._matrix(overview, colors)
        if not overview.whole_project:
            scope = "the list's articles"
        elif self.whole_project():
            scope = "the whole project"
        else:
            scope = "the list shows every article"
        self.state.setText(f"{counted(overview.articles, 'article')} ({scope})")

    def _named_bars(
        self, chart: BarChart, counts: dict[str, int], colors: dict[str, str], what: str
    ) -> None:
        order = [name for name in colors if name in counts] if colors else []
        order += sorted((name for name in counts if name not in order), key=lambda n: -counts[n])
        chart.set_data(
            order,
            [
                Series(
                    what,
                    [counts[name] for name in order],
                    [colors.get(n, NEUTRAL) for n in order] or [NEUTRAL],
                )
            ],
        )

    def _matrix(self, overview: Overview, colors: dict[str, str]) -> None:
        rows = sorted(
            {row for row, _ in overview.matrix},
            key=lambda n: list(colors).index(n) if n in colors else len(colors),
        )
        columns = sorted({column for _, column in overview.matrix})
        index_r = {name: i for i, name in enumerate(rows)}
        index_c = {name: i for i, name in enumerate(columns)}
        column_name = "source" if overview.matrix_by == BY_SOURCE else "tag"
        self.matrix_chart.set_data(
            rows,
            columns,
            {(index_r[r], index_c[c]): n for (r, c), n in overview.matrix.items()},
            [colors.get(name, NEUTRAL) for name in rows],
            column_name,
            {(index_r[r], index_c[c]): n for (r, c), n in overview.matrix_articles.items()},
        )
        self.cards["matrix"].set_title(f"Labels × {column_name}s (spans)")

    # ------------------------------------------------------------------ clicks and exports

    def _picked(self, key: str, first: int, second: int) -> None:
        """Turn a click on a chart into the filter it stands for."""
        pick = self.pick_for(key, first, second)
        if pick is not None:
            self.picked.emit(pick)

    def pick_for(self, key: str, first: int, second: int) -> Pick | None:
        """The filter for a bar (category `first`, series `second`) or a matrix cell."""
        if key == "status":
            name, state = self.status_chart.categories[first], STATUSES[second]
            return Pick({"status": state, "status_annotator": name}, f"{state} for {name}")
        if key == "activity":
            name = self.activity_chart.series[second].name
            return Pick({"annotator": name}, f"annotated by {name}")
        if key in ("labels", "tags"):
            chart = self.labels_chart if key == "labels" else self.tags_chart
            name = chart.categories[first]
            return Pick({"label" if key == "labels" else "tag": name}, name)
        if key == "sources":
            source = self.sources_chart.categories[first]
            return Pick({"source": source}, f"from {source or '(no source)'}")
        if key == "published":
            start, end = self._buckets[first]
            name = self.published_chart.categories[first]
            return Pick({"published_from": start, "published_to": end}, f"published {name}")
        if key == "matrix":
            matrix = self.matrix_chart
            label, column = matrix.rows[first], matrix.columns[second]
            if matrix.column_name == "source":
                return Pick(
                    {"label": label, "source": column}, f"{label} in {column or '(no source)'}"
                )
            return Pick({"label": label, "tag": column}, f"{label} in articles tagged {column}")
        return None

    def _export(self, card: Card, kind: str) -> None:
        self.export_asked.emit(card, kind)
