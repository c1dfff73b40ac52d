from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _


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


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, except that pages under settings.CMS_URL_PREFIX (the Wagtail editor) get
    settings.CMS_CONTENT_SECURITY_POLICY and may be framed by the same origin (Wagtail's preview panel is an
    iframe; elsewhere X_FRAME_OPTIONS = "DENY" holds). A view's own csp_override/csp_update decorators win."""

    def process_response(self, request, response):
        prefix = getattr(settings, "CMS_URL_PREFIX", None)
        if prefix and request.path.startswith(prefix):
            # Set before XFrameOptionsMiddleware (earlier in MIDDLEWARE, so later on the way out) looks.
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        prefix = getattr(settings, "CMS_URL_PREFIX", None)
        if not report_only and parts.config is None and prefix and request.path.startswith(prefix):
            parts.config = default_config(settings.CMS_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        return parts


class EditorAccessMiddleware:
    """A signed-in user without access to the Wagtail editor (settings.CMS_URL_PREFIX) gets our 403 page saying
    so. Wagtail itself sends such a user to the login page, and the login page sends a signed-in user back to
    the editor: the browser went round in circles until it gave up. Anonymous users still go to the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefix = getattr(settings, "CMS_URL_PREFIX", None)
        user = request.user
        if prefix and request.path.startswith(prefix) and user.is_authenticated and not user.has_perm(
                "wagtailadmin.access_admin"):
            raise PermissionDenied(_("This account has no access to the news portal's editor. Editors and "
                                     "reviewers of the portal work there; ask the working committee if you "
                                     "need access."))
        return self.get_response(request)
