"""The test database itself: each test gets its own PostGIS database, empty."""

from __future__ import annotations


def test_fresh_database_has_postgis_and_no_tables(pg_url):
    import pgdb
    import psycopg

    with psycopg.connect(pgdb.to_psycopg(pg_url)) as conn:
        assert conn.execute("SELECT postgis_lib_version()").fetchone()[0].startswith("3.")
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
            " AND table_name <> 'spatial_ref_sys'"
        ).fetchone()[0]
        assert tables == 0
