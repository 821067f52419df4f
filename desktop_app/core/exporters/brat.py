"""brat standoff export: a folder of NAME.txt + NAME.ann pairs and an annotation.conf."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_app.core.exporters.output import (
    ExportReport,
    UniqueNames,
    annotated_articles,
    article_relations,
    check_quote,
    safe_file_name,
    whole_file,
    whole_folder,
)
from desktop_app.core.fragments import fragment_quotes, pieces
from desktop_app.core.model import ArticleFilter, Relation, RelationType
from desktop_app.core.store import Store
from desktop_app.core.text import one_line


def export_brat(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    annotator: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write each article's text verbatim, its spans as `T` lines (notes as `#` lines) and
    its relations as `R` lines (undirected ones as `*` lines); annotation.conf declares the
    labels and relation types, visual.conf their colours.

    Files are named after the article's uid, each part made safe, always inside `out`.
    brat has no document-level annotations and no annotator field: document tags, and who
    made a span when several annotators are written together, are reported as not carried.
    """
    target = Path(out)
    # All the files or none: they are written into a new folder renamed onto OUT at the end.
    with whole_folder(target) as root:
        report = _write(store, root, target, flt, annotator, progress)
    return report


def _write(
    store: Store,
    root: Path,
    target: Path,
    flt: ArticleFilter | None,
    annotator: str | None,
    progress: Callable[[int], None] | None,
) -> ExportReport:
    """export_brat's work, into the folder `root` that becomes `target`."""
    report = ExportReport()
    kinds = {kind.name: kind for kind in store.relation_types()}
    labels: set[str] = set()
    whose: set[str] = set()
    unique = UniqueNames()
    for article, spans, tags in annotated_articles(store, flt or ArticleFilter(), annotator):
        # Two uids that clean up to one name ("a b", "a?b") get a_b and a_b_2.
        stem = root.joinpath(*unique("/".join(_safe_parts(article.uid))).split("/"))
        stem.parent.mkdir(parents=True, exist_ok=True)
        with whole_file(stem.with_name(stem.name + ".txt")) as handle:
            handle.write(article.text)
        lines = []
        for number, span in enumerate(spans, start=1):
            check_quote(article.uid, article.text, span.start, span.end, span.quote)
            # brat's text column cannot hold a line break or a tab: spaces there; the offsets
            # stay exact, and the importer compares quotes the same way.
            ranges = pieces(span.start, span.end, span.fragments)
            quote = one_line(" ".join(fragment_quotes(article.text, ranges)))
            bounds = ";".join(f"{a} {b}" for a, b in ranges)
            label = span.label.replace(" ", "_")  # brat type names have no spaces
            if label != span.label:
                report.not_carried["labels with spaces (written with _)"] += 1
            lines.append(f"T{number}\t{label} {bounds}\t{quote}\n")
            if span.note:
                note = one_line(span.note)
                if note != span.note:
                    report.not_carried["line breaks and tabs in notes (written as spaces)"] += 1
                lines.append(f"#{number}\tAnnotatorNotes T{number}\t{note}\n")
            labels.add(label)
            whose.add(span.annotator)
        found = article_relations(store, article.id, spans, annotator, report)
        lines += _relation_lines(found, len(spans), kinds, report)
        whose.update(relation.annotator for relation, _, _ in found)
        with whole_file(stem.with_name(stem.name + ".ann")) as handle:
            handle.writelines(lines)
        report.files.append(str(target / stem.relative_to(root)))
        report.articles += 1
        report.spans += len(spans)
        if tags:
            report.not_carried["document tags (brat has none)"] += len(tags)
        if article.meta.get("brat"):
            report.not_carried["events and attributes kept from a brat import"] += 1
        report.not_carried["statuses, titles and metadata (brat keeps text only)"] += 1
        if progress and report.articles % 500 == 0:
            progress(report.articles)
    if len(whose) > 1:
        report.not_carried["who made each annotation (several annotators in one folder)"] += 1
    with whole_file(root / "annotation.conf") as handle:
        entities = "\n".join(sorted(labels))
        relations = "".join(f"{_conf_line(kind)}\n" for kind in kinds.values())
        handle.write(
            f"[entities]\n{entities}\n\n[relations]\n{relations}\n[events]\n\n[attributes]\n"
        )
    colors = {label.name.replace(" ", "_"): label.color for label in store.labels("span")}
    with whole_file(root / "visual.conf") as handle:
        handle.write("[labels]\n\n[drawing]\n")
        handle.writelines(
            f"{name}\tbgColor:{colors[name]}\n" for name in sorted(labels & set(colors))
        )
        handle.writelines(f"{_brat(kind.name)}\tcolor:{kind.color}\n" for kind in kinds.values())
    return report


def _brat(name: str) -> str:
    """A type name as brat has them (no spaces)."""
    return name.replace(" ", "_")


def _conf_line(kind: RelationType) -> str:
    """The annotation.conf [relations] line of a relation type: the labels allowed at each
    end (<ENTITY>: any), and <REL-TYPE>:symmetric-transitive for an undirected one (brat's
    `*` lines are of such types)."""
    ends = ["|".join(_brat(label) for label in labels) or "<ENTITY>"
            for labels in (kind.from_labels, kind.to_labels)]  # fmt: skip
    line = f"{_brat(kind.name)}\tArg1:{ends[0]}, Arg2:{ends[1]}"
    return line if kind.directed else f"{line}, <REL-TYPE>:symmetric-transitive"


def _relation_lines(
    found: list[tuple[Relation, int, int]],
    notes_from: int,
    kinds: dict[str, RelationType],
    report: ExportReport,
) -> list[str]:
    """`R` lines for directed relations (with `#` notes), `*` lines for undirected ones;
    ends are the T numbers of the article's spans (index + 1)."""
    lines = []
    number = 0
    for relation, a, b in found:
        name = _brat(relation.type)
        if name != relation.type:
            report.not_carried["relation types with spaces (written with _)"] += 1
        kind = kinds.get(relation.type)
        if kind is not None and not kind.directed:
            lines.append(f"*\t{name} T{a + 1} T{b + 1}\n")
            if relation.note:
                report.not_carried["notes on undirected relations (brat's * lines have none)"] += 1
            continue
        number += 1
        lines.append(f"R{number}\t{name} Arg1:T{a + 1} Arg2:T{b + 1}\n")
        if relation.note:
            note = one_line(relation.note)
            if note != relation.note:
                report.not_carried["line breaks and tabs in notes (written as spaces)"] += 1
            lines.append(f"#{notes_from + number}\tAnnotatorNotes R{number}\t{note}\n")
    return lines


def _safe_parts(uid: str) -> list[str]:
    """The uid as path parts that stay inside the export folder (no '..', no root, no ':'),
    each a safe, bounded file name."""
    parts = [
        safe_file_name(part, "_")
        for part in uid.replace("\\", "/").split("/")
        if part not in ("", ".", "..")
    ]
    return parts or ["article"]
