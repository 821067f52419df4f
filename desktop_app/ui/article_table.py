"""The article list model: exact row count, rows fetched a page at a time by sort key."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_app.core.model import ArticleFilter, ArticleRow
from desktop_app.core.store import SortKey, Store
from desktop_app.ui.plain import literal

PAGE_SIZE = 200
CACHED_PAGES = 20  # at most 4,000 rows in memory, however long the list
COLUMNS = ("Title", "Date", "Source", "Spans", "Tags", "Status")
# Each column the list sorts by, by an index (core.store.listing.SORTS). Status has none:
# it is each annotator's own, so no index holds it, and its header offers no sort arrow.
SORTABLE = {0: "title", 1: "date", 2: "source", 3: "spans", 4: "tags"}
LAST_ARTICLE = "Last article in the list: all done here"  # said where "next" ends
UNSORTED_TIP = "Status is each annotator's own: filter by it above (the list cannot sort by it)"

Index = QModelIndex | QPersistentModelIndex


class ArticleTableModel(QAbstractTableModel):
    """Shows the filtered articles; asks the store only for the pages on screen.

    rowCount is exact (one count query), and page n is fetched from its anchor, the sort key
    of its first row, so showing row 900,000 costs the same as showing row 0.
    """

    def __init__(self, store: Store | None, annotator: str, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store  # None: no project is open, the list is empty
        self._annotator = annotator
        self._filter = ArticleFilter(status_annotator=annotator)
        self._count = 0
        self._anchors: dict[int, SortKey | None] = {}  # page number -> key of its first row
        self._pages: OrderedDict[int, list[ArticleRow]] = OrderedDict()
        self.reload()

    # ------------------------------------------------------------ what the list shows

    @property
    def article_filter(self) -> ArticleFilter:
        """The filter and sort order in force."""
        return self._filter

    def set_filter(self, flt: ArticleFilter) -> None:
        """Show another search/filter (keeps the current sort order)."""
        self._filter = replace(
            flt,
            sort=self._filter.sort,
            descending=self._filter.descending,
            status_annotator=flt.status_annotator or self._annotator,
        )
        self.reload()

    def set_store(self, store: Store | None, annotator: str) -> None:
        """List another project's articles (None: no project), unfiltered, in the same order."""
        self._store = store
        self._annotator = annotator
        self._filter = ArticleFilter(
            sort=self._filter.sort,
            descending=self._filter.descending,
            status_annotator=annotator,
        )
        self.reload()

    def set_annotator(self, annotator: str) -> None:
        """Whose status the Status column (and the status filter) shows."""
        self._annotator = annotator
        self._filter = replace(self._filter, status_annotator=annotator)
        self.reload()

    def reload(self) -> None:
        """Recount and re-page from the store (after a filter change or an import)."""
        self.beginResetModel()
        self._count = self._store.count_articles(self._filter) if self._store is not None else 0
        self._anchors = {}
        self._pages.clear()
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Re-read the cached rows (counts, status) after an edit, keeping rows in place."""
        self._pages.clear()
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(COLUMNS) - 1))

    def row_at(self, row: int) -> ArticleRow | None:
        """The article on list row `row`, fetching its page if needed."""
        if self._store is None or not 0 <= row < self._count:
            return None
        number = row // PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            anchor = self._anchor(number)
            # No anchor past page 0 means the list shrank since it was counted: show nothing.
            page = (
                []
                if anchor is None and number > 0
                else self._store.article_rows(self._filter, anchor, PAGE_SIZE, self._annotator)
            )
            self._pages[number] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def _anchor(self, number: int) -> SortKey | None:
        """Where page `number` starts, found from the nearest page before it that we know."""
        if number == 0:
            return None  # the first page starts at the top: no query to find where
        if number not in self._anchors and self._store is not None:
            known = max((n for n in self._anchors if n < number), default=None)
            start = None if known is None else self._anchors[known]
            skip = (number - (known or 0)) * PAGE_SIZE
            self._anchors[number] = self._store.anchor_after(self._filter, start, skip)
        return self._anchors.get(number)

    def row_of(self, article_id: int) -> int | None:
        """The list row showing this article, if the filter shows it."""
        return self._store.row_of(self._filter, article_id) if self._store is not None else None

    # ------------------------------------------------------------ QAbstractTableModel

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return None if section in SORTABLE else UNSORTED_TIP
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 4):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        article = self.row_at(index.row())
        if article is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            return literal(article.title) if column == 0 else None
        values = (
            article.title or article.uid,
            article.published or "",
            article.source,
            article.span_count,
            article.tag_count,
            article.status,
        )
        return values[column]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (a column header's click; it ends "best matches first")."""
        if column not in SORTABLE:
            return
        self._filter = replace(
            self._filter,
            sort=SORTABLE[column],
            descending=order == Qt.SortOrder.DescendingOrder,
            ranked=False,
        )
        self.reload()

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        """The column the list is sorted by and its direction (for the header's arrow)."""
        column = next((c for c, name in SORTABLE.items() if name == self._filter.sort), 1)
        order = (
            Qt.SortOrder.DescendingOrder if self._filter.descending else Qt.SortOrder.AscendingOrder
        )
        return column, order

    def is_ranked(self) -> bool:
        """Whether the list shows the best matches first (a search to rank by is typed)."""
        return self._filter.ranked and self._store is not None and self._store.ranks(self._filter)
