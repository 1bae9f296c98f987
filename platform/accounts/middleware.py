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


class SecondFactorMiddleware:
    """A signed-in staff session that has not passed the second factor can do nothing else
    (ADR 0022): an account with an authenticator is asked for its code (a session that began
    before the authenticator was enrolled, or whose authenticator an administrator removed);
    an account that must have one (accounts.second_factor.required_for) and has none can only
    enrol. The API answers such a session 403 with a code saying which. Runs after
    django-otp's OTPMiddleware (request.user.is_verified) and after the forced password change:
    the one-time secret is changed first."""

    EXEMPT_PREFIXES = ("/static/", "/i18n/")
    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or getattr(user, "must_change_password", False)
            or request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return self.get_response(request)
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return self.get_response(request)
        from accounts.second_factor import second_factor_state

        state = second_factor_state(user)
        if state.enrolled:
            return self._refuse(request, "second_factor_required", "frontend:two_factor_verify")
        if state.required:
            return self._refuse(
                request, "second_factor_enrolment_required", "frontend:two_factor_enrol"
            )
        return self.get_response(request)

    def _refuse(self, request, code: str, page: str):
        if request.path.startswith(self.API_PREFIX):
            from django.utils.translation import gettext as _

            message = (
                _("Hãy nhập mã của ứng dụng xác thực ở trang đăng nhập trước.")
                if code == "second_factor_required"
                else _("Hãy đăng ký ứng dụng xác thực (xác thực hai lớp) ở trang cán bộ trước.")
            )
            return JsonResponse(
                {"error": {"code": code, "message": message, "fields": {}}}, status=403
            )
        urlconf = getattr(request, "urlconf", None)
        target = reverse(page, urlconf=urlconf)
        allowed = {target, reverse("frontend:logout", urlconf=urlconf)}
        if request.path in allowed:
            return self.get_response(request)
        return redirect(target)
