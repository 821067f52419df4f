"""The crash harness, small: 20 kills of a writer, nothing acknowledged may be lost."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import crash  # noqa: E402


def test_twenty_kills_lose_no_acknowledged_edit(tmp_path):
    report = crash.run(kills=20, seed=11, workdir=tmp_path)
    assert report.kills == 20
    assert report.second_writers == 5  # every fourth round tries a second writer by a hard link
    assert report.acknowledged > 100  # the writer did real work between kills
    assert len(report.interrupted) >= 2, report.summary()  # kills land inside operations
    assert report.lost == [] and report.integrity_failures == []


def test_the_checker_sees_a_lost_edit_and_a_half_merge(tmp_path):
    project = tmp_path / "p.sqlite"
    crash.setup(project, seed=1)
    log = tmp_path / "round.log"
    log.write_text("add\tnever-stored\tPerson\nok\nmerge\tmrgX\t/none\n", encoding="utf-8")
    from desktop_app.core.store import Store

    store = Store.open(project)
    article = store.article_id("base-0")
    store.add_span(article, 0, 3, "Person", "colleague", span_uuid="mrgX-0-0")  # 1 of 30
    store.close()
    found = crash.check(project, log, crash.Truth())
    assert found.acknowledged == 1
    assert any("never-stored" in lost for lost in found.lost)
    assert any("merge mrgX half applied (1 spans)" in lost for lost in found.lost)


def test_the_checker_sees_a_broken_offset(tmp_path):
    project = tmp_path / "p.sqlite"
    crash.setup(project, seed=1)
    from desktop_app.core.store import Store

    store = Store.open(project)
    store.add_span(store.article_id("base-0"), 0, 3, "Person", "ana")
    with store.db.atomic():  # as another tool that ignores the project's own rules would
        store.db.execute("DROP TRIGGER spans_offsets_fixed")
        store.db.execute("UPDATE spans SET quote = 'xyz'")
    store.close()
    log = tmp_path / "round.log"
    log.write_text("", encoding="utf-8")
    found = crash.check(project, log, crash.Truth())
    assert found.integrity == ["1 spans whose quote is not the text at their offsets"]


def test_the_checker_sees_half_an_article_before_a_rerun_could_hide_it(tmp_path):
    import random

    from desktop_app.core.importing import import_paths
    from desktop_app.core.store import Store

    project = tmp_path / "p.sqlite"
    crash.setup(project, seed=1)
    source = tmp_path / "impT.jsonl"
    crash._write_import(source, "impT", random.Random(1))
    store = Store.open(project)
    import_paths(store, [source])
    article = store.article_id("impT-3")
    with store.db.atomic():  # an import that landed half an article (it never does)
        store.db.execute("DELETE FROM spans WHERE article = ? AND label = 'Claim'", (article,))
    store.close()
    log = tmp_path / "round.log"
    log.write_text(f"add\tx\tPerson\nimport\timpT\t{source}\n", encoding="utf-8")
    found = crash.check(project, log, crash.Truth())
    assert "an operation before the last was never acknowledged" in found.lost
    assert any("import impT" in lost for lost in found.lost)
    assert found.interrupted == "import" and found.reruns == 1


def test_kills_during_a_migration_lose_nothing(tmp_path):
    report = crash.Report()
    crash.run_migrations(kills=3, seed=5, workdir=tmp_path, report=report)
    assert report.migration_kills == 3
    assert report.integrity_failures == []


def test_the_migration_checker_sees_a_lost_span(tmp_path):
    project = tmp_path / "old.sqlite"
    articles, spans = crash.old_project(project, seed=2)
    from desktop_app.core.store import Store

    store = Store.open(project)  # migrates
    store.update_span("old-0-0", deleted=True)
    store.close()
    assert crash.check_migrated(project, articles, spans) == [
        f"{articles} of {articles} articles, {spans - 1} of {spans} spans after migrating"
    ]
