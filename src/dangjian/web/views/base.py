"""Helpers shared by the staff views: access checks, pagination, service errors on forms."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from dangjian.core.rules import refusal


def require(user, perm: str, obj=None) -> None:
    """403 unless the user holds `perm` on `obj` (role, scope and, for actions, the record's state)."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def refused(request, perm: str, obj, back_url: str):
    """For an action (core.rules.add_action): 403 for the wrong role or scope; for the wrong state of the
    record, a redirect to `back_url` with the reason as a message; None when the action may go ahead."""
    reason = refusal(request.user, perm, obj)
    if reason is None:
        return None
    messages.error(request, reason)
    return redirect(back_url)


def paginate(request, queryset, per_page: int | None = None):
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field where it names fields."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target if target != NON_FIELD_ERRORS else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def private_no_store(response):
    """Personal data (a reveal, an export): no cache, shared or the browser's own, keeps a copy."""
    patch_cache_control(response, private=True, no_store=True)
    return response
