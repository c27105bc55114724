from django.contrib import admin
from django.urls import include, path

from annotations import accounts

handler400 = "annotations.errors.bad_request"

urlpatterns = [
    path("", accounts.home, name="home"),
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("healthz", accounts.healthz, name="healthz"),
    path("healthz/web", accounts.healthz_web, name="healthz_web"),
    path("admin/", admin.site.urls),
    path("", include("annotations.urls")),
]
