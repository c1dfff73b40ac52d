"""Helpers shared by the staff views: access checks, pagination, service errors on forms."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.utils.cache import patch_cache_control


def require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


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
