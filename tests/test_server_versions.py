"""The team server's version counter (gap-free, in commit order), NOTIFY and identity."""

import threading
import time

import psycopg
import pytest
from psycopg import errors, sql

from desktop_app.core.sync.server_tables import CHANNEL

TEXT = "One article, many hands."
SPAN = (
    'INSERT INTO marginalia.spans (uuid, article_uid, label, start, "end", quote, created_at, '
    "updated_at) VALUES (%s, 'a1', 'P', 0, 3, 'One', 't', 't') RETURNING version"
)


@pytest.fixture
def team(pg_team):
    """The team with one article to annotate."""
    with pg_team.connect("ana") as conn:
        conn.execute(
            "INSERT INTO marginalia.articles (uid, text, text_sha256, imported_at) "
            "VALUES ('a1', %s, encode(sha256(convert_to(%s, 'UTF8')), 'hex'), 'now')",
            (TEXT, TEXT),
        )
    return pg_team


def counter(team):
    with team.server.admin(team.database) as conn:
        return conn.execute("SELECT version FROM marginalia.change_counter").fetchone()[0]


def versions(team):
    """Every row's version, all tables (each row written once in these tests)."""
    with team.server.admin(team.database) as conn:
        rows = conn.execute(
            "SELECT version FROM marginalia.articles UNION ALL "
            "SELECT version FROM marginalia.spans UNION ALL SELECT version FROM marginalia.tags"
        ).fetchall()
    return sorted(v for (v,) in rows)


def add_span(conn, uuid):
    return conn.execute(SPAN, (uuid,)).fetchone()[0]


def test_one_version_per_writing_transaction(team):
    start = counter(team)
    with team.connect("ana") as conn:
        got = {add_span(conn, f"s{i}") for i in range(3)}
        conn.execute(
            "INSERT INTO marginalia.tags (uuid, article_uid, label, created_at, updated_at) "
            "VALUES ('t1', 'a1', 'Topic', 't', 't')"
        )
    assert got == {start + 1}
    assert counter(team) == start + 1
    with team.connect("ana", autocommit=True) as conn:  # each statement its own transaction
        assert [add_span(conn, f"auto{i}") for i in range(2)] == [start + 2, start + 3]
    with team.connect("bob") as conn:  # reading bumps nothing
        conn.execute("SELECT * FROM marginalia.spans").fetchall()
    assert counter(team) == start + 3


def test_an_update_takes_a_new_version_and_a_stale_one_changes_nothing(team):
    with team.connect("ana") as conn:
        first = add_span(conn, "s1")
    push = "UPDATE marginalia.spans SET label = %s WHERE uuid = 's1' AND version = %s"
    with team.connect("ana") as conn:
        assert conn.execute(push + " RETURNING version", ("Q", first)).fetchone() == (first + 1,)
    with team.connect("ana") as conn:  # still at `first`: someone changed it since
        assert conn.execute(push, ("R", first)).rowcount == 0


def wait_until_blocked(team, user):
    """Wait until `user`'s backend waits on a lock (it queued behind the counter row)."""
    with team.server.admin(team.database) as admin:
        for _ in range(200):
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = %s "
                "AND wait_event_type = 'Lock'",
                (user,),
            ).fetchone()
            if row[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"{user} never waited for the counter")


def in_thread(work):
    result = {}

    def run():
        try:
            result["value"] = work()
        except Exception as error:  # handed back to the test
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_concurrent_writers_take_versions_in_commit_order(team):
    start = counter(team)
    ana = team.connect("ana")
    bob = team.connect("bob")
    try:
        assert add_span(ana, "ana-1") == start + 1  # ana holds the counter until she ends
        thread, result = in_thread(lambda: add_span(bob, "bob-1"))
        wait_until_blocked(team, "bob")
        assert counter(team) == start  # nothing committed yet: readers see no version
        ana.commit()
        thread.join(10)
        assert result == {"value": start + 2}
        bob.commit()
    finally:
        ana.close()
        bob.close()
    assert versions(team)[-2:] == [start + 1, start + 2]


def test_a_rolled_back_or_killed_writer_leaves_no_gap(team):
    start = counter(team)
    with team.connect("ana") as conn:
        assert add_span(conn, "gone") == start + 1
        conn.rollback()
        assert add_span(conn, "kept") == start + 1  # the same number again
    # A writer that waited behind one who then rolled back takes that one's number.
    ana, bob = team.connect("ana"), team.connect("bob")
    try:
        assert add_span(ana, "ana-gone") == start + 2
        thread, result = in_thread(lambda: add_span(bob, "bob-kept"))
        wait_until_blocked(team, "bob")
        ana.rollback()
        thread.join(10)
        assert result == {"value": start + 2}
        bob.commit()
    finally:
        ana.close()
        bob.close()
    # A writer killed mid-transaction (the server ends its backend) loses nothing of others'.
    victim = team.connect("ana")
    assert add_span(victim, "killed") == start + 3
    with team.server.admin(team.database) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'ana'"
        )
    with pytest.raises(psycopg.OperationalError):
        victim.execute("SELECT 1")
    victim.close()
    with team.connect("bob") as conn:
        assert add_span(conn, "after-kill") == start + 3
    # Every committed version is there, none missing.
    assert versions(team) == list(range(1, counter(team) + 1))


def test_savepoints_keep_one_version_and_roll_back_the_bump_with_them(team):
    start = counter(team)
    with team.connect("ana") as conn:
        conn.execute("SELECT 1")  # the transaction is open: conn.transaction() is a savepoint
        with pytest.raises(errors.CheckViolation), conn.transaction():
            add_span(conn, "first-try")  # the transaction's first write, rolled back...
            raise errors.CheckViolation("refused")
        assert add_span(conn, "second") == start + 1  # ...so the number is given again
        with pytest.raises(errors.UniqueViolation), conn.transaction():
            add_span(conn, "second")
        assert add_span(conn, "third") == start + 1
    assert counter(team) == start + 1
    assert versions(team) == [*range(1, start + 1), start + 1, start + 1]


def notifications(conn, seconds):
    return [n.payload for n in conn.notifies(timeout=seconds, stop_after=1)]


def test_a_listener_hears_the_new_version_after_commit_only(team):
    with team.connect("bob", autocommit=True) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
        with team.connect("ana") as writer:
            version = add_span(writer, "heard")
            add_span(writer, "heard-too")
            assert notifications(listener, 0.3) == []  # not before the commit
            writer.commit()
            assert notifications(listener, 5) == [str(version)]
            assert notifications(listener, 0.3) == []  # once per transaction
            add_span(writer, "never")
            writer.rollback()
            assert notifications(listener, 0.3) == []


def test_the_identity_changes_when_the_server_is_reset_or_copied(team, pg_server):
    from desktop_app.core.sync.server_admin import server_status
    from desktop_app.core.sync.server_schema import init_server

    first = server_status(team.url("bob")).identity
    assert init_server(team.admin_url).identity == first  # an upgrade keeps it
    copy = pg_server.fresh_database(f"{team.database}_copy")
    with pg_server.admin() as admin:  # a restored copy of the same data is another server
        admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(copy)))
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy), sql.Identifier(team.database)
            )
        )
    try:
        copied = server_status(pg_server.url(copy)).identity
        assert copied.split("/")[0] == first.split("/")[0] and copied != first
    finally:
        with pg_server.admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(copy)))
    with pg_server.admin(team.database) as admin:  # a reset: the schema made again
        admin.execute("DROP SCHEMA marginalia CASCADE")
    assert init_server(team.admin_url).identity != first
