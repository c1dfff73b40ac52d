from django import template
from django.utils.http import urlencode

from dangjian.core.masking import mask_id_number, mask_mobile

register = template.Library()


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value)


@register.filter
def masked_mobile(value: str) -> str:
    return mask_mobile(value)


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters changed, e.g. {% query page=2 %}."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in changes:
        params.pop("page", None)
    return "?" + urlencode(sorted(params.lists()), doseq=True)


@register.simple_tag(takes_context=True)
def sort_link(context, column: str) -> str:
    """Query string that sorts by `column`, toggling the direction when it is the current sort."""
    current = context.get("sort", "")
    target = f"-{column}" if current == column else column
    return query(context, sort=target)


@register.filter
def term_status(org) -> str:
    return org.term_status()
