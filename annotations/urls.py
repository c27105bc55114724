from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/import/", views.article_import, name="article_import"),
    path("articles/import/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/cards/", views.annotation_cards, name="annotation_cards"),
    path("articles/<int:pk>/annotations/new/", views.annotation_new, name="annotation_new"),
    path("articles/<int:pk>/annotations/", views.annotation_create, name="annotation_create"),
    path("articles/<int:pk>/coverage/", views.coverage_start, name="coverage_start"),
    path("coverage/<int:pk>/", views.coverage_job, name="coverage_job"),
    path("coverage/<int:pk>/again/", views.coverage_rerun, name="coverage_rerun"),
    path(
        "coverage/<int:pk>/related/<int:related_pk>/",
        views.coverage_compare,
        name="coverage_compare",
    ),
    # The card template builds these from the card's URL: keep them under annotations/<pk>/.
    path("annotations/<int:pk>/", views.annotation_card, name="annotation_card"),
    path("annotations/<int:pk>/edit/", views.annotation_edit, name="annotation_edit"),
    path("annotations/<int:pk>/delete/", views.annotation_delete, name="annotation_delete"),
    path("annotations/<int:pk>/history/", views.annotation_history, name="annotation_history"),
    path("annotations/<int:pk>/sources/", views.source_create, name="source_create"),
    path("sources/<int:pk>/delete/", views.source_delete, name="source_delete"),
    path("sources/<int:pk>/move/", views.source_move, name="source_move"),
    path("ratings.css", views.ratings_css, name="ratings_css"),
    # Review. Queue pages are polled: newsroom.middleware.QueuePollMiddleware answers an
    # unchanged poll under /review/ before any session work.
    path("review/", views.review_home, name="review_home"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("review/dashboard/", views.review_dashboard, name="review_dashboard"),
    path("review/claims/<int:pk>/", views.review_claim, name="review_claim"),
    path("review/claims/<int:pk>/move/", views.review_move, name="review_move"),
    path("review/claims/<int:pk>/assign/", views.review_assign, name="review_assign"),
    path("review/claims/<int:pk>/correct/", views.review_correct, name="review_correct"),
    path("review/claims/<int:pk>/comments/", views.review_comment, name="review_comment"),
    path("review/claims/<int:pk>/mentions/", views.review_mentions, name="review_mentions"),
    path("review/<slug:queue>/export.csv", views.review_export, name="review_export"),
    path("review/<slug:queue>/", views.review_queue, name="review_queue"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    # Public. Only published claims, through Annotation.objects.published().
    path("checks/", views.check_list, name="public_checks"),
    path("checks/feed/", views.checks_feed, name="public_feed"),
    path("checks/<slug:slug>/", views.check_article, name="public_article"),
    path("checks/<slug:slug>/claims/<int:pk>/", views.check_claim, name="public_claim"),
    path(
        "checks/<slug:slug>/claims/<int:pk>/sources/<int:source_pk>/",
        views.check_source_archive,
        name="public_source_archive",
    ),
    path("api/claimreview.json", views.claimreview_feed, name="api_claimreview"),
    path("api/annotations/<int:pk>", views.api_annotation, name="api_annotation"),
    path(
        "api/articles/<int:pk>/annotations/",
        views.api_article_annotations,
        name="api_article_annotations",
    ),
]
