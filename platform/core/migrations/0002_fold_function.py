"""What text search needs from PostgreSQL, for every module: unaccent, pg_trgm and
`public.portal_fold(text)`, the one accent-insensitive fold in SQL (core.db.Folded).

The two extensions and the function live in the public schema, once per database (every
schema's migration runs the same idempotent statements; a schema cloned from the template uses
them through its search_path "<schema>, public"). The function is IMMUTABLE so that generated
columns and indexes may use it: unaccent() itself is only STABLE because its rules file could
change, and ours is the one shipped with PostgreSQL. unaccent maps đ/Đ to d/D; "/" becomes a
space so that "19/2015/QĐ-UBND" is found by "19/2015" and by "QĐ-UBND"."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_notices"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
                "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
                """
                CREATE OR REPLACE FUNCTION public.portal_fold(text) RETURNS text
                LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
                    SELECT translate(
                        lower(public.unaccent('public.unaccent'::regdictionary, $1)), '/', ' '
                    )
                $$
                """,
            ],
            # The function and the extensions are shared by every schema of the database:
            # unapplying one province's migration must not take them from the others.
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
