"""Read a REFI-QDA project (.qdpx): its codebook as labels, text sources, selections and codings."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from desktop_app.core.archives import READ_ERRORS, ArchiveError, read_member
from desktop_app.core.model import (
    DOCUMENT,
    SPAN,
    ArticleDraft,
    ImportProblem,
    Label,
    LabelSchema,
    SpanDraft,
    TagDraft,
)
from desktop_app.core.text import normalize_text

NS = "{urn:QDA-XML:project:1.0}"
UID_MARK = "Marginalia uid: "  # as core.exporters.refi writes them
DOCUMENT_MARK = "Marginalia: a document tag (coded on whole sources)."
MAX_PROJECT_BYTES = 256 << 20  # project.qde
MAX_SOURCE_BYTES = 64 << 20  # one text source


def read_refi(path: Path) -> Iterator[ArticleDraft | ImportProblem | LabelSchema]:
    """The codebook first (as a LabelSchema), then one draft (or problem) per text source.

    Codes become labels (a code that is not codable is a category: the group of the codes
    inside it); selections become spans, each coding on them one span, their Description
    its note; codings on a whole source become document tags; users name the annotators.
    Only `project.qde` and `internal://` texts are read from the archive, by name: "../"
    or absolute member names have no effect, a DOCTYPE (entity tricks) is refused, and
    sizes are capped before reading.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            root = _project(archive, path)
            users = {
                u.get("guid", ""): str(u.get("name") or u.get("guid", ""))
                for u in root.iter(f"{NS}User")
            }
            descriptions: dict[str, str] = {}
            codes = _codes(root, descriptions)
            kinds = _kinds(root, codes)
            labels = []
            for guid, (name, color, group) in codes.items():  # unused codes too
                description = descriptions.get(guid, "")
                kind = kinds.get(guid, SPAN)
                if description.startswith(DOCUMENT_MARK):  # our own export says so
                    kind, description = DOCUMENT, description[len(DOCUMENT_MARK) :].strip()
                kinds[guid] = kind
                labels.append(Label(name, kind, color, group=group, description=description))
            yield LabelSchema(root.get("name") or path.stem, tuple(labels))
            for source in root.iter(f"{NS}TextSource"):
                yield _source(archive, path, source, codes, kinds, users)
    except ArchiveError as error:
        yield ImportProblem(str(path), str(error))
    except READ_ERRORS as error:
        yield ImportProblem(str(path), f"not a readable .qdpx archive ({error})")
    except ET.ParseError as error:
        yield ImportProblem(str(path), f"project.qde is not well-formed XML ({error})")


class PackageReadError(ArchiveError):
    """A .qdpx that cannot be read safely; the message says why."""


def _project(archive: zipfile.ZipFile, path: Path) -> ET.Element:
    data = read_member(archive, "project.qde", MAX_PROJECT_BYTES)
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise PackageReadError(
            "project.qde declares a DOCTYPE or entities, which REFI-QDA never needs"
        )
    root = ET.fromstring(data)
    if root.tag != f"{NS}Project":
        raise PackageReadError("project.qde is not a REFI-QDA project")
    return root


def _codes(root: ET.Element, descriptions: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """guid -> (name, colour, group) for every codable code; categories give the group.

    Each code's Description goes into `descriptions`. A label name is one label here, so
    a name used by two codes (in two categories, say) gets its category, then a number,
    added for the second; a code without a name is "(unnamed code)", without a guid it
    cannot be coded with but still joins the codebook.
    """
    found: dict[str, tuple[str, str, str]] = {}
    taken: set[str] = set()

    def unique(name: str, group: str) -> str:
        candidates = [name, f"{name} ({group})"] if group else [name]
        candidates += [f"{name} {n}" for n in range(2, len(taken) + 3)]
        chosen = next(c for c in candidates if c.casefold() not in taken)
        taken.add(chosen.casefold())
        return chosen

    def walk(element: ET.Element, group: str) -> None:
        for code in element.findall(f"{NS}Code"):
            name = (code.get("name") or "").strip() or "(unnamed code)"
            codable = code.get("isCodable", "true").lower() == "true"
            if codable:
                guid = code.get("guid") or f"(no guid {len(found)})"
                found[guid] = (unique(name, group), _color(code.get("color")), group)
                descriptions[guid] = code.findtext(f"{NS}Description") or ""
            walk(code, group or name if codable else name)

    for codes in root.iter(f"{NS}Codes"):
        walk(codes, "")
    return found


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _color(value: str | None) -> str:
    """The code's colour as #rrggbb; grey when it has none or it is not a hex colour."""
    if value is None or not _HEX.fullmatch(value):
        return "#cccccc"
    return value.lower() if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:]).lower()


def _kinds(root: ET.Element, codes: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    """Which codes are span labels (used on any selection) or document tags (used on whole
    sources only). A code used both ways is a span label: selections are the finer grain,
    and its whole-source codings become spans over the whole text."""
    kinds: dict[str, str] = {}
    for source in root.iter(f"{NS}TextSource"):
        for selection in source.findall(f"{NS}PlainTextSelection"):
            for used in selection.iter(f"{NS}CodeRef"):
                if used.get("targetGUID", "") in codes:
                    kinds[used.get("targetGUID", "")] = SPAN
        for coding in source.findall(f"{NS}Coding"):
            whole = coding.find(f"{NS}CodeRef")
            if whole is not None and whole.get("targetGUID") in codes:
                kinds.setdefault(whole.get("targetGUID", ""), DOCUMENT)
    return kinds


def _source(
    archive: zipfile.ZipFile,
    path: Path,
    source: ET.Element,
    codes: dict[str, tuple[str, str, str]],
    kinds: dict[str, str],
    users: dict[str, str],
) -> ArticleDraft | ImportProblem:
    guid = source.get("guid", "")
    origin = f"{path}#{source.get('name') or guid}"
    content = source.find(f"{NS}PlainTextContent")
    if content is not None and content.text:
        raw = content.text
    else:
        where = source.get("plainTextPath") or ""
        if not where.startswith("internal://"):
            return ImportProblem(origin, f"its text is outside the archive ({where!r}): not read")
        try:
            raw = read_member(
                archive, "sources/" + where.removeprefix("internal://"), MAX_SOURCE_BYTES
            ).decode("utf-8-sig")
        except (ArchiveError, UnicodeDecodeError) as error:
            return ImportProblem(origin, f"its text cannot be read ({error})")
    text = normalize_text(raw)
    if text != raw:
        return ImportProblem(
            origin, "CR line endings or a BOM: the positions count them, ours would not"
        )
    spans: list[SpanDraft] = []
    problems: list[str] = []
    for selection in source.findall(f"{NS}PlainTextSelection"):
        try:
            start = int(selection.get("startPosition", ""))
            end = int(selection.get("endPosition", ""))
        except ValueError:
            problems.append(f"selection {selection.get('guid')}: positions are not integers")
            continue
        if not 0 <= start < end <= len(text):
            problems.append(f"selection {selection.get('guid')}: {start}..{end} outside the text")
            continue
        note = selection.findtext(f"{NS}Description") or ""
        for coding in selection.findall(f"{NS}Coding"):
            ref = coding.find(f"{NS}CodeRef")
            code = codes.get(ref.get("targetGUID", "") if ref is not None else "")
            if code is None:
                problems.append(f"selection {selection.get('guid')}: coded with an unknown code")
                continue
            who = users.get(coding.get("creatingUser") or selection.get("creatingUser") or "")
            spans.append(SpanDraft(start, end, code[0], annotator=who, note=note))
    tags = []
    for coding in source.findall(f"{NS}Coding"):
        ref = coding.find(f"{NS}CodeRef")
        target = ref.get("targetGUID", "") if ref is not None else ""
        code, who = codes.get(target), users.get(coding.get("creatingUser") or "")
        if code is not None and kinds.get(target) == SPAN:
            if text:  # an empty source has nothing for a span to cover
                spans.append(SpanDraft(0, len(text), code[0], annotator=who))
        elif code is not None:
            tags.append(TagDraft(code[0], annotator=who))
    if problems:
        return ImportProblem(origin, "; ".join(problems[:5]))
    described = source.findtext(f"{NS}Description") or ""
    uid = described.removeprefix(UID_MARK).strip() if described.startswith(UID_MARK) else ""
    return ArticleDraft(
        text=text,
        uid=uid or (f"qdpx:{guid}" if guid else None),
        # Our export names an untitled source after its uid: that is no title.
        title="" if source.get("name") == uid else source.get("name") or "",
        meta={"refi_source": guid},
        origin=origin,
        spans=tuple(spans),
        tags=tuple(tags),
    )
