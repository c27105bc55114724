from django.db import migrations


class Migration(migrations.Migration):
    """Store article text uncompressed out of line, so that checking an annotation's quote
    (SUBSTRING at an offset) reads only the pages it needs instead of decompressing the
    whole article on every save. Costs disk space, which article text can afford."""

    dependencies = [("annotations", "0006_sentence_paragraph_index")]

    operations = [
        migrations.RunSQL(
            'ALTER TABLE "annotations_articleversion" ALTER COLUMN "text" SET STORAGE EXTERNAL',
            'ALTER TABLE "annotations_articleversion" ALTER COLUMN "text" SET STORAGE EXTENDED',
        )
    ]
