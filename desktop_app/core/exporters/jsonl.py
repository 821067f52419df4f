"""The native JSONL export: one article per line with its spans, tags and statuses."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store


class ExportError(RuntimeError):
    """An export that could not be written, with the file and the reason."""


def export_jsonl(
    store: Store,
    out: str | Path,
    flt: ArticleFilter | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the filtered articles to `out` as JSONL; return how many were written.

    The file is written beside its target and renamed at the end, so a failed export
    never leaves a half-written file where a good one was.
    """
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as handle:
            for lines in store.native_json(flt or ArticleFilter()):
                for line in lines:
                    # The offset rule is checked on the way out too: an export never lies.
                    if line.mismatches:
                        raise ExportError(
                            f"{line.uid}: {line.mismatches} span(s) whose quote is not the "
                            "text at their offsets; run the integrity check"
                        )
                    handle.write(line.json)
                    handle.write("\n")
                count += len(lines)
                if progress:
                    progress(count)
        os.replace(partial, target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot write ({error.strerror or error})") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
