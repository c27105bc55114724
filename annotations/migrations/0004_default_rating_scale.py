from django.db import migrations

from annotations.scale import ensure_default_scale


def create_scale(apps, schema_editor):
    ensure_default_scale(apps.get_model("annotations", "Rating"))


class Migration(migrations.Migration):
    dependencies = [("annotations", "0003_annotation")]

    operations = [migrations.RunPython(create_scale, migrations.RunPython.noop)]
