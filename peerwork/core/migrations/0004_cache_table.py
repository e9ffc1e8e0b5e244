"""The shared cache's table (settings.CACHES), made by ``migrate`` so no deployment step
can be forgotten. ``createcachetable`` does nothing when the table exists or the cache
is not a database cache."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_apitoken_expiry_notice")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
