"""Double-coding samples: a seeded, stratified draw of articles, packed for a colleague."""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.archives import (
    READ_ERRORS,
    ArchiveError,
    check_member,
    copy_member,
    read_member,
)
from desktop_app.core.exporters.output import ExportError, whole_path
from desktop_app.core.model import Label, LabelSchema
from desktop_app.core.schema import SchemaError, parse_usable_schema, schema_to_yaml, usable_labels
from desktop_app.core.store import Store, now

STRATA = ("none", "source", "tag")
PACKAGE_FORMAT = 1
MANIFEST, LABELS, ARTICLES = "manifest.json", "labels.yaml", "articles.jsonl"
# What a package may unpack to: generous for thousands of long articles, far below a bomb.
MAX_MEMBER_BYTES = {MANIFEST: 1 << 20, LABELS: 1 << 20, ARTICLES: 4 << 30}


class PackageError(ValueError):
    """A sample package that cannot be written or read; the message names the file and why."""


@dataclass(frozen=True)
class Sample:
    """A drawn sample: the article ids in draw order, and how many came from each stratum."""

    ids: tuple[int, ...]
    strata: Mapping[str, int]
    seed: int
    by: str


@dataclass
class Package:
    """An opened sample package: its manifest, its labels and its articles file."""

    manifest: dict[str, Any]
    labels: tuple[Label, ...]
    articles: Path
    problems: list[str] = field(default_factory=list)


def draw_sample(store: Store, size: int, seed: int = 1, by: str = "none") -> Sample:
    """Draw `size` articles reproducibly: the same project, size, seed and strata give the same.

    Stratified draws allocate the sample in proportion to each stratum's size (largest
    remainder), giving every stratum at least one article when the size allows it.
    """
    if by not in STRATA:
        raise ValueError(f"stratify by one of {', '.join(STRATA)}, not {by!r}")
    if size < 1:
        raise ValueError("a sample needs at least one article")
    frame = store.sample_frame(by)  # (id, stratum), sorted by id: a stable starting order
    groups: dict[str, list[int]] = {}
    for article_id, stratum in frame:
        groups.setdefault(stratum, []).append(article_id)
    rng = random.Random(seed)
    quotas = _allocate({key: len(ids) for key, ids in groups.items()}, size)
    drawn: list[int] = []
    for key in sorted(groups):
        drawn += rng.sample(groups[key], quotas[key])
    return Sample(tuple(drawn), {key: n for key, n in sorted(quotas.items()) if n}, seed, by)


def _allocate(sizes: Mapping[str, int], size: int) -> dict[str, int]:
    total = sum(sizes.values())
    size = min(size, total)
    if total == 0:
        return {}
    exact = {key: size * n / total for key, n in sizes.items()}
    quotas = {key: int(value) for key, value in exact.items()}
    if size >= len(sizes):  # every stratum represented
        for key in quotas:
            quotas[key] = max(quotas[key], 1)
    # Largest remainders get the articles still missing (or give back any excess).
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] - int(exact[key])), key))
    while sum(quotas.values()) < size:
        for key in by_remainder:
            if sum(quotas.values()) < size and quotas[key] < sizes[key]:
                quotas[key] += 1
    floor = 1 if size >= len(sizes) else 0  # never take back a stratum's only article
    while sum(quotas.values()) > size:
        key = max((k for k in quotas if quotas[k] > floor), key=lambda k: (quotas[k] - exact[k], k))
        quotas[key] -= 1
    return quotas


def write_package(
    store: Store,
    sample: Sample,
    path: str | Path,
    name: str,
    for_whom: str,
    by_whom: str,
    notes: list[str] | None = None,
) -> Path:
    """Write the sample as a zip a colleague imports: manifest, labels, articles (no annotations).

    The colleague codes blind: nobody's spans or tags travel in the package. Their work comes
    back by merging their project file (or export) into this one. The labels are those of
    the project made loadable (core.schema.usable_labels: a project from before the one rule
    for names may hold "PERSON" beside "Person"); what was left out goes to `notes`.
    """
    target = Path(path)
    manifest = {
        "marginalia_package": PACKAGE_FORMAT,
        "name": name,
        "for": for_whom,
        "created_by": by_whom,
        "created_at": now(),
        "seed": sample.seed,
        "stratified_by": sample.by,
        "strata": dict(sample.strata),
        "articles": len(sample.ids),
    }
    labels, changed = usable_labels(store.labels())
    if notes is not None:
        notes.extend(changed)
    schema = LabelSchema(store.setting("schema_name", "Marginalia labels"), tuple(labels))
    try:
        with (
            whole_path(target) as partial,
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            archive.writestr(LABELS, schema_to_yaml(schema))
            with archive.open(ARTICLES, "w") as handle:
                for article_id in sample.ids:
                    handle.write(_record(store, article_id, name).encode("utf-8"))
    except ExportError as error:
        raise PackageError(str(error)) from error
    return target


def _record(store: Store, article_id: int, sample_name: str) -> str:
    article = store.article(article_id)
    meta = dict(article.meta)
    meta["sample"] = sample_name
    record = {
        "uid": article.uid,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published,
        "text": article.text,
        "meta": meta,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def is_package(path: Path) -> bool:
    """True for a zip file that holds a Marginalia sample manifest."""
    if path.suffix.lower() != ".zip" or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return MANIFEST in archive.namelist()
    except READ_ERRORS:
        return False


def open_package(path: Path, workdir: Path) -> Package:
    """Check a package and unpack its articles into `workdir`; raise PackageError if unusable.

    Only the three known members are read, by name, and never written to a path taken from
    the archive, so "../" names, absolute paths and links in it have no effect. Sizes are
    checked before and while unpacking, so a decompression bomb stops at the limit.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            for member in (MANIFEST, LABELS, ARTICLES):
                info = members.get(member)
                if info is None:
                    raise PackageError(f"{path}: not a Marginalia sample package (no {member})")
                check_member(info, MAX_MEMBER_BYTES[member])
            manifest = json.loads(read_member(archive, MANIFEST, MAX_MEMBER_BYTES[MANIFEST]))
            if not isinstance(manifest, dict) or manifest.get("marginalia_package") != 1:
                raise PackageError(f"{path}: {MANIFEST} is not a Marginalia package manifest")
            labels = read_member(archive, LABELS, MAX_MEMBER_BYTES[LABELS]).decode("utf-8")
            schema, notes = parse_usable_schema(labels, LABELS)
            articles = workdir / ARTICLES
            copy_member(archive, members[ARTICLES], articles, MAX_MEMBER_BYTES[ARTICLES])
    except ArchiveError as error:
        raise PackageError(f"{path}: {error}") from None
    except (*READ_ERRORS, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageError(f"{path}: not a readable package ({error})") from error
    except SchemaError as error:
        raise PackageError(f"{path}: {error}") from error
    return Package(manifest, schema.labels, articles, [f"{path}: {note}" for note in notes])


def sample_name(for_whom: str, seed: int) -> str:
    """A default name for a sample: who it is for and its seed."""
    return f"double-coding for {for_whom}, seed {seed}"
