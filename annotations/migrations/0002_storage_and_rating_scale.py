from django.db import migrations

from annotations.scale import ensure_default_scale


def create_scale(apps, schema_editor):
    ensure_default_scale(apps.get_model("annotations", "Rating"))


class Migration(migrations.Migration):
    """What the model definitions cannot say: article text stored uncompressed out of line
    (checking an annotation's quote reads SUBSTRING at an offset, and that should read only
    the pages it needs instead of decompressing the whole article on every save), and the
    default rating scale. The role groups are synced after every migrate by
    `annotations.apps` (see `annotations.roles`)."""

    dependencies = [("annotations", "0001_initial")]

    operations = [
        migrations.RunSQL(
            'ALTER TABLE "annotations_articleversion" ALTER COLUMN "text" SET STORAGE EXTERNAL',
            'ALTER TABLE "annotations_articleversion" ALTER COLUMN "text" SET STORAGE EXTENDED',
        ),
        migrations.RunPython(create_scale, migrations.RunPython.noop),
    ]
