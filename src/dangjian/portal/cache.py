"""The public portal's page cache: Wagtail's serve view, wrapped (see portal_urls(), used by dangjian/urls.py).

What is cached: the response of Wagtail's serve view for a GET by an anonymous reader, per host, full path (with
the query string: channel list pages) and interface language, for settings.PORTAL_CACHE_SECONDS (0 turns the
cache off). Only the view's response is cached: the middleware still runs on every request, so each response
gets its own Content-Security-Policy, Content-Language and CSRF cookie.

Invalidation: every key holds a *generation* kept in the cache. Publishing, unpublishing, moving or deleting any
page (Wagtail's page_published / page_unpublished / post_page_move signals, Django's post_delete) and changing a
site replace the generation, so every cached page is out at once: a published change is visible on the next
request. Coarse on purpose: a publish changes the front page, the channel lists, breadcrumbs and related links
anywhere, and publishing is rare next to reading. The generation is replaced again when the transaction commits,
so that a request served between the signal and the commit cannot keep the old text.

Never cached:
- previews and "view draft": they are Wagtail admin views under /cms/, not the serve view wrapped here; the
  serve view itself only serves live pages, so a draft never reaches a reader or the cache;
- requests of signed-in users (editors see their publish at once and may see restricted pages), requests that
  carry messages to show, and sessions that passed a page's password (Wagtail's view restrictions);
- responses other than 200, responses that set cookies, and responses marked private / no-cache / no-store
  (Wagtail's password form is).
The CSRF token of the language switcher is per visitor: the stored copy holds a placeholder that each hit
replaces with the visitor's own token (which also sends the visitor's CSRF cookie).

A multi-process deployment needs a shared cache (CACHES → Redis, see docs/deploy.md) so that one worker's
publish invalidates the others' pages.
"""

import hashlib
import re
import secrets

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import re_path
from django.utils import translation
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "portal:generation"
HEADER = "X-Portal-Cache"  # hit, miss or bypass: for tests, the benchmark and whoever reads the logs
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"@@portal-csrf-token@@"
UNCACHEABLE = ("private", "no-cache", "no-store")


def _cache():
    return caches[getattr(settings, "PORTAL_CACHE_ALIAS", "default")]


def cache_seconds() -> int:
    return int(getattr(settings, "PORTAL_CACHE_SECONDS", 0) or 0)


def generation() -> str:
    """The current generation; a missing one (first start, eviction) is a new random one, never an old one."""
    current = _cache().get(GENERATION_KEY)
    if current is None:
        current = secrets.token_hex(8)
        if not _cache().add(GENERATION_KEY, current, None):
            current = _cache().get(GENERATION_KEY) or current
    return current


def _new_generation() -> None:
    _cache().set(GENERATION_KEY, secrets.token_hex(8), None)


def invalidate() -> None:
    """Every cached portal page out: now, and again once the current transaction commits."""
    _new_generation()
    transaction.on_commit(_new_generation)


def cache_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"portal:page:{generation()}:{translation.get_language()}:{request.get_host()}:{path}"


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    return bool(getattr(storage, "_queued_messages", None)) or bool(getattr(storage, "_loaded_messages", None))


def bypasses_cache(request) -> bool:
    """Whether this request is served without the cache (neither read nor stored)."""
    if request.method != "GET" or not cache_seconds():
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # Only a visitor with a session can be signed in or have passed a page's password.
        if request.user.is_authenticated:
            return True
        if request.session.get(PageViewRestriction.passed_view_restrictions_session_key):
            return True
    return _has_messages(request)


def storable(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.headers.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in UNCACHEABLE)


def _stored(response) -> dict:
    return {
        "status": response.status_code,
        "headers": {name: value for name, value in response.headers.items() if name.lower() != "set-cookie"},
        "content": CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content),
    }


def _from_stored(request, stored: dict) -> HttpResponse:
    content = stored["content"]
    if CSRF_PLACEHOLDER in content:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content, status=stored["status"])
    for name, value in stored["headers"].items():
        response.headers[name] = value
    response.headers["Content-Length"] = str(len(content))
    return response


def cached_serve(request, path):
    """Wagtail's serve view behind the page cache (module docstring)."""
    from wagtail import views as wagtail_views  # not at import: this module is imported while models load

    if bypasses_cache(request):
        response = wagtail_views.serve(request, path)
        response.headers[HEADER] = "bypass"
        return response
    key = cache_key(request)
    stored = _cache().get(key)
    if stored is not None:
        response = _from_stored(request, stored)
        response.headers[HEADER] = "hit"
        return response
    response = wagtail_views.serve(request, path)
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    if storable(response):
        _cache().set(key, _stored(response), cache_seconds())
    response.headers[HEADER] = "miss"
    return response


def portal_urls() -> list:
    """Wagtail's front-end URLs with the serve view replaced by cached_serve (same name, wagtail_serve)."""
    from wagtail import urls as wagtail_urls

    patterns = []
    for pattern in wagtail_urls.urlpatterns:
        if getattr(pattern, "name", None) == "wagtail_serve":
            pattern = re_path(pattern.pattern.regex.pattern, cached_serve, name="wagtail_serve")
        patterns.append(pattern)
    return patterns


# Invalidation ------------------------------------------------------------------------------------------

@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _page_changed(sender, **kwargs):
    invalidate()


@receiver(post_delete)
def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page | Site):
        invalidate()


@receiver(post_save, sender=Site)
def _site_saved(sender, **kwargs):
    invalidate()


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    # Tests change settings per test (pytest-django's `settings`): no page cached in one test is served in another.
    if setting in ("PORTAL_CACHE_SECONDS", "PORTAL_CACHE_ALIAS", "CACHES"):
        _new_generation()  # not invalidate(): no database here (tests without one change settings too)
