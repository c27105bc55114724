from django.db import migrations

from annotations.migrations._roles import create_roles

# Existing claims: their queue age starts at their last change, and their check-worthiness is
# the highest score among the sentences they cover.
BACKFILL = """
UPDATE annotations_annotation a SET
    state_changed_at = a.updated_at,
    checkworthiness = coalesce((
        SELECT max(s.score) FROM annotations_sentence s
        WHERE s.version_id = a.version_id AND s.start < a."end" AND s."end" > a.start
    ), 0)
"""


class Migration(migrations.Migration):
    dependencies = [("annotations", "0010_review")]

    operations = [
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
