from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from annotations import accounts

handler400 = "annotations.errors.bad_request"

urlpatterns = [
    path("", accounts.home, name="home"),
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    # The header's language switch (staff pages): keeps the choice in a cookie.
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", accounts.healthz, name="healthz"),
    path("healthz/web", accounts.healthz_web, name="healthz_web"),
    path("admin/", admin.site.urls),
    path("", include("annotations.urls")),
]
