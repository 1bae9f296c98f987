"""The lock of a signed-off month, in the database (ADR 0029): whatever writes, a line of a
signed-off month is never inserted, updated nor deleted, and a signed-off month never changes
again. The services refuse first, with a message; this is the second lock, for any other path
(a shell, a script, a bug). The functions look the month up in the trigger's own schema, so a
province's schema cloned from the template keeps its lock."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION royalties_line_locked() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    locked boolean;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('SELECT status = %L FROM %I.royalties_ledgermonth WHERE id = $1',
                       'signed_off', TG_TABLE_SCHEMA)
            INTO locked USING OLD.ledger_id;
        IF locked THEN
            RAISE EXCEPTION 'royalty ledger line % belongs to a signed-off month', OLD.id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('SELECT status = %L FROM %I.royalties_ledgermonth WHERE id = $1',
                       'signed_off', TG_TABLE_SCHEMA)
            INTO locked USING NEW.ledger_id;
        IF locked THEN
            RAISE EXCEPTION 'royalty ledger month % is signed off: no line may be added',
                NEW.ledger_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$;

CREATE OR REPLACE FUNCTION royalties_month_locked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'signed_off' THEN
        RAISE EXCEPTION 'royalty ledger month % is signed off and locked', OLD.month
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER royalties_line_lock
    BEFORE INSERT OR UPDATE OR DELETE ON royalties_ledgerline
    FOR EACH ROW EXECUTE FUNCTION royalties_line_locked();

CREATE TRIGGER royalties_month_lock
    BEFORE UPDATE OR DELETE ON royalties_ledgermonth
    FOR EACH ROW EXECUTE FUNCTION royalties_month_locked();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS royalties_month_lock ON royalties_ledgermonth;
DROP TRIGGER IF EXISTS royalties_line_lock ON royalties_ledgerline;
DROP FUNCTION IF EXISTS royalties_month_locked();
DROP FUNCTION IF EXISTS royalties_line_locked();
"""


class Migration(migrations.Migration):
    dependencies = [("royalties", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
