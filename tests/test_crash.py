"""The crash harness, small: 20 kills of a writer, nothing acknowledged may be lost."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import crash  # noqa: E402


def test_twenty_kills_lose_no_acknowledged_edit(tmp_path):
    report = crash.run(kills=20, seed=11, workdir=tmp_path)
    assert report.kills == 20
    assert report.acknowledged > 100  # the writer did real work between kills
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
