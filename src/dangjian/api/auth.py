"""API authentication: `Authorization: Bearer <token>` (per-user tokens) or the browser session."""

import datetime

from django.utils import timezone
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
        return found.user


API_AUTH = [BearerToken(), django_auth]
