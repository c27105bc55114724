from django.db import migrations

from annotations.migrations._roles import create_roles


class Migration(migrations.Migration):
    dependencies = [("annotations", "0004_default_rating_scale")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
