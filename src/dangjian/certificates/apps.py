from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "dangjian.certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from dangjian.certificates import rules  # noqa: F401
