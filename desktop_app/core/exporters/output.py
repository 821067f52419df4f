"""What every exporter shares: its report, and files that appear whole or not at all."""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from desktop_app.core.model import Article, ArticleFilter, DocumentTag, Span
from desktop_app.core.store import Store


class ExportError(RuntimeError):
    """An export that could not be written, with the file and the reason."""


@dataclass
class ExportReport:
    """What an export wrote, and what the format could not carry (reason -> count)."""

    articles: int = 0
    spans: int = 0
    tags: int = 0
    files: list[str] = field(default_factory=list)
    not_carried: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One human sentence, with each thing the format could not carry."""
        text = f"{self.articles} articles, {self.spans} spans, {self.tags} tags written"
        if self.not_carried:
            lost = "; ".join(f"{why}: {n}" for why, n in sorted(self.not_carried.items()))
            text += f"; not carried by this format: {lost}"
        return text


@contextlib.contextmanager
def whole_path(target: Path) -> Iterator[Path]:
    """A path beside `target` to write to, renamed onto it at the end: never half a file.

    A failure removes the partial file; OS errors become ExportError naming `target`.
    """
    partial = target.with_name(target.name + ".partial")
    try:
        yield partial
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot write ({error.strerror or error})") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def whole_file(target: Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text file written through whole_path (newlines exactly as written)."""
    with whole_path(target) as partial, partial.open("w", encoding=encoding, newline="") as handle:
        yield handle


def annotated_articles(
    store: Store, flt: ArticleFilter, annotator: str | None
) -> Iterator[tuple[Article, list[Span], list[DocumentTag]]]:
    """Each filtered article in list order with its live spans and tags (one annotator's)."""
    for ids in store.iter_article_ids(flt):
        for article_id in ids:
            yield (
                store.article(article_id),
                store.spans(article_id, annotator),
                store.tags(article_id, annotator),
            )


EXTENT_ONLY = "discontinuous spans (written as their whole extent)"


def count_extent_only(report: ExportReport, spans: Sequence[Span]) -> None:
    """Count the discontinuous spans a format without pieces writes as their whole extent."""
    pieced = sum(1 for span in spans if span.fragments)
    if pieced:
        report.not_carried[EXTENT_ONLY] += pieced


def check_quote(uid: str, text: str, start: int, end: int, quote: str) -> None:
    """The offset rule, checked on the way out: an export never lies about what it covers."""
    if text[start:end] != quote:
        raise ExportError(
            f"{uid}: a span at {start}-{end} whose quote is not the text there; "
            "run the integrity check"
        )


class UniqueNames:
    """File names that never collide: a name already given (case-insensitively) gets _2, _3…

    Different uids or annotator names can clean up to the same safe name ("a b", "a?b");
    without this the second file would silently replace the first.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def __call__(self, name: str) -> str:
        """`name`, or the first free `name_N`."""
        candidate, number = name, 1
        while candidate.lower() in self._taken:
            number += 1
            candidate = f"{name}_{number}"
        self._taken.add(candidate.lower())
        return candidate


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str, report: ExportReport) -> str:
    """`value` with the characters XML 1.0 cannot hold replaced by U+FFFD (and counted)."""
    cleaned, count = _XML_BAD.subn("\ufffd", value)
    if count:
        report.not_carried["control characters XML cannot hold (replaced by U+FFFD)"] += count
    return cleaned
