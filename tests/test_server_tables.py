"""core/sync/server_tables.py describes the server a sync client talks to: checked on one."""

from desktop_app.core.sync.server_tables import SERVER_COLUMNS, SYNCED_TABLES, table


def test_the_description_matches_the_server(pg_team):
    with pg_team.server.admin(pg_team.database) as conn:
        for synced in SYNCED_TABLES:
            columns = [
                row[0]
                for row in conn.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'marginalia' AND table_name = %s",
                    (synced.name,),
                )
            ]
            described = {*synced.key, synced.writer, *synced.columns, *SERVER_COLUMNS}
            assert sorted(columns) == sorted(described), synced.name
            key = conn.execute(
                "SELECT array_agg(a.attname ORDER BY k.ord) FROM pg_index i "
                "CROSS JOIN unnest(i.indkey) WITH ORDINALITY k(attnum, ord) "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary",
                (f"marginalia.{synced.name}",),
            ).fetchone()[0]
            assert tuple(key) == synced.key, synced.name
            security = conn.execute(
                "SELECT relrowsecurity FROM pg_class WHERE oid = %s::regclass",
                (f"marginalia.{synced.name}",),
            ).fetchone()
            assert security == (True,), synced.name


def test_who_may_write_each_table(pg_team):
    analysts, adjudicators = (f"{pg_team.database}_{g}" for g in ("analysts", "adjudicators"))
    with pg_team.server.admin(pg_team.database) as conn:
        for synced in SYNCED_TABLES:
            name = f"marginalia.{synced.name}"

            def may(role, privilege, name=name):
                query = "SELECT has_table_privilege(%s, %s, %s)"
                return conn.execute(query, (role, name, privilege)).fetchone()[0]

            assert may(analysts, "SELECT")
            assert may(analysts, "INSERT") is not synced.adjudicators_only
            assert may(adjudicators, "UPDATE")
            assert not may(adjudicators, "DELETE")  # tombstones, never deletions
    assert table("spans").writer == "annotator"
