"""No table of a province's schema has a foreign key into the public schema (issue 13 item 8).

This is what lets a province be backed up, restored and moved on its own (ADR 0020: a schema
dump restores in a scratch database without the public tables), and what Citus' schema-based
sharding needs to put each province on a node of its own (docs/scaling.md)."""

from django.db import connection

FOREIGN_KEYS_ACROSS = """
SELECT source_ns.nspname, source.relname, constraint_row.conname,
       target_ns.nspname, target.relname
FROM pg_constraint AS constraint_row
JOIN pg_class AS source ON source.oid = constraint_row.conrelid
JOIN pg_namespace AS source_ns ON source_ns.oid = source.relnamespace
JOIN pg_class AS target ON target.oid = constraint_row.confrelid
JOIN pg_namespace AS target_ns ON target_ns.oid = target.relnamespace
WHERE constraint_row.contype = 'f'
  AND source_ns.nspname = ANY(%s)
  AND target_ns.nspname <> source_ns.nspname
ORDER BY 1, 2, 3
"""


def test_no_province_table_refers_to_another_schema(tenant_db):
    schemas = [province.schema_name for province in tenant_db.values()]
    schemas.append("province_template")  # every new province is cloned from it
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = ANY(%s)", [schemas])
        assert cursor.fetchone()[0] == len(schemas)  # the schemas looked at do exist
        cursor.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE c.contype = 'f' AND n.nspname = ANY(%s)",
            [schemas],
        )
        assert cursor.fetchone()[0] > 0  # and they have foreign keys of their own
        cursor.execute(FOREIGN_KEYS_ACROSS, [schemas])
        across = cursor.fetchall()
    assert across == [], "foreign keys out of a province's schema:\n" + "\n".join(
        f"{schema}.{table} ({name}) -> {target_schema}.{target}"
        for schema, table, name, target_schema, target in across
    )
