from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Chinese first: the interface language is the user's explicit choice (the language cookie set
    by the switcher) or else settings.LANGUAGE_CODE; the browser's Accept-Language is not used,
    so that a browser configured in English still opens the platform in Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
