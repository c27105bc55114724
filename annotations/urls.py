from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/import/", views.article_import, name="article_import"),
    path("articles/import/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
]
