"""Database triggers that refuse UPDATE and DELETE on audit events (DESIGN.md "Audit").

The model and its queryset already refuse; these refuse underneath them, for raw SQL, a
database shell or a bug in a later migration. They do not stop someone who can drop them:
the MAC chain and ``verify_audit`` are what catch that.

The SQL is kept here, in one place: ``peerwork.core.management.commands.flush`` reads it to
lift the triggers while it empties the whole database (tests do this between transactional
tests), and tamper tests read it to get past them deliberately.
"""

from django.db import migrations

TABLE = "core_auditevent"

INSTALL = {
    "sqlite": [
        f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
        f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$""",
        f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
        f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse()""",
    ],
}

REMOVE = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
        f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
    ],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE}",
        f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
        f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
    ],
}


def execute(statements, connection):
    """Run the statements for this database (also used by ``flush`` and tamper tests)."""
    vendor = connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no audit triggers for the {vendor} database")
    with connection.cursor() as cursor:
        for statement in statements[vendor]:
            cursor.execute(statement)


def install(apps, schema_editor):
    execute(INSTALL, schema_editor.connection)


def remove(apps, schema_editor):
    execute(REMOVE, schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
