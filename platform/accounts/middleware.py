"""An account issued with a one-time secret can do nothing but change it."""

from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    EXEMPT_PREFIXES = ("/static/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            allowed = {reverse("frontend:password_change"), reverse("frontend:logout")}
            if request.path not in allowed:
                return redirect("frontend:password_change")
        return self.get_response(request)
