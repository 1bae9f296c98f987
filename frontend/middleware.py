"""Language of the pages: Vietnamese unless the visitor chose English.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a visitor whose
browser prefers English would get English page chrome around Vietnamese content. An
official portal's language is Vietnamese (Hà Giang Art. 4(1): English "when possible"), so
this middleware reads only the choice made with the language switch (Django's language
cookie, set by the set_language view). To use it, replace
"django.middleware.locale.LocaleMiddleware" with it in MIDDLEWARE.

A page therefore varies on the language cookie, never on Accept-Language: its responses say
`Vary: Cookie` (nginx keys its cache on the cookie itself, ADR 0021); a `Vary:
Accept-Language` would split every browser cache and CDN on a header the page never reads."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from frontend.profiles import english_offered, in_back_office


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        # A portal without an English version (language.english = false) serves its citizens
        # in Vietnamese only; staff keep their choice in the back office.
        if (
            language
            and language != settings.LANGUAGE_CODE
            and not in_back_office(request)
            and not english_offered(request)
        ):
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The site uses no i18n_patterns: LocaleMiddleware's redirects to a language prefix
        # never apply, and the language comes from the cookie alone.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
