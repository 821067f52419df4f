"""Where things live: the resources folder and the project file (the one place that knows)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

DB_ENVIRONMENT_VARIABLE = "MARGINALIA_DB"
APP_NAME = "Marginalia"


def resources_dir() -> Path:
    """The resources folder: inside the package when installed, at the checkout's root otherwise."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "resources", package.parent / "resources"):
        if (candidate / "labels.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"Marginalia's resources folder is missing (looked beside {package})")


def default_schema_path() -> Path:
    """The label schema a new project starts with."""
    return resources_dir() / "labels.yaml"


def samples_dir() -> Path:
    """The sample articles the project wrote itself, loaded into a new default project."""
    return resources_dir() / "samples"


def default_db_path() -> Path:
    """The default project file in the platform's user data folder."""
    return user_data_path(APP_NAME, appauthor=False) / "project.sqlite"


def resolve_db_path(explicit: str | Path | None) -> tuple[Path, bool]:
    """The project file to use: --db, else $MARGINALIA_DB, else the default.

    The flag says whether it is the default project (which gets the sample articles).
    """
    if explicit:
        return Path(explicit).expanduser(), False
    from_env = os.environ.get(DB_ENVIRONMENT_VARIABLE)
    if from_env:
        return Path(from_env).expanduser(), False
    return default_db_path(), True


def guide_path() -> Path:
    """The user guide (the README): shipped in the package's resources, or the checkout's."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "resources" / "README.md", package.parent / "README.md"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"Marginalia's user guide (README.md) is missing (looked beside {package})"
    )


def guide_resource(link: str) -> Path | None:
    """The file an image or link in the guide names, installed or not (None if it is not ours).

    The README names images as `resources/NAME`; installed, they sit in the package's resources.
    """
    if "://" in link or link.startswith(("#", "/")):
        return None
    if link.startswith("resources/"):
        candidate = resources_dir() / link.removeprefix("resources/")
    else:
        candidate = guide_path().parent / link
    return candidate if candidate.is_file() else None
