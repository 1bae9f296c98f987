"""An account issued with a one-time secret can do nothing but change it."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    EXEMPT_PREFIXES = ("/static/", "/i18n/")
    API_PREFIX = "/api/"

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
            if request.path.startswith(self.API_PREFIX):
                # A session still on its one-time secret does nothing through the API either.
                return JsonResponse(
                    {
                        "error": {
                            "code": "password_change_required",
                            "message": "Change the one-time password at the first sign-in.",
                            "fields": {},
                        }
                    },
                    status=403,
                )
            # The platform host has its own URLconf, set on the request by the tenant middleware.
            urlconf = getattr(request, "urlconf", None)
            allowed = {
                reverse("frontend:password_change", urlconf=urlconf),
                reverse("frontend:logout", urlconf=urlconf),
            }
            if request.path not in allowed:
                return redirect(reverse("frontend:password_change", urlconf=urlconf))
        return self.get_response(request)
