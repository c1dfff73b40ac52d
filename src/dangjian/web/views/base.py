"""Helpers shared by the staff views: access checks, pagination, service errors on forms."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from dangjian.core.pagination import DeepPagePaginator
from dangjian.core.rules import refusal


def permission_required(perm: str):
    """A view for users who are logged in and hold `perm` (asked without a record): others get 403
    before any record is looked up; a record outside their scope is then a 404 from the scoped lookup."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, perm)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def form_page(request, *, form, save, context: dict, success: str, next_url=None,
              template: str = "web/training/form.html"):
    """Validate `form`, call `save()` (a service), then redirect to `next_url(saved object)` (default: the
    object's own page); a service's ValidationError is shown on the fields (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(next_url(obj) if next_url else obj)
    return render(request, template, {**context, "form": form}, status=400 if form.errors else 200)


def delete_then_redirect(request, *, obj, delete, next_url: str, back_url: str):
    """Call `delete()` (a service); on refusal show its message and go back to the record."""
    label = str(obj)
    try:
        delete()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back_url)
    messages.success(request, _("Deleted %(record)s.") % {"record": label})
    return redirect(next_url)


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


def paginate(request, queryset, per_page: int | None = None, *, count: int | None = None):
    """The requested page of `queryset`; `count`, when the view knows it already (from counts it shows anyway),
    spares the paginator its COUNT(*)."""
    paginator = DeepPagePaginator(queryset, per_page or settings.PAGE_SIZE)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
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
