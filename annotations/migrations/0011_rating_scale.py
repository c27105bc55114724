import annotations.scale
import django.core.validators
from django.db import migrations, models

# The default scale's verdicts that say something other than how true a claim is.
OFF_SCALE = ("misleading", "unproven")


def split_off_the_scale(apps, schema_editor):
    """Misleading and Unproven leave the true-to-false scale and lose their numbers; the
    ratings left on it keep their order, moved up if needed so the worst is at least 1
    (ClaimReview's worstRating), e.g. an admin's scale from 0 to 4 becomes 1 to 5."""
    rating = apps.get_model("annotations", "Rating")
    rating.objects.filter(slug__in=OFF_SCALE).update(on_scale=False, value=None)
    lowest = rating.objects.filter(on_scale=True).aggregate(low=models.Min("value"))["low"]
    if lowest is not None and lowest < 1:
        rating.objects.filter(on_scale=True).update(value=models.F("value") + (1 - lowest))


def back_on_the_scale(apps, schema_editor):
    # The old field needs a number: 0, which the old ClaimReview read as "not rated".
    apps.get_model("annotations", "Rating").objects.filter(on_scale=False).update(value=0)


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0010_job_leases'),
    ]

    operations = [
        migrations.AddField(
            model_name='rating',
            name='on_scale',
            field=models.BooleanField(default=True, help_text='Says how true the claim is (True … False). Leave unticked for verdicts that say something else (Unproven, Misleading): ClaimReview then carries their name only.', verbose_name='on the true-to-false scale'),
        ),
        migrations.AlterField(
            model_name='rating',
            name='colour',
            field=models.CharField(help_text="Hex colour, e.g. #b42318. Used behind the verdict's white label and as the highlight's underline, so it needs 4.5:1 contrast against white.", max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9a-fA-F]{6}$', 'Use a hex colour like #b42318.'), annotations.scale.validate_label_colour]),
        ),
        migrations.AlterField(
            model_name='rating',
            name='value',
            field=models.SmallIntegerField(null=True),
        ),
        migrations.RunPython(split_off_the_scale, back_on_the_scale),
        migrations.AlterField(
            model_name='rating',
            name='value',
            field=models.PositiveSmallIntegerField(blank=True, help_text="ClaimReview's ratingValue for a rating on the scale: 1 for the worst (False), up to the number of steps for the best (True). Empty for a rating off the scale.", null=True),
        ),
        migrations.AddConstraint(
            model_name='rating',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('on_scale', True), ('value__gte', 1), ('value__isnull', False)), models.Q(('on_scale', False), ('value__isnull', True)), _connector='OR'), name='rating_value_only_on_scale', violation_error_message='A rating on the true-to-false scale needs a whole number of 1 or more (1 is the worst); a rating off the scale has no number.'),
        ),
    ]
