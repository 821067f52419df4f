"""Where a project file lives: a network share or a synced folder is a risk worth saying."""

from __future__ import annotations

import os
from pathlib import Path, PurePath

# File systems whose locks or write ordering SQLite cannot trust (its own documentation
# warns against network file systems), as /proc/mounts names them.
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "sshfs", "fuse.sshfs", "davfs", "fuse.davfs2",
     "fuse.rclone", "afs", "glusterfs", "fuse.glusterfs", "ceph", "fuse.s3fs", "9p", "lustre",
     "fuse.gcsfuse", "fuse.onedriver"}
)  # fmt: skip
# Folders that a sync client copies behind SQLite's back: it may upload a half-written
# database, or replace the file with another machine's copy while it is open.
SYNCED_FOLDERS = (
    "dropbox", "onedrive", "google drive", "googledrive", "my drive", "icloud drive",
    "mobile documents", "nextcloud", "owncloud", "pcloud", "box sync", "mega", "seafile",
    "syncthing", "resilio sync", "sync.com",
)  # fmt: skip


def location_warning(path: Path, mounts: Path = Path("/proc/mounts")) -> str:
    """Why keeping a project at `path` is risky, or "" when it is an ordinary local disk."""
    folder = path.resolve().parent
    if str(folder).startswith(("\\\\", "//")):
        return f"{path} is on a network share: keep projects on a local disk"
    file_system = _file_system(folder, mounts)
    if file_system in NETWORK_FILE_SYSTEMS:
        return (
            f"{path} is on a network file system ({file_system}): SQLite's locks are not "
            "reliable there; keep projects on a local disk and share exports or copies"
        )
    synced = _synced_folder(folder)
    if synced:
        return (
            f"{path} is in a synced folder ({synced}): a sync client can copy or replace the "
            "file while it is open; keep projects outside it and share exports or copies"
        )
    return ""


def _synced_folder(folder: PurePath) -> str:
    """The name of the sync client's folder that `folder` is inside, or ""."""
    for part in folder.parts:
        lowered = part.casefold()
        for name in SYNCED_FOLDERS:
            # "OneDrive - Contoso", "Dropbox (Personal)", "Nextcloud" all start with the name.
            if lowered == name or lowered.startswith((name + " ", name + "-", name + "(")):
                return part
    return ""


def _file_system(folder: Path, mounts: Path) -> str:
    """The type of the file system holding `folder` (Linux: from /proc/mounts), or ""."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    best, kind = "", ""
    target = os.fspath(folder)
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):  # the deepest mount point holding it
            best, kind = point, fields[2]
    return kind
