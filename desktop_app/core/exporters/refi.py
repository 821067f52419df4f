"""REFI-QDA export (.qdpx): the exchange project QualCoder, MAXQDA, ATLAS.ti and NVivo read."""

from __future__ import annotations

import re
import uuid as uuidlib
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

from desktop_app.core.exporters.output import (
    ExportReport,
    annotated_articles,
    check_quote,
    count_extent_only,
    count_relations_lost,
    whole_path,
    xml_text,
)
from desktop_app.core.model import DOCUMENT, ArticleFilter, Label
from desktop_app.core.store import Store, now

NS = "urn:QDA-XML:project:1.0"
# What other tools show as text, and Marginalia reads back: an article's uid, and which
# codes are document tags (a kind REFI-QDA has no field for).
UID_MARK = "Marginalia uid: "
DOCUMENT_MARK = "Marginalia: a document tag (coded on whole sources)."
# Identities derived from names, so exporting the same project twice gives the same GUIDs
# (a colleague's tool sees the same users, codes and sources, not new ones).
_SPACE = uuidlib.UUID("2b0f3e7c-6a51-4d8e-9f21-5c7a9e0d4b13")
# xsd:dateTime, which an imported annotation's free-form time may not be (then it is left out).
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def _guid(*parts: str) -> str:
    return str(uuidlib.uuid5(_SPACE, "\x1f".join(parts)))


def export_refi(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write a .qdpx: project.qde (users, codebook, sources, codings) and each text.

    Labels are codes, label groups are categories (codes that are not codable); spans are
    PlainTextSelections (code point positions) with one Coding each and their note as the
    Description; document tags are Codings on the whole source; annotators are users.
    Statuses are not carried.
    """
    report = ExportReport()
    target = Path(out)
    labels = store.labels()
    codes = {label.name: _guid("code", label.name) for label in labels}
    users: dict[str, str] = {}
    ET.register_namespace("", NS)
    project = ET.Element(
        _q("Project"),
        {"name": target.stem, "origin": "Marginalia", "creationDateTime": now()},
    )
    users_element = ET.SubElement(project, _q("Users"))
    codebook = ET.SubElement(ET.SubElement(project, _q("CodeBook")), _q("Codes"))
    _codebook(codebook, labels, codes, report)
    sources = ET.SubElement(project, _q("Sources"))
    with (
        whole_path(target) as partial,
        zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for article, spans, tags in annotated_articles(store, flt or ArticleFilter(), None):
            source_guid = _guid("source", article.uid)
            count_relations_lost(store, article.id, None, report, "REFI-QDA")
            archive.writestr(f"sources/{source_guid}.txt", article.text)
            source = ET.SubElement(
                sources,
                _q("TextSource"),
                {
                    "guid": source_guid,
                    "name": xml_text(article.title or article.uid, report),
                    "plainTextPath": f"internal://{source_guid}.txt",
                },
            )
            # Description comes first in a TextSource; it carries the uid back to us.
            uid_line = xml_text(f"{UID_MARK}{article.uid}", report)
            ET.SubElement(source, _q("Description")).text = uid_line
            for span in spans:
                check_quote(article.uid, article.text, span.start, span.end, span.quote)
                who = users.setdefault(span.annotator, _guid("user", span.annotator))
                attributes = {
                    "guid": _guid("span", span.uuid),
                    "name": xml_text(span.quote[:60], report),
                    "startPosition": str(span.start),
                    "endPosition": str(span.end),
                    "creatingUser": who,
                }
                if _DATETIME.fullmatch(span.created_at):
                    attributes["creationDateTime"] = span.created_at
                selection = ET.SubElement(source, _q("PlainTextSelection"), attributes)
                if span.note:
                    note = xml_text(span.note, report)
                    ET.SubElement(selection, _q("Description")).text = note
                _coding(selection, _guid("coding", span.uuid), codes[span.label], who)
            for tag in tags:
                who = users.setdefault(tag.annotator, _guid("user", tag.annotator))
                _coding(source, _guid("tag", tag.uuid), codes[tag.label], who)
                if tag.note:
                    report.not_carried["document tag notes"] += 1
            report.articles += 1
            report.spans += len(spans)
            count_extent_only(report, spans)
            report.tags += len(tags)
            if progress and report.articles % 500 == 0:
                progress(report.articles)
        for name, guid in sorted(users.items()):
            name = xml_text(name, report)
            ET.SubElement(users_element, _q("User"), {"guid": guid, "name": name})
        if not users:
            project.remove(users_element)
        if not len(sources):
            project.remove(sources)
        archive.writestr("project.qde", _xml(project))
    report.files.append(str(target))
    if report.articles:
        report.not_carried["statuses (REFI-QDA has no place for them)"] += report.articles
    return report


def _codebook(
    parent: ET.Element, labels: list[Label], codes: dict[str, str], report: ExportReport
) -> None:
    """Codes in palette order; a label group becomes a category holding its codes."""
    groups: dict[str, ET.Element] = {}
    for label in labels:
        home = parent
        if label.group:
            if label.group not in groups:
                groups[label.group] = ET.SubElement(
                    parent,
                    _q("Code"),
                    {
                        "guid": _guid("group", label.group),
                        "name": xml_text(label.group, report),
                        "isCodable": "false",
                    },
                )
            home = groups[label.group]
        code = ET.SubElement(
            home,
            _q("Code"),
            {
                "guid": codes[label.name],
                "name": xml_text(label.name, report),
                "isCodable": "true",
                "color": label.color,
            },
        )
        marked = (DOCUMENT_MARK + "\n" if label.kind == DOCUMENT else "") + label.description
        if marked:
            ET.SubElement(code, _q("Description")).text = xml_text(marked, report)
    if not len(parent):
        ET.SubElement(
            parent, _q("Code"), {"guid": _guid("none"), "name": "(no labels)", "isCodable": "false"}
        )


def _coding(parent: ET.Element, guid: str, code: str, who: str) -> None:
    coding = ET.SubElement(parent, _q("Coding"), {"guid": guid, "creatingUser": who})
    ET.SubElement(coding, _q("CodeRef"), {"targetGUID": code})


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data
