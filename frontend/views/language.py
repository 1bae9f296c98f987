"""The language switch as plain links (GET): a preference, not a state change worth a form,
so citizen pages carry no CSRF token and can be cached whole (frontend.page_cache)."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from frontend.profiles import english_offered


@never_cache
def choose_language(request):
    language = request.GET.get("lang", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    # No English for the citizens of a portal without an English version (language.english);
    # signed-in staff choose their back office's language.
    refused = (
        language != settings.LANGUAGE_CODE
        and not request.user.is_authenticated
        and not english_offered(request)
    )
    if language in dict(settings.LANGUAGES) and not refused:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=False,
        )
    return response
