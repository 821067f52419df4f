"""Row-level security on the team server, tried with plain SQL as each analyst would."""

import psycopg
import pytest
from psycopg import errors

TEXT = "Ana wrote this. Bob wrote that."
ARTICLE = (
    "INSERT INTO marginalia.articles (uid, text, text_sha256, imported_at) "
    "VALUES (%s, %s, encode(sha256(convert_to(%s, 'UTF8')), 'hex'), 'now')"
)
SPAN = (
    'INSERT INTO marginalia.spans (uuid, article_uid, annotator, label, start, "end", quote, '
    "created_at, updated_at) VALUES (%s, 'a1', %s, 'Person', 0, 3, 'Ana', 't', 't')"
)
TAG = (
    "INSERT INTO marginalia.tags (uuid, article_uid, annotator, label, created_at, updated_at) "
    "VALUES (%s, 'a1', %s, 'Politics', 't', 't')"
)


@pytest.fixture
def team(pg_team):
    """The team with one article (ana's) holding one span, tag and status of ana's."""
    with pg_team.connect("ana") as conn:
        conn.execute(ARTICLE, ("a1", TEXT, TEXT))
        conn.execute(SPAN, ("span-ana", "ana"))
        conn.execute(TAG, ("tag-ana", "ana"))
        conn.execute(
            "INSERT INTO marginalia.statuses (article_uid, status, updated_at) "
            "VALUES ('a1', 'done', 't')"
        )
    return pg_team


def refused(team, name, statement, params=(), error=errors.InsufficientPrivilege):
    """Run `statement` as `name` and expect the server to refuse it with `error`."""
    with team.connect(name) as conn, pytest.raises(error):
        conn.execute(statement, params)


def affected(team, name, statement, params=()):
    """Run `statement` as `name`; the number of rows it changed (committed)."""
    with team.connect(name) as conn:
        return conn.execute(statement, params).rowcount


def ana_rows(team):
    with team.connect("adam") as conn:
        span = conn.execute(
            "SELECT label, deleted, version FROM marginalia.spans WHERE uuid = 'span-ana'"
        ).fetchone()
        tag = conn.execute("SELECT note FROM marginalia.tags WHERE uuid = 'tag-ana'").fetchone()
        status = conn.execute("SELECT status FROM marginalia.statuses").fetchone()
    return span, tag, status


def test_everyone_reads_everything(team):
    with team.connect("bob") as conn:
        assert conn.execute("SELECT annotator FROM marginalia.spans").fetchall() == [("ana",)]
        assert conn.execute("SELECT count(*) FROM marginalia.tags").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM marginalia.statuses").fetchone() == (1,)


def test_a_forged_insert_in_someone_elses_name_is_refused(team):
    refused(team, "bob", SPAN, ("span-forged", "ana"))
    refused(team, "bob", TAG, ("tag-forged", "ana"))
    refused(
        team,
        "bob",
        "INSERT INTO marginalia.statuses (article_uid, annotator, status, updated_at) "
        "VALUES ('a1', 'ana', 'todo', 't')",
    )
    refused(team, "bob", ARTICLE.replace("imported_at)", "imported_at, added_by)").replace(
        "'now')", "'now', 'ana')"
    ), ("a2", TEXT, TEXT))  # fmt: skip
    # Adjudicators too: they write layers (names nobody logs in with), never a person's rows.
    refused(team, "adam", SPAN, ("span-forged", "ana"))
    with team.connect("bob") as conn:  # in one's own name it works (the default annotator)
        conn.execute(SPAN.replace("annotator, ", "").replace("%s, 'Person'", "'Person'"), ("b1",))
        assert conn.execute(
            "SELECT annotator FROM marginalia.spans WHERE uuid = 'b1'"
        ).fetchone() == ("bob",)


def test_updates_of_someone_elses_rows_change_nothing(team):
    before = ana_rows(team)
    for statement in (
        "UPDATE marginalia.spans SET label = 'Forged' WHERE uuid = 'span-ana'",
        "UPDATE marginalia.spans SET deleted = true",  # a tombstone is an update too
        "UPDATE marginalia.tags SET note = 'forged'",
        "UPDATE marginalia.statuses SET status = 'todo'",
        "UPDATE marginalia.articles SET title = 'Forged'",
    ):
        assert affected(team, "bob", statement) == 0, statement
    assert ana_rows(team) == before
    with team.connect("bob") as conn:
        assert conn.execute("SELECT title FROM marginalia.articles").fetchone() == ("",)


def test_nobody_deletes_rows_deletions_are_tombstones(team):
    refused(team, "bob", "DELETE FROM marginalia.spans WHERE uuid = 'span-ana'")
    refused(team, "ana", "DELETE FROM marginalia.spans WHERE uuid = 'span-ana'")
    refused(team, "adam", "DELETE FROM marginalia.labels")
    assert affected(team, "ana", "UPDATE marginalia.spans SET deleted = true") == 1
    assert ana_rows(team)[0][1] is True


def test_one_cannot_hand_a_row_to_someone_else(team):
    refused(
        team,
        "ana",
        "UPDATE marginalia.spans SET annotator = 'bob' WHERE uuid = 'span-ana'",
        error=(errors.CheckViolation, errors.InsufficientPrivilege),
    )
    refused(
        team,
        "adam",
        "UPDATE marginalia.articles SET text = 'Other text.'",
        error=errors.CheckViolation,
    )


def test_an_analyst_cannot_change_the_schema_or_the_labels(team):
    label = "INSERT INTO marginalia.labels (name, kind) VALUES ('Person', 'span')"
    refused(team, "ana", label)
    refused(team, "ana", "INSERT INTO marginalia.schema_settings (key, value) VALUES ('k', 'v')")
    refused(team, "ana", "INSERT INTO marginalia.relation_types (name) VALUES ('Quotes')")
    refused(
        team,
        "ana",
        "INSERT INTO marginalia.decisions (layer, item_key, article_uid, kind, decision, "
        "decided_at) VALUES ('adjudicated', 'x|-', 'a1', 'span', 'accepted', 't')",
    )
    for ddl in (
        "CREATE TABLE marginalia.mine (x int)",
        "CREATE TABLE public.mine (x int)",
        "ALTER TABLE marginalia.spans DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE marginalia.spans ADD COLUMN x int",
        "DROP POLICY update_own ON marginalia.spans",
        "DROP TABLE marginalia.spans",
        "DROP TRIGGER z_stamp ON marginalia.spans",
        "UPDATE marginalia.change_counter SET version = 0",
        "SELECT marginalia.next_version()",
        "SET ROLE postgres",
    ):
        with team.connect("ana") as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute(ddl)
    with team.connect("ana") as conn:
        conn.execute("SET ROLE ana")  # one's own name only
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(f"SET ROLE {team.database}_owner")


def test_an_adjudicator_writes_labels_and_the_adjudicated_layer(team):
    with team.connect("adam") as conn:
        conn.execute(
            "INSERT INTO marginalia.labels (name, kind, color, changed_by) "
            "VALUES ('Person', 'span', '#f00', 'ana')"
        )
        conn.execute("INSERT INTO marginalia.schema_settings (key, value) VALUES ('k', '[]')")
        conn.execute("INSERT INTO marginalia.relation_types (name, directed) VALUES ('Q', false)")
        conn.execute(SPAN, ("span-adj", "adjudicated"))
        conn.execute(
            "INSERT INTO marginalia.decisions (layer, item_key, article_uid, kind, decision, "
            "result_uuid, decided_at) VALUES ('adjudicated', 'span-ana|-', 'a1', 'span', "
            "'accepted', 'span-adj', 't')"
        )
        conn.execute("UPDATE marginalia.articles SET title = 'Reviewed'")
    with team.connect("bob") as conn:
        # The server says who wrote a label or decided, whatever the client claims.
        assert conn.execute("SELECT changed_by FROM marginalia.labels").fetchone() == ("adam",)
        assert conn.execute("SELECT decided_by FROM marginalia.decisions").fetchone() == ("adam",)
        assert conn.execute("SELECT title FROM marginalia.articles").fetchone() == ("Reviewed",)
    # ... but a decision's layer is never a person, nor an analyst's work the layer.
    refused(
        team,
        "adam",
        "INSERT INTO marginalia.decisions (layer, item_key, article_uid, kind, decision, "
        "decided_at) VALUES ('bob', 'k', 'a1', 'span', 'accepted', 't')",
    )
    assert affected(team, "bob", "UPDATE marginalia.spans SET note = 'x'") == 0
    assert affected(team, "ana", "UPDATE marginalia.spans SET note = 'x'") == 1


def test_the_server_keeps_the_offset_rule_and_the_text_hash(team):
    with team.connect("ana") as conn, pytest.raises(errors.CheckViolation, match="quote"):
        conn.execute(SPAN.replace("'Ana'", "'Bob'"), ("bad-quote", "ana"))
    past_the_end = (
        'INSERT INTO marginalia.spans (uuid, article_uid, label, start, "end", quote, '
        "created_at, updated_at) VALUES ('end', 'a1', 'P', %s, %s, %s, 't', 't')"
    )
    with team.connect("ana") as conn, pytest.raises(errors.CheckViolation, match="quote"):
        conn.execute(past_the_end, (len(TEXT) - 4, len(TEXT) + 6, TEXT[-4:]))
    with team.connect("ana") as conn:
        conn.execute(past_the_end, (len(TEXT) - 4, len(TEXT), TEXT[-4:]))
    with team.connect("ana") as conn, pytest.raises(errors.CheckViolation, match="sha256"):
        conn.execute(
            "INSERT INTO marginalia.articles (uid, text, text_sha256, imported_at) "
            "VALUES ('a9', 'x', 'not-the-hash', 'now')"
        )
    # Code points, as Python counts them (also beyond the Basic Multilingual Plane).
    text = "𝔸na é 😀 done"
    with team.connect("ana") as conn:
        conn.execute(ARTICLE, ("a3", text, text))
        conn.execute(
            'INSERT INTO marginalia.spans (uuid, article_uid, label, start, "end", quote, '
            "created_at, updated_at) VALUES ('cp', 'a3', 'P', %s, %s, %s, 't', 't')",
            (7, 8, text[7:8]),
        )


def test_a_wrong_password_is_refused(team):
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(team.server.url(team.database, "ana", "not-it"))
