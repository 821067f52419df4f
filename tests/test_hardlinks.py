"""One writer per project file, whatever name reaches it: hard links, symlinks, new files."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.cli import main as cli
from desktop_app.core.model import ArticleDraft, ArticleFilter
from desktop_app.core.project import open_project
from desktop_app.core.store import ProjectLocked, Store
from desktop_app.paths import default_schema_path

ROOT = Path(__file__).resolve().parents[1]


def _project(path):
    store, _ = open_project(path, default_schema_path())
    store.add_articles([ArticleDraft("Nino met Amélie in Tbilisi.", "a1")])
    store.close()


def test_a_hard_link_does_not_give_the_file_a_second_writer(tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path)
    (tmp_path / "elsewhere").mkdir()
    linked = tmp_path / "elsewhere" / "p2.sqlite"  # another folder: another PATH.lock
    os.link(path, linked)
    store = Store.open(path)
    with pytest.raises(ProjectLocked, match="open in another Marginalia"):
        Store.open(linked)
    store.close()
    # Once the first writer is gone, either name opens (the lock went with it).
    again = Store.open(linked)
    with pytest.raises(ProjectLocked):
        Store.open(path)
    again.close()


def test_a_new_project_is_locked_by_identity_from_its_first_open(tmp_path):
    path = tmp_path / "new.sqlite"
    store = Store.open(path)  # the file did not exist before this open
    linked = tmp_path / "new-link.sqlite"
    os.link(path, linked)
    with pytest.raises(ProjectLocked):
        Store.open(linked)
    store.close()


def test_a_failed_second_open_leaves_the_first_writer_locked(tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path)
    linked = tmp_path / "p2.sqlite"
    os.link(path, linked)
    store = Store.open(path)
    for _ in range(2):  # the refused opener must not take the first one's locks with it
        with pytest.raises(ProjectLocked):
            Store.open(linked)
    with pytest.raises(ProjectLocked):
        Store.open(path)
    store.close()


@pytest.fixture
def held_through_link(tmp_path):
    """The project open for writing in another process through one name; a hard link beside."""
    path = tmp_path / "p.sqlite"
    _project(path)
    (tmp_path / "other").mkdir()
    linked = tmp_path / "other" / "p2.sqlite"
    os.link(path, linked)
    code = textwrap.dedent(
        f"""
        import time
        from desktop_app.core.store import Store
        store = Store.open({str(path)!r})
        print("ready", flush=True)
        time.sleep(120)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    yield path, linked
    process.kill()
    process.wait()


def test_an_import_through_a_hard_link_is_refused_while_another_process_writes(
    held_through_link, tmp_path, capsys
):
    path, linked = held_through_link
    source = tmp_path / "more.jsonl"
    source.write_text(json.dumps({"uid": "b1", "text": "Tamar went to Kutaisi."}) + "\n")
    assert cli(["--db", str(linked), "import", str(source)]) != 0
    assert "open in another Marginalia" in capsys.readouterr().err
    # A reading command still reads through the link, beside the writer.
    assert cli(["--db", str(linked), "stats"]) == 0
    reader = Store.open(path, read_only=True)
    assert reader.count_articles(ArticleFilter()) == 1 and reader.check(full=True) == []
    reader.close()


def test_two_imports_at_once_through_two_names_leave_one_writer(tmp_path):
    path = tmp_path / "p.sqlite"
    _project(path)
    linked = tmp_path / "p2.sqlite"
    os.link(path, linked)
    sources = []
    for name in ("x", "y"):
        source = tmp_path / f"{name}.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for n in range(3000):
                out.write(json.dumps({"uid": f"{name}{n}", "text": f"{name} {n}. " * 40}) + "\n")
        sources.append(source)
    code = "import sys; from desktop_app.cli import main; sys.exit(main(sys.argv[1:]))"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code, "--db", str(db), "import", str(source)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for db, source in zip((path, linked), sources, strict=True)
    ]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    refused = [err for code, err in results if code != 0]
    # Either both ran one after the other (the second found the lock free), or one was refused.
    assert all("open in another Marginalia" in err for err in refused), results
    saved = Store.open(path)
    assert saved.check(full=True) == []
    assert saved.count_articles(ArticleFilter()) == 1 + 3000 * (2 - len(refused))
    saved.close()
