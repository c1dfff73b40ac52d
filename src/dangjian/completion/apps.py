from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompletionConfig(AppConfig):
    name = "dangjian.completion"
    verbose_name = _("Completion")

    def ready(self) -> None:
        # The closing pack's permissions, and the work of closing and reopening a class attached to the
        # training workflow (training does not import completion: docs/architecture.md).
        from dangjian.completion import closing, closing_rules  # noqa: F401

        closing.register_transition_hooks()
