"""The filtered, sorted article list, read by keyset pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from desktop_app.core.model import ArticleFilter, ArticleRow, Status
from desktop_app.core.search_query import SearchQuery, parse_search
from desktop_app.core.store.base import StoreBase, _serialized

SortKey = tuple[Any, int]  # (sort value, article id): a position in the article list


@dataclass(frozen=True)
class _Sort:
    """One order of the list: a key with an index of (key, id) pairs to page through."""

    key: str  # the sort value of the row (article `a`)
    id: str  # the id the index keeps beside the key (keyset conditions must name it)
    walk: str  # FROM that walks the index in order (many matches)
    plain: str  # FROM for reading the few matches and sorting them
    # Whether `a` in the FROM is the articles table; when it is not (the counts), a page
    # is found on the index alone and its articles are read by id afterwards.
    reads_articles: bool = True


def _article_sort(key: str, index: str) -> _Sort:
    return _Sort(key, "a.id", f"articles a INDEXED BY {index}", "articles a")


def _count_sort(column: str) -> _Sort:
    # The counts live in article_counts (one row per article, see migrations._list_sort_keys),
    # named `a` so that every filter's probe on a.id applies: finding a far page steps over
    # that index alone, never over the articles' rows (each a page of text).
    return _Sort(
        f"a.{column}",
        "a.id",
        f"article_counts a INDEXED BY counts_by_{column}",
        "article_counts a",
        reads_articles=False,
    )


# Every order the list offers (ArticleFilter.sort); each stays instant at a million articles.
SORTS = {
    "date": _article_sort("ifnull(a.published, '')", "articles_by_date"),
    "title": _article_sort("a.title COLLATE NOCASE", "articles_by_title"),
    "source": _article_sort("a.source COLLATE NOCASE", "articles_by_source"),
    "spans": _count_sort("spans"),
    "tags": _count_sort("tags"),
}
# Best matches first (ArticleFilter.ranked): BM25 over the matches, a title match worth five
# in the text. No index can hold a score that depends on the search, so each page ranks
# every match: bounded by the number of matches (measured in bench/run.py, "sorts").
# The ranking is named `a` like the counts: the order is found on the search index alone
# and only the rows shown are read (about 3 us per match and page: 0.3 s for a word in
# 100,000 articles).
_RELEVANCE = _Sort(
    "a.score",
    "a.id",
    "",
    "(SELECT rowid AS id, bm25(articles_fts, 5.0, 1.0) AS score FROM articles_fts "
    "WHERE articles_fts MATCH ?) a",
    reads_articles=False,
)
_ROW_COLUMNS = (
    "a.id, a.uid, a.title, a.published, a.source, "
    "(SELECT count(*) FROM spans s WHERE s.article = a.id AND s.deleted = 0), "
    "(SELECT count(*) FROM document_tags t WHERE t.article = a.id AND t.deleted = 0), "
    "ifnull((SELECT status FROM article_status st WHERE st.article = a.id "
    "AND st.annotator = ?), 'todo')"
)  # the first parameter is whose status to show
# When more than 1 article in this many matches, the list walks its sort index and keeps the
# matches (fast: 200 rows are found early); fewer matches are read and sorted instead (fast:
# there are few), since walking the index for a rare word would visit every article.
_WALK_WHEN_ONE_IN = 100
# A search-index probe for one article costs ~50 us (a set lookup well under 1 us), so the
# walk probes the search index only when most articles match (building the set of a word in
# 990,000 of 1,000,000 articles costs 300 ms; probing the 200 rows of a page, 11 ms).
_PROBE_SEARCH_WHEN_ONE_IN = 3  # counting a set stops here: the decision is made by then
_PROBE_US, _SET_US, _PAGE_ROWS = 50.0, 0.3, 200  # measured costs (us), and a page


@dataclass(frozen=True)
class _Set:
    """One filter as a set of article ids: a SELECT of them, and a per-article probe."""

    select: str  # SELECT <article id> ...
    probe: str  # a condition on a.id for one article
    params: tuple[Any, ...]
    costly_probe: bool = False  # the search index: probe only when most articles match


@dataclass(frozen=True)
class _Plan:
    """A filter as sets of article ids it must be in, and a set it must not be in.

    Each filter reads its own index (the search index, tags, status, and the per-article
    annotation summaries), so a count never reads an article row. A page of a filter that
    keeps many articles walks the sort index and probes each article (200 rows are found
    early); a page of a filter that keeps few reads the few and sorts them.
    """

    sets: tuple[_Set, ...]
    excludes: tuple[_Set, ...] = ()

    def ids(self) -> tuple[str, tuple[Any, ...]]:
        """A compound SELECT of the distinct ids in every set ("" when there is no set)."""
        if not self.sets:
            return "", ()
        if len(self.sets) == 1:  # a lone SELECT may repeat an id; INTERSECT never does
            only = self.sets[0]
            return only.select.replace("SELECT ", "SELECT DISTINCT ", 1), only.params
        params: tuple[Any, ...] = ()
        for item in self.sets:
            params += item.params
        return " INTERSECT ".join(item.select for item in self.sets), params

    def where(
        self, probe: bool, dense: bool = False, excluded_by_set: bool = False
    ) -> tuple[str, list[Any]]:
        """A WHERE clause on `a.id`, by probes (walking an index) or by id sets.

        `dense` says most articles match, which makes even the costly probes pay.
        `excluded_by_set`: leave out the excluded ids as one set rather than a probe per
        article (for a walk of every article: 0.4 s against 4.2 s at a million).
        """
        clauses: list[str] = []
        params: list[Any] = []
        for item in self.sets:
            if probe and (dense or not item.costly_probe):
                clauses.append(item.probe)
            else:
                clauses.append(f"a.id IN ({item.select})")
            params += item.params
        for exclude in self.excludes:
            if excluded_by_set:
                clauses.append(f"a.id NOT IN ({exclude.select})")
            else:
                clauses.append(f"NOT {exclude.probe}")
            params += exclude.params
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def left_out(self) -> tuple[str, list[Any]]:
        """A WHERE clause on `a.id` keeping the articles the filter drops, by id sets only:
        not in every set, or in an excluded one (a search's exclusions read the search
        index once instead of probing it per article)."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.sets:
            clauses.append(
                "NOT (" + " AND ".join(f"a.id IN ({item.select})" for item in self.sets) + ")"
            )
            params += [p for item in self.sets for p in item.params]
        for exclude in self.excludes:
            clauses.append(f"a.id IN ({exclude.select})")
            params += exclude.params
        return ("WHERE " + " OR ".join(clauses) if clauses else "WHERE false"), params


def _beyond(
    key: str, start: SortKey, descending: bool, inclusive: bool, ident: str = "a.id"
) -> tuple[str, tuple[Any, ...]]:
    """The keyset condition "(key, id) after start", written so SQLite seeks the index.

    The row-value form (key, id) >= (?, ?) reads the same but makes SQLite scan the index
    from its first entry (measured: 68 ms at row 700,000 against 0.8 ms for this form).
    """
    more, equal = ("<", "<=") if descending else (">", ">=")
    return (
        f"{key} {equal} ? AND ({key} {more} ? OR {ident} {equal if inclusive else more} ?)",
        (start[0], start[0], start[1]),
    )


def _tagged(table: str, condition: str, params: tuple[Any, ...]) -> _Set:
    """A set of the articles with a row in `table` meeting `condition`."""
    return _Set(
        f"SELECT article FROM {table} WHERE {condition}",
        f"EXISTS (SELECT 1 FROM {table} WHERE article = a.id AND {condition})",
        params,
    )


def _published(start: str, end: str | None) -> _Set:
    """The articles published in [start, end) (ISO prefixes; no end: from start on), read
    from the date index the list sorts by. An article without a date is in no range."""
    key = "ifnull(published, '')"
    condition = f"{key} >= ? AND {key} != ''" + (f" AND {key} < ?" if end else "")
    params = (start, end) if end else (start,)
    return _Set(
        f"SELECT id FROM articles INDEXED BY articles_by_date WHERE {condition}",
        condition.replace(key, "ifnull(a.published, '')"),
        params,
    )


class ListingMixin(StoreBase):
    """The store's article list: filters, counts and (sort key, id) positions."""

    # The last filter's match count, keyed by the connection's change counter.
    _match_counts: dict[tuple[Any, ...], list[int]] = {}  # noqa: RUF012 - replaced, not mutated

    def _fts_query(self, typed: str) -> SearchQuery:
        """Typed text as a safe FTS5 query (see core.search_query for the syntax)."""
        return parse_search(typed)

    def _plan(self, flt: ArticleFilter) -> _Plan:
        sets: list[_Set] = []
        excludes: list[_Set] = []
        query = self._fts_query(flt.search)
        if query.match:
            fts = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
            probe = (
                "EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? AND rowid = a.id)"
            )
            # A search of exclusions alone ("-brown") keeps every article the MATCH misses.
            found = _Set(fts, probe, (query.match,), costly_probe=True)
            (excludes if query.negated else sets).append(found)
        who = " AND annotator = ?" if flt.annotator else ""
        by = (flt.annotator,) if flt.annotator else ()
        if flt.tag:
            condition = f"label = ? AND deleted = 0{who}"
            sets.append(_tagged("document_tags", condition, (flt.tag, *by)))
        if flt.relation:
            condition = f"type = ? AND deleted = 0{who}"
            sets.append(_tagged("relations", condition, (flt.relation, *by)))
        if flt.label and flt.annotator:
            condition = "label = ? AND deleted = 0 AND annotator = ?"
            sets.append(_tagged("spans", condition, (flt.label, flt.annotator)))
        elif flt.label:
            sets.append(_tagged("article_labels", "label = ? AND n > 0", (flt.label,)))
        if flt.source is not None:
            # The source index gives the set; the probe reads the row the list reads anyway.
            sets.append(
                _Set("SELECT id FROM articles WHERE source = ?", "a.source = ?", (flt.source,))
            )
        if flt.published_from or flt.published_to:
            sets.append(_published(flt.published_from or "", flt.published_to))
        if flt.annotator and not (flt.tag or flt.label or flt.status or flt.relation):
            condition = "annotator = ? AND n > 0"
            sets.append(_tagged("article_annotators", condition, (flt.annotator,)))
        if flt.status:
            whose = flt.status_annotator or flt.annotator or ""
            if flt.status == Status.TODO:
                # No status row means todo, so todo is "nothing else recorded".
                condition = "annotator = ? AND status != 'todo'"
                excludes.append(_tagged("article_status", condition, (whose,)))
            else:
                condition = "annotator = ? AND status = ?"
                sets.append(_tagged("article_status", condition, (whose, flt.status)))
        # Cheap probes first: the search index's probe then runs only on rows the others kept.
        sets.sort(key=lambda item: item.costly_probe)
        return _Plan(tuple(sets), tuple(excludes))

    def _count(self, plan: _Plan) -> int:
        ids, params = plan.ids()
        if ids:
            total = int(self._one(f"SELECT count(*) FROM ({ids})", params))
        else:
            total = int(self._one("SELECT count(*) FROM articles"))
        if not plan.excludes:
            return total
        # |A - C| = |A| - |A and C|: both sides come from indexes, no article is read.
        left_out = " UNION ".join(item.select for item in plan.excludes)
        left_params = tuple(p for item in plan.excludes for p in item.params)
        both = f"{ids} INTERSECT SELECT * FROM ({left_out})" if ids else left_out
        excluded = self._one(f"SELECT count(*) FROM ({both})", params + left_params)
        return total - int(excluded)

    def _walks(self, plan: _Plan) -> tuple[bool, bool]:
        """(walk the sort index?, probe even the search index?) for this filter.

        Decided from how many articles each set keeps, counted once per filter and state.
        """
        if not plan.sets:
            return True, False
        articles = int(self._one("SELECT ifnull(max(id), 0) FROM articles"))
        key = (plan, self.db.conn.total_changes)  # any write may change the answer
        counts = self._match_counts.get(key)
        if counts is None:
            # Counting stops where the answer is known, so a word in every article costs a
            # third of its matches, not all of them.
            cap = articles // _PROBE_SEARCH_WHEN_ONE_IN + 1
            counts = [
                int(self._one(f"SELECT count(*) FROM ({item.select} LIMIT ?)", [*item.params, cap]))
                for item in plan.sets
            ]
            self._match_counts = {key: counts}
        # The sets overlap at most as much as the smallest of them keeps.
        walk = min(counts) * _WALK_WHEN_ONE_IN > articles
        # Probing costs PAGE/share probes; a set costs one entry per match.
        dense = all(
            n > 0 and (_PAGE_ROWS * articles / n) * _PROBE_US < n * _SET_US
            for n, item in zip(counts, plan.sets, strict=True)
            if item.costly_probe
        )
        return walk, walk and dense

    def _sorting(self, flt: ArticleFilter) -> tuple[_Sort, list[Any], ArticleFilter, bool]:
        """(the order, its FROM's parameters, the filter left for WHERE, descending).

        Relevance needs a search to rank by; without one the list keeps its column's order.
        """
        if flt.ranked:
            query = self._fts_query(flt.search)
            if query.match and not query.negated:  # best first, always
                return _RELEVANCE, [query.match], replace(flt, search=""), False
        return SORTS.get(flt.sort, SORTS["date"]), [], flt, flt.descending

    def ranks(self, flt: ArticleFilter) -> bool:
        """Whether the list of this filter is in relevance order (ranked, with a search)."""
        return self._sorting(flt)[0] is _RELEVANCE

    def _key(self, flt: ArticleFilter) -> str:
        """The SQL of the filter's sort key (the first half of its SortKey)."""
        return self._sorting(flt)[0].key

    def _ordered(
        self, flt: ArticleFilter, plan: _Plan, start: SortKey | None, inclusive: bool
    ) -> tuple[str, list[Any], str]:
        """FROM + WHERE (with the keyset condition) and ORDER BY for the filter's order."""
        sort, params, rest, descending = self._sorting(flt)
        if rest is not flt:  # ranked: the search is the FROM, the other filters probe
            plan, walk, dense = self._plan(rest), False, False
            where, more = plan.where(probe=True)
        else:
            walk, dense = self._walks(plan)
            where, more = plan.where(probe=walk, dense=dense)
        params = [*params, *more]
        direction = "DESC" if descending else "ASC"
        if start is not None:
            condition, extra = _beyond(sort.key, start, descending, inclusive, sort.id)
            where = (where + " AND " if where else "WHERE ") + condition
            params = [*params, *extra]
        order = f"ORDER BY {sort.key} {direction}, {sort.id} {direction}"
        source = sort.walk if walk and sort.walk else sort.plain
        return f"{source} {where}", params, order

    @_serialized
    def count_articles(self, flt: ArticleFilter) -> int:
        """How many articles match the filter: the exact row count of the list."""
        return self._count(self._plan(flt))

    @_serialized
    def anchor_after(self, flt: ArticleFilter, start: SortKey | None, skip: int) -> SortKey | None:
        """The sort key `skip` rows after `start` (None: the list's first row), if there is one.

        Rows are always read by key (see article_rows). To find where a far page starts, SQLite
        steps over index entries from the nearest key the caller knows; it touches only the
        (key, id) index, never the rows themselves, so a jump deep into a million-row list
        costs milliseconds.
        """
        source, params, order = self._ordered(flt, self._plan(flt), start, inclusive=True)
        key = self._key(flt)
        row = self.db.conn.execute(
            f"SELECT {key}, a.id FROM {source} {order} LIMIT 1 OFFSET ?", [*params, skip]
        ).fetchone()
        return None if row is None else (row[0], row[1])

    @_serialized
    def article_rows(
        self, flt: ArticleFilter, anchor: SortKey | None, limit: int, status_annotator: str = ""
    ) -> list[ArticleRow]:
        """Up to `limit` list rows starting at `anchor` (inclusive), in the filter's order."""
        rows = self._page(flt, anchor, True, limit, _ROW_COLUMNS, (status_annotator,))
        return [ArticleRow(*row[2:]) for row in rows]

    def _page(
        self,
        flt: ArticleFilter,
        start: SortKey | None,
        inclusive: bool,
        limit: int,
        columns: str,
        column_params: tuple[Any, ...] = (),
    ) -> list[tuple[Any, ...]]:
        """(sort key, id, *columns) of the next `limit` articles of the list from `start`;
        `columns` are SQL over the article `a`, with their own parameters."""
        source, params, order = self._ordered(flt, self._plan(flt), start, inclusive)
        key = self._key(flt)
        conn = self.db.conn
        if self._sorting(flt)[0].reads_articles:
            sql = f"SELECT {key}, a.id, {columns} FROM {source} {order} LIMIT ?"
            return conn.execute(sql, [*column_params, *params, limit]).fetchall()
        keys = conn.execute(
            f"SELECT {key}, a.id FROM {source} {order} LIMIT ?", [*params, limit]
        ).fetchall()
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        found = {
            row[0]: row[1:]
            for row in conn.execute(
                f"SELECT a.id, {columns} FROM articles a WHERE a.id IN ({marks})",
                [*column_params, *(article for _, article in keys)],
            )
        }
        return [(key, article, *found[article]) for key, article in keys if article in found]

    @_serialized
    def search_ranked(
        self, flt: ArticleFilter, limit: int = 50, status_annotator: str = ""
    ) -> list[ArticleRow]:
        """The best `limit` matches for flt.search (other filters apply), best first.

        Ranked by BM25 with a title match worth five times a match in the text. The ranking
        runs on the search index alone; only the winners' rows are read.
        """
        query = self._fts_query(flt.search)
        if not query.match or query.negated:  # nothing to rank by
            return []
        where, params = self._plan(replace(flt, search="")).where(probe=True)
        probes = where.replace("WHERE ", "AND ", 1).replace("a.id", "articles_fts.rowid")
        sql = (
            "WITH best AS (SELECT rowid AS id, bm25(articles_fts, 5.0, 1.0) AS score "
            f"FROM articles_fts WHERE articles_fts MATCH ? {probes} ORDER BY score LIMIT ?) "
            f"SELECT {_ROW_COLUMNS} FROM best JOIN articles a ON a.id = best.id "
            "ORDER BY best.score, a.id"
        )
        rows = self.db.conn.execute(sql, [query.match, *params, limit, status_annotator]).fetchall()
        return [ArticleRow(*row) for row in rows]

    @_serialized
    def row_of(self, flt: ArticleFilter, article_id: int) -> int | None:
        """The article's row in the filtered, sorted list (None when the filter hides it)."""
        sort, params, rest, descending = self._sorting(flt)
        where, more = self._plan(rest).where(probe=True)
        params = [*params, *more]
        found = self.db.conn.execute(
            f"SELECT {sort.key} FROM {sort.plain} {where} {'AND' if where else 'WHERE'} a.id = ?",
            [*params, article_id],
        ).fetchone()
        if found is None:
            return None
        # Rows before it are those beyond it in the opposite direction.
        condition, extra = _beyond(sort.key, (found[0], article_id), not descending, False, sort.id)
        before = (where + " AND " if where else "WHERE ") + condition
        return int(self._one(f"SELECT count(*) FROM {sort.plain} {before}", [*params, *extra]))

    @_serialized
    def keys_after(self, flt: ArticleFilter, after: SortKey | None, limit: int) -> list[SortKey]:
        """The next `limit` (sort key, id) pairs strictly after `after`, in list order."""
        source, params, order = self._ordered(flt, self._plan(flt), after, inclusive=False)
        key = self._key(flt)
        rows = self.db.conn.execute(
            f"SELECT {key}, a.id FROM {source} {order} LIMIT ?", [*params, limit]
        )
        return [(row[0], row[1]) for row in rows]

    def iter_article_ids(self, flt: ArticleFilter, batch: int = 1000) -> Iterator[list[int]]:
        """The ids of the filtered articles in list order, in batches.

        Each batch starts strictly after the last key of the one before, so articles added
        meanwhile (an import running during an export) are never repeated or skipped over.
        """
        after: SortKey | None = None
        while keys := self.keys_after(flt, after, batch):
            yield [article_id for _, article_id in keys]
            after = keys[-1]
