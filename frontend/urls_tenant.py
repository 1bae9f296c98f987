"""Pages of a province's hosts: the portal, its component sites and the staff back office."""

from django.urls import include, path

from frontend.views import portal, staff

app_name = "frontend"

urlpatterns = [
    path("", portal.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", staff.staff_home, name="staff_home"),
    path("staff/login/", staff.login, name="login"),
    path("staff/logout/", staff.logout, name="logout"),
    path("staff/password/", staff.password_change, name="password_change"),
]
