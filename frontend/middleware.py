"""Language of the pages: Vietnamese unless the visitor chose English.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a visitor whose
browser prefers English would get English page chrome around Vietnamese content. An
official portal's language is Vietnamese (Hà Giang Art. 4(1): English "when possible"), so
this middleware reads only the choice made with the language switch (Django's language
cookie, set by the set_language view). To use it, replace
"django.middleware.locale.LocaleMiddleware" with it in MIDDLEWARE."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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
