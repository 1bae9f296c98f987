"""The baseline of the HTTP benchmark: a bare Django view (no tenant middleware, no database,
no session), served by the same gunicorn settings as the platform."""

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only",  # noqa: S106
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
)

BODY = "<!doctype html><html lang='vi'><title>Bare</title><h1>Trang chủ</h1></html>" * 20


def home(request):
    return HttpResponse(BODY)


urlpatterns = [path("", home)]
django.setup()
application = get_wsgi_application()
