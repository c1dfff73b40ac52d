"""API authentication: `Authorization: Bearer <token>` (per-user tokens) or the browser session."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from dangjian.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        # Record use at most once an hour: a write per request would be a formalism of its own.
        if found.last_used_at is None or now - found.last_used_at > datetime.timedelta(hours=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
        return found.user


def ambient_credentials(request) -> bool:
    """True when the request was authenticated by the browser session, which a browser sends along by itself,
    even for a request another site makes it send; false for a bearer token, which a caller sends on purpose."""
    return getattr(request, "api_token", None) is None


API_AUTH = [BearerToken(), django_auth]


def require_deliberate_reveal(request) -> None:
    """A reveal by GET only with a bearer token: a browser session's GET could come from another site."""
    if request.method != "POST" and ambient_credentials(request):
        raise HttpError(403, _("With a browser session, personal data is revealed only by POST (with the CSRF "
                               "token), e.g. POST /api/v1/people/{id}/reveal; or use a bearer token."))
