from django.db import migrations

from annotations.publishing.sql import FUNCTION, function_sql

# The function as migration 0003 created it, for going back: the statement of that time,
# frozen here (function_sql() always builds today's).
PREVIOUS = f"""
DROP FUNCTION IF EXISTS {FUNCTION}();
CREATE FUNCTION {FUNCTION}() RETURNS TABLE (changed timestamptz, total bigint)
LANGUAGE plpgsql STABLE AS $body$ BEGIN RETURN QUERY
    WITH public AS (
        SELECT id, version_id FROM annotations_annotation
        WHERE state IN ('published', 'corrected', 'retracted')
    ),
    public_articles AS (
        SELECT DISTINCT v.article_id AS id FROM annotations_articleversion v
        JOIN public p ON p.version_id = v.id
    )
    SELECT greatest(
        (SELECT max(updated_at) FROM annotations_annotation
         WHERE state IN ('published', 'corrected', 'retracted')),
        (SELECT max(created_at) FROM annotations_correction),
        (SELECT max(updated_at) FROM annotations_rating),
        (SELECT max(a.updated_at) FROM annotations_article a
         JOIN public_articles pa ON pa.id = a.id),
        (SELECT max(s.updated_at) FROM annotations_source s JOIN public p ON p.id = s.annotation_id)
    ),
    (SELECT count(*) FROM public)
    + (SELECT count(*) FROM annotations_correction)
    + (SELECT count(*) FROM annotations_rating)
    + (SELECT count(*) FROM public_articles)
    + (SELECT count(*) FROM annotations_source s JOIN public p ON p.id = s.annotation_id);
END $body$
"""


class Migration(migrations.Migration):
    """The public pages' signature follows the articles' versions and the outlet's page
    status too: a new version adds a "changed after this verdict" note to the public pages
    (annotations.publishing.sql)."""

    dependencies = [("annotations", "0005_watch_and_repair")]

    operations = [migrations.RunSQL(function_sql(), PREVIOUS)]
