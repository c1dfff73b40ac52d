from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "dangjian.portal"
    verbose_name = _("News portal")

    def ready(self):
        from dangjian.portal.workflow import on_post_migrate

        # The three-step review workflow (三审) is data an organizer may change: created once, never overwritten.
        post_migrate.connect(on_post_migrate, dispatch_uid="dangjian.portal.review_workflow")
