from django.db import migrations

# The scale as it was when this migration was written (0011 moves Misleading and Unproven
# off the true-to-false scale). Kept here rather than imported: the live default scale
# follows the current model, which has fields this migration's model does not.
SCALE_0002 = [
    ("True", "true", "#1a7f37", 5, "The claim is accurate and nothing significant is missing."),
    ("Mostly true", "mostly-true", "#4d7c0f", 4, "Accurate, but needs clarification or context."),
    ("Half true", "half-true", "#9a6700", 3, "Partly accurate; leaves out important details or takes things out of context."),
    ("Mostly false", "mostly-false", "#bc4c00", 2, "Contains an element of truth but ignores facts that would give a different impression."),
    ("False", "false", "#b42318", 1, "The claim is not accurate."),
    ("Misleading", "misleading", "#8250df", 2, "Accurate facts presented so as to leave a false impression."),
    ("Unproven", "unproven", "#57606a", 0, "The evidence available cannot prove or disprove the claim."),
]  # fmt: skip


def create_scale(apps, schema_editor):
    rating = apps.get_model("annotations", "Rating")
    for position, (label, slug, colour, value, description) in enumerate(SCALE_0002):
        rating.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "colour": colour,
                "value": value,
                "description": description,
                "position": position,
            },
        )


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
