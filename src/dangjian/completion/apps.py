from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompletionConfig(AppConfig):
    name = "dangjian.completion"
    verbose_name = _("Completion")
