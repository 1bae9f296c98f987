"""Liveness for load balancers: answers once the request has passed the tenant middleware."""

from django.http import HttpResponse


def health(request):
    return HttpResponse("ok", content_type="text/plain")
