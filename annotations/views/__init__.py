"""Views, grouped by capability. URL confs import them from here."""

from annotations.views.articles import (
    article_import,
    article_list,
    healthz,
    import_job,
    login_view,
    logout_view,
)
from annotations.views.workspace import (
    annotation_card,
    annotation_cards,
    annotation_create,
    annotation_delete,
    annotation_edit,
    annotation_history,
    annotation_new,
    article_detail,
    ratings_css,
    source_create,
    source_delete,
    source_move,
)

__all__ = [
    "annotation_card",
    "annotation_cards",
    "annotation_create",
    "annotation_delete",
    "annotation_edit",
    "annotation_history",
    "annotation_new",
    "article_detail",
    "article_import",
    "article_list",
    "healthz",
    "import_job",
    "login_view",
    "logout_view",
    "ratings_css",
    "source_create",
    "source_delete",
    "source_move",
]
