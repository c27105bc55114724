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
    # The card template builds these from the card's URL: keep them under annotations/<pk>/.
    path("annotations/<int:pk>/", views.annotation_card, name="annotation_card"),
    path("annotations/<int:pk>/edit/", views.annotation_edit, name="annotation_edit"),
    path("annotations/<int:pk>/delete/", views.annotation_delete, name="annotation_delete"),
    path("annotations/<int:pk>/history/", views.annotation_history, name="annotation_history"),
    path("annotations/<int:pk>/sources/", views.source_create, name="source_create"),
    path("sources/<int:pk>/delete/", views.source_delete, name="source_delete"),
    path("sources/<int:pk>/move/", views.source_move, name="source_move"),
    path("ratings.css", views.ratings_css, name="ratings_css"),
]
