"""Pages of the platform host: the operator console.

The names login, logout, password_change and staff_home exist here as on a province's hosts:
settings (LOGIN_URL, LOGIN_REDIRECT_URL) and accounts' middleware reverse them on any host."""

from django.urls import include, path

from frontend.views import console, language, staff

app_name = "frontend"

urlpatterns = [
    path("", console.console_home, name="home"),
    path("", console.console_home, name="staff_home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ngon-ngu/", language.choose_language, name="choose_language"),
    path("login/", staff.login, name="login"),
    path("logout/", staff.logout, name="logout"),
    path("password/", staff.password_change, name="password_change"),
]
