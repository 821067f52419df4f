"""Reading zip archives someone else made, safely: sizes capped, names never trusted as paths.

A zip can lie: a member's declared size may be small while it inflates to gigabytes (a
decompression bomb), its name may be `../../.bashrc` or `/etc/passwd`, it may be a symbolic
link. Every read here counts the bytes actually produced, and `unpack` refuses an archive
whose names or links would reach outside the folder it unpacks into.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

# What reading a damaged or unusual archive raises: a damaged deflate stream (zlib.error),
# an encrypted member (RuntimeError), an unsupported compression method or zip version
# (NotImplementedError), a truncated file (EOFError, BadZipFile), a member name flagged UTF-8
# that is not (UnicodeDecodeError, a ValueError).
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    EOFError,
    OSError,
    ValueError,
)
MAX_RATIO = 200  # inflating more than 200x (and past 1 MB) is a bomb, not text
MAX_MEMBERS = 200_000
MAX_UNPACKED_BYTES = 2 << 30  # 2 GiB in all


class ArchiveError(ValueError):
    """An archive that cannot be read safely; the message names the member and the reason."""


def check_member(info: zipfile.ZipInfo, limit: int) -> None:
    """Refuse a member whose declared size is over `limit` or whose ratio is a bomb's."""
    if info.file_size > limit or (
        info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1)
    ):
        raise ArchiveError(f"{info.filename} unpacks too large")


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, by exact name, never more than `limit` (whatever its header says)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ArchiveError(f"no {name} in the archive") from None
    check_member(info, limit)
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ArchiveError(f"{name} unpacks too large")
    return data


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int) -> int:
    """Write a member to `target`, stopping with ArchiveError past `limit` bytes; its size."""
    check_member(info, limit)
    written = 0
    with archive.open(info) as source, target.open("wb") as out:
        while chunk := source.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise ArchiveError(f"{info.filename} unpacks too large")
            out.write(chunk)
    return written


def safe_member_path(name: str) -> PurePosixPath | None:
    """The member's path inside the archive, or None when it would land outside the folder
    it is unpacked into (`..`, an absolute path, a drive letter, a backslash trick)."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        return None
    return path


def is_link(info: zipfile.ZipInfo) -> bool:
    """True when the member is a symbolic link (Unix mode bits in its external attributes)."""
    return stat.S_ISLNK(info.external_attr >> 16)


def unpack(
    path: Path,
    into: Path,
    max_bytes: int = MAX_UNPACKED_BYTES,
    max_members: int = MAX_MEMBERS,
    wanted: Callable[[str], bool] = lambda name: True,
) -> list[Path]:
    """Unpack the regular files of the zip at `path` that `wanted` accepts (given each
    member's path inside the archive) under `into`.

    The whole archive is refused, before anything is written, when a member's name leaves
    the folder, a member is a link, or two members share a name (as a case-insensitive file
    system sees it); sizes are counted while unpacking, so a bomb stops at `max_bytes` in
    all. Hidden files and folders (`.DS_Store`, `__MACOSX`) are skipped. Errors do not
    repeat the archive's path: the caller names it.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return _unpack(archive, into, max_bytes, max_members, wanted)
    except ArchiveError:
        raise
    except READ_ERRORS as error:
        raise ArchiveError(f"not a readable zip archive ({error})") from error


def _unpack(
    archive: zipfile.ZipFile,
    into: Path,
    max_bytes: int,
    max_members: int,
    wanted: Callable[[str], bool],
) -> list[Path]:
    infos = archive.infolist()
    if len(infos) > max_members:
        raise ArchiveError(f"{len(infos):,} members, more than {max_members:,}")
    chosen: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    names: set[str] = set()
    for info in infos:
        member = safe_member_path(info.filename)
        if member is None:
            raise ArchiveError(f"member {info.filename!r} would unpack outside its folder")
        if is_link(info):
            raise ArchiveError(f"member {info.filename!r} is a link")
        hidden = any(part.startswith(".") or part == "__MACOSX" for part in member.parts)
        if info.is_dir() or hidden or not member.parts or not wanted(member.as_posix()):
            continue
        folded = member.as_posix().casefold()
        if folded in names:
            raise ArchiveError(f"two members are named {info.filename!r}")
        names.add(folded)
        chosen.append((info, member))
    written: list[Path] = []
    budget = max_bytes
    for info, member in chosen:
        target = into.joinpath(*member.parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            budget -= copy_member(archive, info, target, budget)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            raise ArchiveError(
                f"member {info.filename!r} is both a file and a folder in the archive"
            ) from None
        written.append(target)
    return written
