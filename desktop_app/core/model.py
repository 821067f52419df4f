"""Plain dataclasses shared by the store, importers, exporters and the window."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

SPAN = "span"
DOCUMENT = "document"
RELATION = "relation"  # the kind of a relation in the merge history and adjudications


class Status(StrEnum):
    """Per-annotator progress on one article."""

    TODO = "todo"
    IN_PROGRESS = "in progress"
    DONE = "done"


@dataclass(frozen=True)
class Label:
    """A span label or a document tag from the project's label schema."""

    name: str
    kind: str = SPAN  # SPAN or DOCUMENT
    color: str = "#cccccc"
    key: str = ""
    group: str = ""
    description: str = ""


@dataclass(frozen=True)
class RelationType:
    """A kind of link between two spans, from the label schema's `relation_types`.

    Empty `from_labels`/`to_labels` allow any span label at that end; an undirected type
    (`directed` false) allows its labels at either end.
    """

    name: str
    color: str = "#888888"
    key: str = ""
    directed: bool = True
    from_labels: tuple[str, ...] = ()
    to_labels: tuple[str, ...] = ()
    description: str = ""

    def allows(self, from_label: str, to_label: str) -> bool:
        """Whether a span labelled `from_label` may link to one labelled `to_label`."""

        def fits(a: str, b: str) -> bool:
            return (not self.from_labels or a in self.from_labels) and (
                not self.to_labels or b in self.to_labels
            )

        return fits(from_label, to_label) or (not self.directed and fits(to_label, from_label))


class RelationRecord(NamedTuple):
    """A relation as a colleague's project or an export holds it, its ends by span uuid
    (what a merge reads; `deleted` carries a deletion)."""

    uuid: str
    type: str
    from_span: str
    to_span: str
    annotator: str
    note: str = ""
    created_at: str = ""
    updated_at: str = ""
    deleted: bool = False


class Relation(NamedTuple):
    """A link of type `type` from one span to another of the same article, by one annotator."""

    uuid: str
    article_id: int
    annotator: str
    type: str
    from_span: str  # span uuid
    to_span: str  # span uuid
    note: str
    created_at: str
    updated_at: str
    deleted: bool


@dataclass(frozen=True)
class LabelSchema:
    """A named set of labels, as loaded from a YAML schema file."""

    name: str
    labels: tuple[Label, ...]
    # Document tag groups where an annotator picks one tag at most (Relevant / Not relevant).
    exclusive_groups: tuple[str, ...] = ()
    relation_types: tuple[RelationType, ...] = ()

    @property
    def span_labels(self) -> tuple[Label, ...]:
        """The labels that apply to spans of text."""
        return tuple(label for label in self.labels if label.kind == SPAN)

    @property
    def document_tags(self) -> tuple[Label, ...]:
        """The labels that apply to whole articles."""
        return tuple(label for label in self.labels if label.kind == DOCUMENT)


@dataclass(frozen=True)
class Provenance:
    """Where an accepted suggestion's span came from (the suggestion's source and score)."""

    source: str
    suggestion: str = ""  # the suggestion's uuid
    score: float | None = None
    explanation: str = ""
    accepted_at: str = ""


@dataclass(frozen=True)
class SuggestionDraft:
    """A machine suggestion read from a native export made with --with-suggestions."""

    start: int
    end: int
    label: str
    source: str
    score: float = 1.0
    explanation: str = ""
    uuid: str | None = None
    created_at: str | None = None


@dataclass(frozen=True)
class SpanDraft:
    """A span read from an import file, before it is stored."""

    start: int
    end: int
    label: str
    uuid: str | None = None
    annotator: str | None = None
    quote: str | None = None
    note: str = ""
    created_at: str | None = None
    updated_at: str | None = None  # a merge's "newer wins" compares these
    deleted: bool = False  # a deletion travels with a merge (from a project file)
    # The pieces a discontinuous span covers (brat's "0 6;16 21"), inside start..end; ()
    # for an ordinary span. See core.fragments.
    fragments: tuple[tuple[int, int], ...] = ()
    provenance: Provenance | None = None  # an accepted suggestion's source, when it was one


@dataclass(frozen=True)
class TagDraft:
    """A document tag read from an import file, before it is stored."""

    label: str
    uuid: str | None = None
    annotator: str | None = None
    note: str = ""
    created_at: str | None = None
    updated_at: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class RelationDraft:
    """A relation read from an import file: its ends are indexes into its draft's spans."""

    type: str
    from_index: int
    to_index: int
    annotator: str | None = None
    note: str = ""
    uuid: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    # Whether a type the project lacks is made directed (brat's `*` and Label Studio's "bi"
    # say undirected); a type the project has keeps its own.
    directed: bool = True
    origin: str = ""  # where it came from ("file:line"), for reports


@dataclass(frozen=True)
class ArticleDraft:
    """An article read from a source file, before it is stored.

    `text` is already normalised (see core.text). `uid` is None when the source
    gives no identity; the store then derives one from the text hash.
    """

    text: str
    uid: str | None = None
    title: str = ""
    source: str = ""
    url: str = ""
    published: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # where it came from ("path" or "path:line"), for reports
    spans: tuple[SpanDraft, ...] = ()
    tags: tuple[TagDraft, ...] = ()
    statuses: dict[str, str] = field(default_factory=dict)
    # Suggestions (never spans) from a native export made with --with-suggestions.
    suggestions: tuple[SuggestionDraft, ...] = ()
    # When each status was set, where the source says (a project file does, JSONL does not).
    status_times: dict[str, str] = field(default_factory=dict)
    # True when `uid` was made up from the file's path rather than given by the source: the
    # store may then tell two different texts apart by adding their hash to it.
    uid_derived: bool = False
    relations: tuple[RelationDraft, ...] = ()
    # What the reader could not take from the source (a relation whose end is no span of
    # the record), reported against `origin` while the article itself is imported.
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnotationDraft:
    """Annotations, without a text, for an article the project should already have (by uid):
    rows of an annotations-only file such as the CSV export."""

    uid: str
    origin: str
    spans: tuple[SpanDraft, ...] = ()
    tags: tuple[TagDraft, ...] = ()
    span_origins: tuple[str, ...] = ()  # where each span came from ("path:line"), for reports
    relations: tuple[RelationDraft, ...] = ()  # ends index `spans`


@dataclass(frozen=True)
class ImportProblem:
    """A file or record that could not be imported, and why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass(frozen=True)
class Article:
    """A stored article; its text never changes after import."""

    id: int
    uid: str
    title: str
    source: str
    url: str
    published: str | None
    text: str
    text_sha256: str
    meta: dict[str, Any]
    imported_at: str


# The records below are read by the thousand (a list page, 20,000 spans of one article):
# NamedTuples are immutable like frozen dataclasses and five times cheaper to create.


class ArticleRow(NamedTuple):
    """One line of the article list: what the table shows, without the text."""

    id: int
    uid: str
    title: str
    published: str | None
    source: str
    span_count: int
    tag_count: int
    status: str


class Span(NamedTuple):
    """A stored span: `quote == article.text[start:end]`, offsets in code points."""

    uuid: str
    article_id: int
    annotator: str
    label: str
    start: int
    end: int
    quote: str
    note: str
    created_at: str
    updated_at: str
    deleted: bool = False
    # A discontinuous span's pieces inside start..end (quote stays the whole extent); ().
    fragments: tuple[tuple[int, int], ...] = ()


class DocumentTag(NamedTuple):
    """A stored document tag on one article by one annotator."""

    uuid: str
    article_id: int
    annotator: str
    label: str
    note: str
    created_at: str
    updated_at: str
    deleted: bool = False


@dataclass(frozen=True)
class ArticleFilter:
    """What the article list shows: a search and filters, combined with AND."""

    search: str = ""
    tag: str | None = None
    label: str | None = None
    annotator: str | None = None
    status: str | None = None
    status_annotator: str | None = None  # whose status `status` refers to
    source: str | None = None
    relation: str | None = None  # only articles with a live relation of this type
    # Published on or after `published_from` and before `published_to` (ISO date prefixes,
    # "2024-03-01"); an article without a date is never in a range.
    published_from: str | None = None
    published_to: str | None = None
    sort: str = "date"  # a key of core.store.listing.SORTS: date, title, source, spans, tags
    descending: bool = False
    ranked: bool = False  # best matches first (BM25) while there is a search; else `sort`


@dataclass
class ImportReport:
    """What an import did: counts, and each rejected input with its reason."""

    added: int = 0
    unchanged: int = 0
    duplicates: int = 0  # added, but with the same text as an existing article
    spans_added: int = 0
    tags_added: int = 0
    spans_refused: int = 0  # left out with a reason in problems (their label is a tag here)
    suggestions_added: int = 0  # from a native export made with --with-suggestions
    relations_added: int = 0
    # Spans and tags the project holds already (the same uuid, or the same annotation).
    annotations_unchanged: int = 0
    files: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    cancelled: bool = False
    # Files left out on purpose (a README, brat's tools.conf, .DS_Store), each with why.
    skipped: list[ImportProblem] = field(default_factory=list)
    formats: dict[str, int] = field(default_factory=dict)  # files read as each format
    # Files read as another format than their extension says ("read as refi (…)").
    detected: list[ImportProblem] = field(default_factory=list)
    # Taken, but not as written: (name in the file, label here, kind) -> annotations, for a
    # label name that is an existing label in another case (see core.schema.canonical_label).
    mapped_labels: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # Stored, with something worth saying (an annotation given a new uuid, and why).
    notes: list[ImportProblem] = field(default_factory=list)
    # The articles this import added, as (first id, last id) runs: an undo removes these.
    added_ids: list[tuple[int, int]] = field(default_factory=list)
    # Each added article whose text another already had: (its uid, the uid it duplicates).
    duplicate_pairs: list[tuple[str, str]] = field(default_factory=list)
    suggested: int = 0  # suggestions the enabled gazetteers made on the added articles

    def add(self, other: ImportReport) -> None:
        """Add another report's counts and problems (a batch's, a file's) to this one."""
        self.added += other.added
        self.unchanged += other.unchanged
        self.duplicates += other.duplicates
        self.spans_added += other.spans_added
        self.tags_added += other.tags_added
        self.spans_refused += other.spans_refused
        self.suggestions_added += other.suggestions_added
        self.relations_added += other.relations_added
        self.annotations_unchanged += other.annotations_unchanged
        self.suggested += other.suggested
        self.problems.extend(other.problems)
        self.notes.extend(other.notes)
        self.duplicate_pairs.extend(other.duplicate_pairs)
        for first, last in other.added_ids:
            if self.added_ids and self.added_ids[-1][1] + 1 == first:
                self.added_ids[-1] = (self.added_ids[-1][0], last)
            else:
                self.added_ids.append((first, last))
        for key, count in other.mapped_labels.items():
            self.mapped_labels[key] = self.mapped_labels.get(key, 0) + count

    def added_article_ids(self) -> list[int]:
        """Every article id this import added, in order."""
        return [i for first, last in self.added_ids for i in range(first, last + 1)]

    def label_notes(self) -> list[str]:
        """One line per label name read as another: "'PERSON' read as 'Person' (12 spans)"."""
        return [
            f"label {given!r} read as {label!r} ({count} {'spans' if kind == SPAN else 'tags'})"
            for (given, label, kind), count in self.mapped_labels.items()
        ]

    def summary(self) -> str:
        """One human sentence about the import."""
        parts = [f"{self.added} added", f"{self.unchanged} already present"]
        if self.duplicates:
            parts.append(f"{self.duplicates} with text identical to another article")
        if self.spans_added or self.tags_added:
            parts.append(f"{self.spans_added} spans and {self.tags_added} tags added")
        if self.suggestions_added:
            parts.append(f"{self.suggestions_added} suggestions added (not spans)")
        if self.relations_added:
            parts.append(f"{self.relations_added} relations added")
        if self.annotations_unchanged:
            parts.append(f"{self.annotations_unchanged} annotations already there")
        if self.mapped_labels:
            parts.append(f"{len(self.mapped_labels)} label names read as existing labels")
        if self.suggested:
            parts.append(f"{self.suggested} gazetteer suggestions")
        if self.notes:
            parts.append(f"{len(self.notes)} notes")
        if self.problems:
            parts.append(f"{len(self.problems)} rejected")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.cancelled:
            parts.append("cancelled before the end")
        read_as = ", ".join(f"{fmt} {count}" for fmt, count in self.formats.items())
        return ", ".join(parts) + (f"; read as {read_as}" if read_as else "")


@dataclass(frozen=True)
class MergeConflict:
    """An annotation edited differently on both sides: which version won, and the other one."""

    kind: str  # SPAN, DOCUMENT or RELATION
    uuid: str
    article_uid: str
    annotator: str
    winner: str  # "ours" or "theirs": the newer edit
    ours: str  # each version in words: label, note, deleted, when
    theirs: str


@dataclass
class MergeReport:
    """What a merge did: counts, conflicts (newer won) and what it refused, with reasons."""

    source: str = ""
    backup: str = ""
    articles_added: int = 0
    articles_matched: int = 0
    articles_matched_by_text: int = 0  # another uid, the same text
    spans_added: int = 0
    spans_updated: int = 0
    tags_added: int = 0
    tags_updated: int = 0
    statuses_changed: int = 0
    unchanged: int = 0  # annotations already the same on both sides
    relations_added: int = 0
    relations_updated: int = 0
    relations_refused: int = 0  # an end is no live span here, or our type forbids it (problems)
    relation_types_added: list[str] = field(default_factory=list)
    conflicts: list[MergeConflict] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # merged, but not quite as written

    @property
    def changed(self) -> bool:
        """True when the merge changed the project."""
        return bool(
            self.articles_added
            or self.spans_added
            or self.spans_updated
            or self.tags_added
            or self.tags_updated
            or self.statuses_changed
            or self.conflicts
            or self.relations_added
            or self.relations_updated
            or self.relation_types_added
        )

    @property
    def relation_conflicts(self) -> int:
        """How many of the conflicts were about relations."""
        return sum(1 for conflict in self.conflicts if conflict.kind == RELATION)

    def summary(self) -> str:
        """One human sentence about the merge."""
        parts = [
            f"{self.articles_added} articles added",
            f"{self.articles_matched + self.articles_matched_by_text} matched",
            f"{self.spans_added} spans and {self.tags_added} tags added",
            f"{self.spans_updated} spans and {self.tags_updated} tags updated",
            f"{self.unchanged} annotations already the same",
        ]
        if self.relations_added or self.relations_updated or self.relations_refused:
            parts.append(
                f"relations: {self.relations_added} added, {self.relations_updated} updated, "
                f"{self.relation_conflicts} conflicts, {self.relations_refused} refused"
            )
        if self.relation_types_added:
            parts.append(f"relation types added: {', '.join(self.relation_types_added)}")
        if self.statuses_changed:
            parts.append(f"{self.statuses_changed} statuses changed")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts (the newer edit won)")
        if self.notes:
            parts.append(f"{len(self.notes)} notes")
        if self.problems:
            parts.append(f"{len(self.problems)} refused")
        return ", ".join(parts)


ADJUDICATED = "adjudicated"  # the default name of the reviewed layer (an annotator of its own)


class Decision(NamedTuple):
    """A reviewer's decision on one compared item, and the annotation it became."""

    item_key: str
    decision: str  # "accepted" or "rejected"
    source_uuid: str | None
    result_uuid: str | None
    decided_by: str
    decided_at: str
