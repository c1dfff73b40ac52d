from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "dangjian.ledger"
    verbose_name = _("Training-hours ledger")

    def ready(self) -> None:
        from dangjian.ledger import rules  # noqa: F401 (registers the permissions)
