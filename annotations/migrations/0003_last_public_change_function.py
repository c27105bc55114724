from django.db import migrations

from annotations.publishing.sql import FUNCTION, function_sql


class Migration(migrations.Migration):
    """The public pages' signature as a PL/pgSQL function, so PostgreSQL plans its statement
    once per connection instead of on every public request (annotations.publishing.sql)."""

    dependencies = [("annotations", "0002_storage_and_rating_scale")]

    operations = [migrations.RunSQL(function_sql(), f"DROP FUNCTION IF EXISTS {FUNCTION}()")]
