"""`marginalia server init|add-analyst|status` against the suite's own PostgreSQL server."""

import io
import json

import psycopg
import pytest

from desktop_app import cli
from desktop_app.core.sync import server_schema

ODD = "o'brien\"; drop table x"


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def init_json(capsys, url):
    code, out, err = run(capsys, "server", "init", url, "--json")
    assert code == 0, err
    return json.loads(out)


def add(capsys, monkeypatch, url, name, password="pw-" + "x" * 8, *flags):
    code, out, err = run(
        capsys, "server", "add-analyst", url, name, "--password-stdin", *flags,
        stdin=password + "\n", monkeypatch=monkeypatch,
    )  # fmt: skip
    assert code == 0, err
    return out


def status_json(capsys, url):
    code, out, err = run(capsys, "server", "status", url, "--json")
    assert code == 0, err
    return json.loads(out)


def test_init_creates_the_schema_once_and_again_changes_nothing(pg_server, pg_database, capsys):
    url = pg_server.url(pg_database)
    first = init_json(capsys, url)
    assert first["applied"] == ["initial", "article_deletions"]
    assert first["schema_version"] == 2
    assert sorted(first["roles_created"]) == sorted(first["roles"].values())
    assert first["roles"]["analysts"] == f"{pg_database}_analysts"

    code, out, _ = run(capsys, "server", "init", url)
    assert code == 0
    assert "migrations applied: none (already up to date)" in out
    assert "group roles created: none (all there)" in out
    assert f"identity: {first['identity']}" in out  # init again keeps the server's identity
    with pg_server.admin(pg_database) as conn:
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'spans'"
        ).fetchone()
        assert owner == (first["roles"]["owner"],)
        assert conn.execute("SELECT count(*) FROM marginalia.schema_migrations").fetchone() == (2,)


def test_init_upgrades_an_older_schema_and_refuses_a_newer_one(
    pg_server, pg_database, capsys, monkeypatch
):
    url = pg_server.url(pg_database)
    identity = init_json(capsys, url)["identity"]
    newer = (*server_schema.MIGRATIONS, ("extra", "CREATE TABLE marginalia.extra (x int);"))
    monkeypatch.setattr(server_schema, "MIGRATIONS", newer)
    upgraded = init_json(capsys, url)
    assert upgraded["applied"] == ["extra"]
    assert upgraded["schema_version"] == 3
    assert upgraded["identity"] == identity
    assert init_json(capsys, url)["applied"] == []

    monkeypatch.setattr(server_schema, "MIGRATIONS", newer[:-1])
    code, _, err = run(capsys, "server", "init", url)
    assert code == 1
    assert "made by a newer Marginalia" in err and "nothing was changed" in err


def test_a_failed_migration_leaves_the_database_as_it_was(
    pg_server, pg_database, capsys, monkeypatch
):
    url = pg_server.url(pg_database)
    broken = (*server_schema.MIGRATIONS, ("broken", "CREATE TABLE marginalia.half (x int); SELEC"))
    monkeypatch.setattr(server_schema, "MIGRATIONS", broken)
    code, _, err = run(capsys, "server", "init", url)
    assert code == 1 and "syntax error" in err
    with pg_server.admin(pg_database) as conn:
        assert conn.execute("SELECT to_regnamespace('marginalia')").fetchone() == (None,)
    assert f"{pg_database}_owner" not in pg_server.roles()


def test_add_analyst_and_status(pg_server, pg_database, capsys, monkeypatch):
    url = pg_server.url(pg_database)
    init_json(capsys, url)
    out = add(capsys, monkeypatch, url, "ana", "ana-secret-1")
    assert "ana: analyst on" in out and "created; password set" in out
    add(capsys, monkeypatch, url, "bob", "bob-secret-2", "--adjudicator")
    with psycopg.connect(pg_server.url(pg_database, "ana", "ana-secret-1")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("ana",)
        conn.execute(
            "INSERT INTO marginalia.articles (uid, text, text_sha256, imported_at) "
            "VALUES ('a1', 'Some text.', encode(sha256('Some text.'), 'hex'), 'now')"
        )
        conn.execute(
            'INSERT INTO marginalia.spans (uuid, article_uid, label, start, "end", quote, '
            "created_at, updated_at) VALUES ('s1', 'a1', 'P', 0, 4, 'Some', 't', 't')"
        )
    status = status_json(capsys, url)
    assert [(a["name"], a["adjudicator"], a["spans"]) for a in status["analysts"]] == [
        ("ana", False, 1),
        ("bob", True, 0),
    ]
    assert status["version"] == 2  # init's seed of the label schema, one writing transaction
    assert status["counts"]["spans"] == {"live": 1, "deleted": 0}
    assert status["counts"]["articles"] == {"live": 1, "deleted": 0}
    assert status["schema_version"] == status["latest_schema_version"] == 2

    # Any analyst may ask; the text form names the same things.
    code, out, _ = run(
        capsys, "server", "status", pg_server.url(pg_database, "ana", "ana-secret-1")
    )
    assert code == 0
    assert "version: 2" in out and "spans: 1 (0 deleted)" in out
    assert "bob\tadjudicator\t0 spans" in out and "ana\tanalyst\t1 spans" in out
    assert "ana-secret-1" not in out


def test_add_analyst_again_makes_an_analyst_an_adjudicator_and_keeps_the_password(
    pg_server, pg_database, capsys, monkeypatch
):
    url = pg_server.url(pg_database)
    init_json(capsys, url)
    add(capsys, monkeypatch, url, "ana", "first-pass")
    code, out, err = run(capsys, "server", "add-analyst", url, "ana", "--no-password",
                         "--adjudicator")  # fmt: skip
    assert code == 0, err
    assert "adjudicator" in out and "existing login role joined the team; password unchanged" in out
    with psycopg.connect(pg_server.url(pg_database, "ana", "first-pass")):
        pass
    assert status_json(capsys, url)["analysts"][0]["adjudicator"] is True


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("postgres", "superuser"),
        ("pg_ana", "PostgreSQL's own"),
        ("a" * 64, "63 bytes"),
        (" ana", "outer spaces"),
        ("{db}_analysts", "group roles"),
        ("adjudicated", "a person needs a name of their own"),
    ],
)
def test_add_analyst_refuses_names_that_cannot_be_a_person(
    pg_server, pg_database, capsys, monkeypatch, name, reason
):
    url = pg_server.url(pg_database)
    init_json(capsys, url)
    if name == "adjudicated":  # the adjudicated layer already holds work on the server
        with pg_server.admin(pg_database) as conn:
            conn.execute(
                "INSERT INTO marginalia.articles (uid, text, text_sha256, imported_at) "
                "VALUES ('a1', 'Text', encode(sha256('Text'), 'hex'), 'now');"
                "INSERT INTO marginalia.tags (uuid, article_uid, annotator, label, created_at, "
                "updated_at) VALUES ('t1', 'a1', 'adjudicated', 'Topic', 't', 't')"
            )
    name = name.format(db=pg_database)
    code, _, err = run(capsys, "server", "add-analyst", url, name, "--password-stdin",
                       stdin="pw-123456\n", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1
    assert reason in err
    assert "pw-123456" not in err


def test_add_analyst_needs_a_password_source(pg_server, pg_database, capsys, monkeypatch):
    url = pg_server.url(pg_database)
    init_json(capsys, url)
    code, _, err = run(
        capsys, "server", "add-analyst", url, "ana", stdin="", monkeypatch=monkeypatch
    )
    assert code == 1 and "--password-stdin" in err and "--no-password" in err
    code, _, err = run(capsys, "server", "add-analyst", url, "ana", "--password-stdin",
                       stdin="\n", monkeypatch=monkeypatch)  # fmt: skip
    assert code == 1 and "empty password" in err
    assert status_json(capsys, url)["analysts"] == []


def test_add_analyst_prompts_twice_on_a_terminal(pg_server, pg_database, capsys, monkeypatch):
    url = pg_server.url(pg_database)
    init_json(capsys, url)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter(["typed-secret", "typed-secret", "one", "other"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, out, _ = run(capsys, "server", "add-analyst", url, "ana")
    assert code == 0 and "password set" in out and "typed-secret" not in out
    code, _, err = run(capsys, "server", "add-analyst", url, "bob")
    assert code == 1 and "the two passwords differ" in err
    with psycopg.connect(pg_server.url(pg_database, "ana", "typed-secret")):
        pass


def test_passwords_appear_in_no_message_and_no_server_log(
    pg_server, pg_database, capsys, monkeypatch
):
    url = pg_server.url(pg_database)
    init_json(capsys, url)
    with pg_server.admin() as conn:
        conn.execute(f"ALTER DATABASE \"{pg_database}\" SET log_statement = 'all'")
    secret = "Sw0rdf1sh-unique-7"
    out = add(capsys, monkeypatch, url, "ana", secret)
    assert secret not in out
    log = pg_server.log.read_text(errors="replace")
    assert "SCRAM-SHA-256$" in log  # the verifier went to the server, not the password
    assert secret not in log

    wrong = "Wr0ng-pass-word-9"
    for bad in (
        pg_server.url(pg_database, "ana", wrong),  # a wrong password
        pg_server.url(pg_database, "ana", wrong) + "?sslmode=bogus",  # a URL libpq refuses
        f"host={pg_server.socket_dir} port={pg_server.port} user=ana password={wrong} x",
    ):
        for argv in (("status", bad), ("init", bad)):
            code, out, err = run(capsys, "server", *argv)
            assert code == 1
            assert wrong not in out + err, err
            assert err.startswith("marginalia server: ")
    monkeypatch.setenv("PGPASSWORD", wrong)
    code, _, err = run(capsys, "server", "status", pg_server.url(pg_database, "ana"))
    assert code == 1 and "password authentication failed" in err and wrong not in err


def test_status_of_a_database_without_a_server(pg_server, pg_database, capsys):
    code, _, err = run(capsys, "server", "status", pg_server.url(pg_database))
    assert code == 1
    assert "no Marginalia server here" in err and "marginalia server init" in err


def test_names_that_look_like_sql_are_data(pg_server, capsys, monkeypatch):
    before = pg_server.roles()
    database = pg_server.fresh_database(ODD)
    try:
        url = pg_server.url(database)
        report = init_json(capsys, url)
        assert report["roles"]["analysts"] == ODD + "_analysts"
        add(capsys, monkeypatch, url, ODD, "odd-pass-1")
        with psycopg.connect(pg_server.url(database, ODD, "odd-pass-1")) as conn:
            conn.execute(
                "INSERT INTO marginalia.articles (uid, text, text_sha256, imported_at) "
                "VALUES (%s, 'Text', encode(sha256('Text'), 'hex'), 'now')",
                (ODD,),
            )
            conn.execute(
                "INSERT INTO marginalia.tags (uuid, article_uid, label, created_at, "
                "updated_at) VALUES ('t1', %s, %s, 't', 't')",
                (ODD, ODD),
            )
        status = status_json(capsys, url)
        assert [(a["name"], a["tags"]) for a in status["analysts"]] == [(ODD, 1)]
        assert init_json(capsys, url)["applied"] == []
    finally:
        pg_server.drop_database(database, before)


def test_init_refuses_a_login_role_squatting_on_a_group_name(pg_server, pg_database, capsys):
    with pg_server.admin() as conn:
        conn.execute(f'CREATE ROLE "{pg_database}_analysts" LOGIN')
    code, _, err = run(capsys, "server", "init", pg_server.url(pg_database))
    assert code == 1 and "exists and can log in" in err


def test_long_database_names_get_distinct_role_names_that_fit():
    long_a, long_b = "d" * 60 + "a", "d" * 60 + "b"
    a, b = server_schema.role_names(long_a), server_schema.role_names(long_b)
    for roles in (a, b):
        assert all(len(n.encode()) <= 63 for n in vars(roles).values())
    assert a.analysts != b.analysts
    assert server_schema.role_names("team").adjudicators == "team_adjudicators"


def test_only_an_admin_may_init_or_add_analysts(pg_server, pg_database, capsys, monkeypatch):
    url = pg_server.url(pg_database)
    init_json(capsys, url)
    add(capsys, monkeypatch, url, "ana", "ana-pass-1")
    as_ana = pg_server.url(pg_database, "ana", "ana-pass-1")
    code, _, err = run(capsys, "server", "init", as_ana)
    assert code == 1 and "needs a superuser or a role with CREATEROLE" in err
    code, _, err = run(capsys, "server", "add-analyst", as_ana, "eve", "--no-password")
    assert code == 1 and "needs a superuser or a role with CREATEROLE" in err
    assert "eve" not in pg_server.roles()


def test_urls_are_shown_without_their_password():
    from desktop_app.core.sync.connection import display, scrub

    url = "postgresql://ana:p%40ss%3Aword@db.example.org:6543/team?sslmode=verify-full"
    assert display(url) == "postgresql://ana@db.example.org:6543/team"
    assert scrub("p@ss:word and p%40ss%3Aword", url) == "******** and ********"
    assert display("host=/run/pg dbname=team password=x") == "postgresql://%2Frun%2Fpg/team"
    assert display("postgresql://[::1") == "(a connection URL libpq cannot read)"
