"""Bar charts and a matrix drawn with pyqtgraph: hover shows a count, a click picks a bar or
cell (the same slot takes a click on the scene and a test's call)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QWheelEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.core.plural import counted
from desktop_app.ui.colors import text_color_for

BAR = 0.72  # a bar's thickness, in category units
ROW_PX = 24  # height of one horizontal bar's row, in pixels
Hit = tuple[int, int]  # (category or row, series or column)


@dataclass(frozen=True)
class Series:
    """One set of bars: its name, a count per category, and one colour or one per category."""

    name: str
    values: Sequence[int]
    colors: Sequence[str]


class _Plot(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph has no type hints
    """A plot that neither zooms nor pans: the wheel scrolls the panel around it."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Leave the wheel to the scroll area the chart sits in."""
        event.ignore()


def _plot() -> pg.PlotWidget:
    plot = _Plot(background="w")
    item = plot.getPlotItem()
    item.hideButtons()
    item.setMenuEnabled(False)
    item.setMouseEnabled(x=False, y=False)
    item.showGrid(x=False, y=False)
    for name in ("left", "bottom", "top"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen("#888"))
        axis.setTextPen(pg.mkPen("#222"))
    return plot


class _Chart(QWidget):
    """A pyqtgraph plot whose scene clicks and hovers are turned into hits."""

    picked = Signal(int, int)  # what was clicked: (category or row, series or column)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.plot.scene().sigMouseClicked.connect(self._scene_clicked)
        self.plot.scene().sigMouseMoved.connect(self._scene_moved)

    def _to_view(self, scene_pos: QPointF) -> QPointF | None:
        box = self.plot.getPlotItem().getViewBox()
        if not box.sceneBoundingRect().contains(scene_pos):
            return None
        return QPointF(box.mapSceneToView(scene_pos))

    def _scene_clicked(self, event: object) -> None:
        """A click on the plot: pick what is under it (pyqtgraph's MouseClickEvent)."""
        point = self._to_view(event.scenePos())  # type: ignore[attr-defined]
        if point is not None:
            self.pick_at(point.x(), point.y())

    def _scene_moved(self, scene_pos: QPointF) -> None:
        point = self._to_view(scene_pos)
        hit = None if point is None else self.hit_at(point.x(), point.y())
        self.plot.setToolTip("" if hit is None else self.describe(hit))

    def pick_at(self, x: float, y: float) -> Hit | None:
        """Pick the bar or cell at view coordinates (x, y), if any: `picked` says which."""
        hit = self.hit_at(x, y)
        if hit is not None:
            self.picked.emit(*hit)
        return hit

    def scene_pos_of(self, hit: Hit) -> QPointF:
        """Where a bar or cell is drawn, in scene coordinates (for tests and the keyboard)."""
        box = self.plot.getPlotItem().getViewBox()
        return QPointF(box.mapViewToScene(self.center_of(hit)))

    def hit_at(self, x: float, y: float) -> Hit | None:  # pragma: no cover - overridden
        """The bar or cell at view coordinates (x, y)."""
        raise NotImplementedError

    def center_of(self, hit: Hit) -> QPointF:  # pragma: no cover - overridden
        """The middle of a bar or cell, in view coordinates."""
        raise NotImplementedError

    def describe(self, hit: Hit) -> str:  # pragma: no cover - overridden
        """The tooltip of a bar or cell."""
        raise NotImplementedError

    def table(self) -> tuple[list[str], list[list[object]]]:  # pragma: no cover - overridden
        """The figures behind the chart: a header and rows."""
        raise NotImplementedError


class BarChart(_Chart):
    """Bars per category, several series stacked; horizontal (categories down the side, for
    names) or vertical (categories along the bottom, for time)."""

    def __init__(self, category: str, horizontal: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.category = category  # what a category is, the CSV's first column
        self.horizontal = horizontal
        self.categories: list[str] = []
        self.series: list[Series] = []
        self._items: list[pg.BarGraphItem] = []
        self._legend: pg.LegendItem | None = None

    def set_data(self, categories: Sequence[str], series: Sequence[Series], every: int = 1) -> None:
        """Show these bars (each series' values in category order); label every `every`th
        category on the axis."""
        item = self.plot.getPlotItem()
        for old in self._items:
            item.removeItem(old)
        self._items = []
        if self._legend is not None:
            item.layout.removeItem(self._legend)
            if self._legend.scene() is not None:
                self._legend.scene().removeItem(self._legend)
            self._legend = None
        self.categories, self.series = list(categories), list(series)
        if len(series) > 1:
            # Below the plot, in one row: inside the plot it would cover the longest bars.
            self._legend = pg.LegendItem(colCount=len(series), labelTextColor="#222")
            item.layout.addItem(self._legend, 4, 1)
        base = [0] * len(categories)
        positions = list(range(len(categories)))
        for one in series:
            colors = list(one.colors) if len(one.colors) > 1 else list(one.colors) * len(positions)
            brushes = [pg.mkBrush(color) for color in colors]
            spec = {
                "brushes": brushes,
                "brush": brushes[0] if brushes else None,  # the legend's swatch
                "pen": pg.mkPen("#ffffff", width=0.5),
                "name": one.name,
            }
            if self.horizontal:
                bars = pg.BarGraphItem(
                    x0=base, y=positions, height=BAR, width=list(one.values), **spec
                )
            else:
                bars = pg.BarGraphItem(
                    x=positions, y0=base, width=BAR, height=list(one.values), **spec
                )
            item.addItem(bars)
            self._items.append(bars)
            if self._legend is not None:
                self._legend.addItem(bars, one.name)
            base = [b + v for b, v in zip(base, one.values, strict=True)]
        ticks = [(i, name or "(none)") for i, name in enumerate(categories) if i % every == 0]
        top = max(base, default=0) or 1
        counts = item.getAxis("bottom" if self.horizontal else "left")
        # Counts are whole: below ten, a tick per unit (pyqtgraph would add 0.5, 0.2...).
        counts.setTickSpacing(*((1, 1) if top <= 10 else (None, None)))
        if self.horizontal:
            _name_axis(item.getAxis("left"), ticks)
            item.invertY(True)
            item.setYRange(-0.6, max(len(categories), 1) - 0.4, padding=0)
            item.setXRange(0, top * 1.08, padding=0)
            self.setMinimumHeight(70 + ROW_PX * max(len(categories), 2))
        else:
            item.getAxis("bottom").setTicks([ticks])
            item.setXRange(-0.6, max(len(categories), 1) - 0.4, padding=0)
            item.setYRange(0, top * 1.1, padding=0)
            self.setMinimumHeight(200)

    def hit_at(self, x: float, y: float) -> Hit | None:
        """The (category, series) of the bar at view coordinates (x, y)."""
        along, value = (y, x) if self.horizontal else (x, y)
        index = round(along)
        if (
            not self.categories
            or abs(along - index) > BAR / 2
            or not 0 <= index < len(self.categories)
        ):
            return None
        low = 0.0
        for number, one in enumerate(self.series):
            high = low + one.values[index]
            if low <= value <= high and high > low:
                return index, number
            low = high
        return None

    def center_of(self, hit: Hit) -> QPointF:
        """The middle of a bar, in view coordinates."""
        index, number = hit
        low = sum(one.values[index] for one in self.series[:number])
        middle = low + self.series[number].values[index] / 2
        return QPointF(middle, index) if self.horizontal else QPointF(index, middle)

    def describe(self, hit: Hit) -> str:
        """ "category · series: count"."""
        index, number = hit
        name = self.categories[index] or "(none)"
        one = self.series[number]
        prefix = f"{name} · {one.name}" if len(self.series) > 1 else name
        return f"{prefix}: {one.values[index]:,}"

    def table(self) -> tuple[list[str], list[list[object]]]:
        """One row per category: its name and each series' count."""
        header = [self.category, *(one.name for one in self.series)]
        rows = [
            [name, *(one.values[i] for one in self.series)]
            for i, name in enumerate(self.categories)
        ]
        return header, rows


class MatrixChart(_Chart):
    """Rows (labels) by columns (sources or tags): a square per cell, its size and shade by
    its count, the count written in it (MAXQDA's Code Matrix Browser)."""

    def __init__(self, row_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row_name = row_name
        self.column_name = ""
        self.rows: list[str] = []
        self.columns: list[str] = []
        self.counts: dict[Hit, int] = {}
        self.articles: dict[Hit, int] = {}
        self._items: list[pg.GraphicsObject] = []
        self.plot.getPlotItem().showAxis("top")
        self.plot.getPlotItem().hideAxis("bottom")

    def set_data(
        self,
        rows: Sequence[str],
        columns: Sequence[str],
        counts: dict[Hit, int],
        colors: Sequence[str],
        column_name: str,
        articles: dict[Hit, int] | None = None,
    ) -> None:
        """Show the matrix: counts[(row, column)] spans, each row in its label's colour."""
        item = self.plot.getPlotItem()
        for old in self._items:
            item.removeItem(old)
        self._items = []
        self.rows, self.columns, self.column_name = list(rows), list(columns), column_name
        self.counts, self.articles = dict(counts), dict(articles or {})
        top = max(self.counts.values(), default=0) or 1
        spots = []
        for (row, column), n in self.counts.items():
            if n <= 0:
                continue
            share = math.sqrt(n / top)  # area, not side, grows with the count
            color = QColor(colors[row])
            color.setAlpha(int(90 + 165 * share))
            spots.append(
                {"pos": (column, row), "size": 0.25 + 0.7 * share, "brush": pg.mkBrush(color),
                 "pen": pg.mkPen(colors[row])}
            )  # fmt: skip
        squares = pg.ScatterPlotItem(spots=spots, symbol="s", pxMode=False)
        item.addItem(squares)
        self._items.append(squares)
        if len(self.counts) <= 400:  # beyond that the numbers would not fit
            font = QFont()
            font.setPointSizeF(7.5)
            for (row, column), n in self.counts.items():
                if n <= 0:
                    continue
                share = math.sqrt(n / top)
                ink = text_color_for(colors[row]).name() if share > 0.55 else "#222222"
                text = pg.TextItem(f"{n:,}", color=ink, anchor=(0.5, 0.5))
                text.setFont(font)
                text.setPos(column, row)
                item.addItem(text)
                self._items.append(text)
        _name_axis(item.getAxis("left"), list(enumerate(rows)))
        item.getAxis("top").setTicks([[(i, _short(name)) for i, name in enumerate(columns)]])
        item.invertY(True)
        item.setXRange(-0.6, max(len(columns), 1) - 0.4, padding=0)
        item.setYRange(-0.6, max(len(rows), 1) - 0.4, padding=0)
        self.setMinimumHeight(80 + 30 * max(len(rows), 2))

    def hit_at(self, x: float, y: float) -> Hit | None:
        """The (row, column) of the cell at view coordinates (x, y), if it has a count."""
        row, column = round(y), round(x)
        if abs(y - row) > 0.5 or abs(x - column) > 0.5:
            return None
        return (row, column) if self.counts.get((row, column), 0) > 0 else None

    def center_of(self, hit: Hit) -> QPointF:
        """The middle of a cell, in view coordinates."""
        return QPointF(hit[1], hit[0])

    def describe(self, hit: Hit) -> str:
        """ "label × column: n spans (in m articles)"."""
        row, column = hit
        spans = counted(self.counts[hit], "span")
        text = f"{self.rows[row]} × {self.columns[column] or '(none)'}: {spans}"
        if hit in self.articles:
            text += f" in {counted(self.articles[hit], 'article')}"
        return text

    def table(self) -> tuple[list[str], list[list[object]]]:
        """One row per label: its name and its count in each column."""
        header = [f"{self.row_name} \\ {self.column_name}", *self.columns]
        rows = [
            [name, *(self.counts.get((r, c), 0) for c in range(len(self.columns)))]
            for r, name in enumerate(self.rows)
        ]
        return header, rows


def _name_axis(axis: pg.AxisItem, ticks: list[tuple[int, str]]) -> None:
    """Names on a side axis, which is made wide enough for the longest (pyqtgraph leaves
    out a name that does not fit rather than widening the axis)."""
    axis.setTicks([ticks])
    metrics = QFontMetrics(axis.font() if hasattr(axis, "font") else QFont())
    widest = max((metrics.horizontalAdvance(name) for _, name in ticks), default=20)
    axis.setWidth(min(widest + 16, 220))


def _short(name: str, most: int = 14) -> str:
    name = name or "(none)"
    return name if len(name) <= most else name[: most - 1] + "…"
