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
from pathlib import Path, PurePosixPath

# What reading a damaged or unusual archive raises: a damaged deflate stream (zlib.error),
# an encrypted member (RuntimeError), an unsupported compression method (NotImplementedError),
# a truncated file (EOFError, BadZipFile).
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    EOFError,
    OSError,
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
) -> list[Path]:
    """Unpack every regular file of the zip at `path` under `into`; return the files written.

    The whole archive is refused, before anything is written, when a member's name leaves
    the folder or a member is a link; sizes are counted while unpacking, so a bomb stops at
    `max_bytes` in all. Hidden files and folders (`.DS_Store`, `__MACOSX`) are skipped.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > max_members:
                raise ArchiveError(f"{len(infos):,} members, more than {max_members:,}")
            wanted: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
            for info in infos:
                member = safe_member_path(info.filename)
                if member is None:
                    raise ArchiveError(f"member {info.filename!r} would unpack outside its folder")
                if is_link(info):
                    raise ArchiveError(f"member {info.filename!r} is a link")
                hidden = any(part.startswith(".") or part == "__MACOSX" for part in member.parts)
                if not info.is_dir() and not hidden and member.parts:
                    wanted.append((info, member))
            written: list[Path] = []
            budget = max_bytes
            for info, member in wanted:
                target = into.joinpath(*member.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= copy_member(archive, info, target, budget)
                written.append(target)
            return written
    except ArchiveError as error:
        raise ArchiveError(f"{path}: {error}") from None
    except READ_ERRORS as error:
        raise ArchiveError(f"{path}: not a readable zip archive ({error})") from error
