from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from annotations import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="annotations:article_list"), name="home"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("annotations.urls")),
]
