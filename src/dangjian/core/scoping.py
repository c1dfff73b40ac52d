"""Scoped models: rows that belong to an organ (or a program) are read only through a scope, so that a
forgotten filter is an error, not a leak.

    Person.objects.visible_to(user)      # the user's scope: the model's one visibility rule (a Q)
    Person.unscoped.filter(...)          # deliberately everything: services, commands, tests

Evaluating a queryset of `objects` that went through neither raises ScopeError. The default manager
(used by Django itself: uniqueness checks, related managers from an already loaded record, the admin)
is `unscoped`; our code names it when it means it, and a code review can grep for it.
"""

from django.db import models


class ScopeError(RuntimeError):
    """A scoped model was queried without a scope: use .objects.visible_to(user), or .unscoped."""


class ScopedQuerySet(models.QuerySet):
    _scope_checked = False

    def visibility(self, user) -> models.Q:  # pragma: no cover - each scoped model says it
        raise NotImplementedError

    def visible_to(self, user):
        """The rows `user` may see (the model's visibility rule)."""
        queryset = self.filter(self.visibility(user))
        queryset._scope_checked = True
        return queryset

    def _clone(self):
        clone = super()._clone()
        clone._scope_checked = self._scope_checked
        return clone

    def _require_scope(self) -> None:
        if not self._scope_checked:
            raise ScopeError(
                f"{self.model.__name__}.objects was queried without a scope: use "
                f"{self.model.__name__}.objects.visible_to(user), or {self.model.__name__}.unscoped deliberately."
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def count(self):
        self._require_scope()
        return super().count()

    def exists(self):
        self._require_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, *args, **kwargs):
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def update(self, **kwargs):
        self._require_scope()
        return super().update(**kwargs)

    def delete(self):
        self._require_scope()
        return super().delete()

    def in_bulk(self, *args, **kwargs):
        self._require_scope()
        return super().in_bulk(*args, **kwargs)


class UnscopedManager(models.Manager):
    """Everything, deliberately. Its querysets keep the model's own queryset methods (e.g. `current()`)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        queryset._scope_checked = True
        return queryset
