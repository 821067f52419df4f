"""Zip archives and sample packages named for import: unpacked, and named as a person knows them."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

from desktop_app.core.archives import ArchiveError, unpack
from desktop_app.core.importers.discover import is_refi_zip, skip_reason
from desktop_app.core.model import ArticleDraft, ImportProblem
from desktop_app.core.sampling import PackageError, is_package, open_package
from desktop_app.core.store import Store

# Text compresses 3-10x; an archive that inflates past this many times its own size (and
# past the floor) is a bomb, whatever its headers say, since bytes are counted as written.
MAX_INFLATION, INFLATION_FLOOR = 200, 64 << 20


class UnpackedArchives:
    """Archives named for import, each unpacked into its own folder under `workdir`."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.problems: list[ImportProblem] = []
        self.skipped: list[ImportProblem] = []  # members left packed: not an input
        self.notes: list[ImportProblem] = []  # taken, not quite as written (a package's labels)
        self.archives: dict[Path, Path] = {}  # unpacked folder -> the archive it came from
        # A file of doccano's per-user export (a zip of USER.jsonl files) -> USER.
        self.annotators: dict[Path, str] = {}

    def expand(self, store: Store, path: Path, fmt: str, per_user_files: bool) -> Path | None:
        """The path to import in place of `path`: a sample package's articles file (its
        labels join the project), an archive's unpacked folder, or `path` itself; None
        when the archive cannot be used (the reason is in `problems`).

        With `per_user_files` (no annotator was chosen), a zip of two or more top-level
        NAME.jsonl files is doccano's per-user export: NAME is each file's annotator.
        """
        if path.suffix.lower() != ".zip" or not path.is_file() or fmt == "refi":
            return path
        if fmt == "auto" and is_refi_zip(path):
            return path  # a REFI-QDA project named .zip: read whole, codebook and all
        place = Path(tempfile.mkdtemp(dir=self.workdir))
        if fmt in ("auto", "package") and is_package(path):
            try:
                package = open_package(path, place)
            except PackageError as error:
                self.problems.append(ImportProblem(str(path), str(error)))
                return None
            store.add_labels(package.labels)
            self.notes.extend(ImportProblem(str(path), note) for note in package.problems)
            self.archives[place] = path
            return package.articles
        folder = place / path.stem  # top-level files get uids like an unpacked folder's
        budget = max(INFLATION_FLOOR, MAX_INFLATION * path.stat().st_size)

        skipped: list[ImportProblem] = []

        def wanted(member: str) -> bool:  # only what an import would read
            why = skip_reason(Path(member), "auto" if fmt == "package" else fmt)
            if why:
                skipped.append(ImportProblem(f"{path}!{member}", why))
            return why is None

        try:
            files = unpack(path, folder, max_bytes=budget, wanted=wanted)
        except ArchiveError as error:
            self.problems.append(ImportProblem(str(path), str(error)))
            return None
        self.skipped.extend(skipped)
        if not files:
            self.problems.append(ImportProblem(str(path), "no importable files in the archive"))
            return None
        self.archives[folder] = path
        jsonl = [f for f in files if f.parent == folder and f.suffix.lower() == ".jsonl"]
        if per_user_files and len(jsonl) == len(files) >= 2:
            self.annotators.update({f: f.stem for f in jsonl if f.stem.lower() != "all"})
        return folder

    def outside(self, where: str) -> str:
        """`where` (a path, "path:line" or "path#name") with an unpacked file's temporary path
        replaced by ARCHIVE.zip!member."""
        for folder, archive in self.archives.items():
            prefix = str(folder)
            if where == prefix or where.startswith(prefix + os.sep):
                member = where[len(prefix) :].lstrip(os.sep)
                return f"{archive}!{member.replace(os.sep, '/')}"
        return where

    def relocated(self, item: object) -> object:
        """A draft or problem read from an unpacked file, naming the archive, not /tmp."""
        if not self.archives:
            return item
        if isinstance(item, ImportProblem):
            return ImportProblem(self.outside(item.origin), item.reason)
        if isinstance(item, ArticleDraft):
            meta = item.meta
            if isinstance(meta.get("path"), str):
                meta = {**meta, "path": self.outside(meta["path"])}
            return replace(item, origin=self.outside(item.origin), meta=meta)
        return item
