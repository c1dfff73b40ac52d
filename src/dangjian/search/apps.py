from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "dangjian.search"
    label = "search"
    verbose_name = _("Portal search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from dangjian.search import signals

        signals.connect()
