"""Actions: one django-rules permission per action on a record, answering role, scope and the record's
state together, with the words that explain a refusal.

    add_action("training.submit_program", who=is_organizer, when=program_status_in(DRAFT, RETURNED),
               refusal=lambda program: _("…"))

`user.has_perm(name, obj)` (views, templates' `{% has_perm %}`, the API, buttons) asks the whole rule.
Services call `require(user, name, obj)`: a user whom the role or scope (`who`) excludes gets
PermissionDenied (learning nothing about the record); a user who could act but not in the record's
present state (`when`) gets ActionRefused, a ValidationError carrying the refusal's words.
"""

from collections.abc import Callable
from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class ActionRefused(ValidationError):
    """The user may take this action on such records, but not on this one in its present state."""


@dataclass(frozen=True)
class Action:
    who: rules.Predicate
    when: rules.Predicate | None
    refusal: Callable[[object], str] | None


ACTIONS: dict[str, Action] = {}


def add_action(name: str, *, who, when=None, refusal: Callable[[object], str] | None = None) -> None:
    """Register the permission `name` = who & when, and remember both halves for `require`."""
    who = who if isinstance(who, rules.Predicate) else rules.predicate(who)
    if when is not None and not isinstance(when, rules.Predicate):
        when = rules.predicate(when)
    rules.add_perm(name, who & when if when is not None else who)
    ACTIONS[name] = Action(who=who, when=when, refusal=refusal)


def refusal(user, name: str, obj=None) -> str | None:
    """None when `user` may take action `name` on `obj` now; the reason in words when only the record's
    state stands in the way. PermissionDenied when the role or the scope excludes the user."""
    if user is not None and user.has_perm(name, obj):
        return None
    action = ACTIONS.get(name)
    if user is None or action is None or action.when is None or not action.who.test(user, obj):
        raise PermissionDenied(_("You are not allowed to do this."))
    if action.refusal is not None:
        return str(action.refusal(obj))
    return _("This is not possible in the record's present state.")


def require(user, name: str, obj=None) -> None:
    """What a service calls first: PermissionDenied for the wrong role or scope, ActionRefused (with
    the reason) for the wrong state."""
    reason = refusal(user, name, obj)
    if reason is not None:
        raise ActionRefused(reason)
