from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "peerwork.outreach"
    label = "outreach"
    verbose_name = _("Outreach shift safety")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The register of personal data, the kinds of message and the escalation step of
        # the deadline loop.
        from . import escalation, kinds, personal_data  # noqa: F401

        personal_data.register()
