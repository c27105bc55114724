from django.urls import path

from annotations.coverage import views as coverage
from annotations.ingest import views as ingest
from annotations.publishing import api
from annotations.publishing import views as publishing
from annotations.review import views as review
from annotations.workspace import views as workspace

app_name = "annotations"

urlpatterns = [
    path("articles/", ingest.article_list, name="article_list"),
    path("articles/import/", ingest.article_import, name="article_import"),
    path("articles/import/jobs/<int:pk>/", ingest.import_job, name="import_job"),
    path("articles/<int:pk>/", workspace.article_detail, name="article_detail"),
    path("articles/<int:pk>/versions/", ingest.article_versions, name="article_versions"),
    path("articles/<int:pk>/diff/", ingest.article_diff, name="article_diff"),
    path("articles/<int:pk>/versions/new/", ingest.version_new, name="version_new"),
    path("articles/<int:pk>/details/", ingest.article_details, name="article_details"),
    path("articles/<int:pk>/held/confirm/", ingest.held_confirm, name="held_confirm"),
    path("articles/<int:pk>/held/discard/", ingest.held_discard, name="held_discard"),
    path("articles/<int:pk>/cards/", workspace.annotation_cards, name="annotation_cards"),
    path("articles/<int:pk>/annotations/new/", workspace.annotation_new, name="annotation_new"),
    path("articles/<int:pk>/annotations/", workspace.annotation_create, name="annotation_create"),
    path("articles/<int:pk>/coverage/", coverage.coverage_start, name="coverage_start"),
    path("coverage/<int:pk>/", coverage.coverage_job, name="coverage_job"),
    path("coverage/<int:pk>/again/", coverage.coverage_rerun, name="coverage_rerun"),
    path(
        "coverage/<int:pk>/related/<int:related_pk>/",
        coverage.coverage_compare,
        name="coverage_compare",
    ),
    # The card template builds these from the card's URL: keep them under annotations/<pk>/.
    path("annotations/<int:pk>/", workspace.annotation_card, name="annotation_card"),
    path("annotations/<int:pk>/edit/", workspace.annotation_edit, name="annotation_edit"),
    path("annotations/<int:pk>/delete/", workspace.annotation_delete, name="annotation_delete"),
    path("annotations/<int:pk>/move/", workspace.annotation_move, name="annotation_move"),
    path("annotations/<int:pk>/history/", workspace.annotation_history, name="annotation_history"),
    path("annotations/<int:pk>/sources/", workspace.source_create, name="source_create"),
    path("sources/<int:pk>/delete/", workspace.source_delete, name="source_delete"),
    path("sources/<int:pk>/move/", workspace.source_move, name="source_move"),
    path("ratings.css", workspace.ratings_css, name="ratings_css"),
    # Review. Queue pages are polled: newsroom.middleware.QueuePollMiddleware answers an
    # unchanged poll under /review/ before any session work.
    path("review/", review.review_home, name="review_home"),
    path("review/bulk/", review.review_bulk, name="review_bulk"),
    path("review/dashboard/", review.review_dashboard, name="review_dashboard"),
    path("review/claims/<int:pk>/", review.review_claim, name="review_claim"),
    path("review/claims/<int:pk>/move/", review.review_move, name="review_move"),
    path("review/claims/<int:pk>/assign/", review.review_assign, name="review_assign"),
    path("review/claims/<int:pk>/correct/", review.review_correct, name="review_correct"),
    path("review/claims/<int:pk>/comments/", review.review_comment, name="review_comment"),
    path("review/claims/<int:pk>/mentions/", review.review_mentions, name="review_mentions"),
    path("review/repair/", review.review_repair, name="review_repair"),
    path("review/repair/<int:pk>/place/", review.repair_place, name="repair_place"),
    path("review/repair/<int:pk>/<slug:decision>/", review.repair_decide, name="repair_decide"),
    path("review/<slug:queue>/export.csv", review.review_export, name="review_export"),
    path("review/<slug:queue>/", review.review_queue, name="review_queue"),
    path("notifications/", review.notifications, name="notifications"),
    path("notifications/read/", review.notifications_read, name="notifications_read"),
    # Public. Only published claims, through Annotation.objects.published().
    path("checks/", publishing.check_list, name="public_checks"),
    path("checks/feed/", publishing.checks_feed, name="public_feed"),
    path("checks/<slug:slug>/", publishing.check_article, name="public_article"),
    path("checks/<slug:slug>/claims/<int:pk>/", publishing.check_claim, name="public_claim"),
    path(
        "checks/<slug:slug>/changes/<int:old>/<int:new>/",
        publishing.check_changes,
        name="public_diff",
    ),
    path(
        "checks/<slug:slug>/claims/<int:pk>/sources/<int:source_pk>/",
        publishing.check_source_archive,
        name="public_source_archive",
    ),
    path("api/claimreview.json", publishing.claimreview_feed, name="api_claimreview"),
    path("api/annotations/<int:pk>", api.api_annotation, name="api_annotation"),
    path(
        "api/articles/<int:pk>/annotations/",
        api.api_article_annotations,
        name="api_article_annotations",
    ),
]
