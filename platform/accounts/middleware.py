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

class StaffSessionLimitMiddleware:
    """A staff session ends 12 hours after its sign-in and after 30 minutes without a request
    (SESSION_COOKIE_AGE, STAFF_SESSION_IDLE_SECONDS; ADR 0022): the user is signed out, the
    end recorded in the host's audit (`session_expired`), and the page asks for a new sign-in
    (the API answers 401 `session_expired`). Runs after the authentication and messages
    middleware, on a province's hosts and on the platform host alike."""

    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # API keys authenticate in the API's own layer, not here: only session sign-ins.
        if user is not None and user.is_authenticated:
            from accounts import security

            reason = security.session_expiry(request.session)
            if reason is not None:
                return self._expired(request, user, reason)
        return self.get_response(request)

    def _expired(self, request, user, reason: str):
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _

        from accounts import security

        security.record_session_expired(request, user, reason=reason)
        request._session_expired = True  # the sign-out is this, not the user's
        logout(request)
        message = _("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.")
        if request.path.startswith(self.API_PREFIX):
            return JsonResponse(
                {"error": {"code": "session_expired", "message": message, "fields": {}}},
                status=401,
            )
        messages.info(request, message)
        login_url = reverse("frontend:login", urlconf=getattr(request, "urlconf", None))
        if request.method == "GET" and len(request.get_full_path()) <= 1000:
            login_url = f"{login_url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(login_url)
