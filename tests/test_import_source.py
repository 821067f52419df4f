"""An article imported from a folder has that folder as its source; paths stay relative."""

import json
import zipfile

from desktop_app.cli import main
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleFilter
from desktop_app.core.store import Store


def corpus(tmp_path):
    root = tmp_path / "bbc"
    for topic, n in (("business", 2), ("sport", 1)):
        (root / topic).mkdir(parents=True)
        for i in range(n):
            (root / topic / f"00{i}.txt").write_text(f"{topic} story {i}\n\nText {i}.")
    (root / "sport" / "2005").mkdir()
    (root / "sport" / "2005" / "009.txt").write_text("Older sport story")
    (root / "top.txt").write_text("A story beside the topics")
    return root


def sources(store):
    rows = store.article_rows(ArticleFilter(sort="title"), None, 100)
    return {row.uid: row.source for row in rows}


def test_folder_import_sets_source_and_relative_paths(tmp_path):
    root = corpus(tmp_path)
    store = Store.memory()
    import_paths(store, [root])
    assert sources(store) == {
        "business/000": "business",
        "business/001": "business",
        "sport/000": "sport",
        "2005/009": "sport/2005",
        "bbc/top": "bbc",  # directly in the chosen folder: its own name
    }
    article = store.article(store.article_id("business/001"))
    assert article.meta["path"] == "business/001.txt"
    assert article.meta["folder"] == "business"
    assert str(tmp_path) not in json.dumps(article.meta)


def test_a_named_file_takes_its_folders_name(tmp_path):
    root = corpus(tmp_path)
    store = Store.memory()
    import_paths(store, [root / "sport" / "000.txt", root / "business"])
    found = sources(store)
    assert found["sport/000"] == "sport"
    assert found["business/000"] == "business"
    assert store.article(store.article_id("sport/000")).meta["path"] == "000.txt"
    assert store.article(store.article_id("business/000")).meta["path"] == "000.txt"


def test_an_archive_names_its_members_not_a_temporary_folder(tmp_path):
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("news/a.txt", "An article about energy.")
    store = Store.memory()
    import_paths(store, [archive])
    article = store.article(store.article_id("news/a"))
    assert (article.source, article.meta["path"]) == ("news", "feed.zip!news/a.txt")


def test_command_line_import_and_export_carry_the_source(tmp_path, capsys):
    root = corpus(tmp_path)
    db = str(tmp_path / "p.sqlite")
    assert main(["import", "--db", db, str(root)]) == 0
    out = tmp_path / "out.jsonl"
    assert main(["export", "--db", db, "--format", "jsonl", "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["uid"]: r["source"] for r in records}["sport/000"] == "sport"
    assert str(tmp_path) not in out.read_text(encoding="utf-8")


def test_older_projects_take_the_folder_from_the_metadata(tmp_path):
    from sqlite_utils import Database

    from desktop_app.core.migrations import MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = Database(path)
    for number, (name, step) in enumerate(MIGRATIONS, start=1):
        if name == "source_from_folder":
            break
        step(db)
        db.conn.execute(f"PRAGMA user_version = {number}")
    meta = json.dumps({"path": "/home/ana/bbc/sport/001.txt", "folder": "sport"})
    for uid, source, data in (("sport/001", "", meta), ("x", "AFP", meta), ("y", "", "{}")):
        db.conn.execute(
            "INSERT INTO articles (uid, source, text, text_sha256, meta, imported_at) "
            "VALUES (?, ?, 'Some words here', '', ?, '')",
            (uid, source, data),
        )
    db.conn.commit()
    db.close()
    store = Store.open(path)
    try:
        assert sources(store) == {"sport/001": "sport", "x": "AFP", "y": ""}
        assert store.count_articles(ArticleFilter(search="words")) == 3  # index untouched
        assert store.check(full=True) == []
    finally:
        store.close()
