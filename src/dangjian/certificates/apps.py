from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "dangjian.certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from dangjian.certificates import rules  # noqa: F401
        from dangjian.certificates.services import certificates_after_closing_again
        from dangjian.training.services.workflow import TransitionHook, transition_hook_add

        # After the completion app's own "close" hook (installed before this app), which stores the new results.
        # Hooks are compared by value: registering it again is ignored.
        transition_hook_add("close", TransitionHook(apply=certificates_after_closing_again))
