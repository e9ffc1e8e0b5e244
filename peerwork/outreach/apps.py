from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Where shift links live (urls_link.py; a test checks the two agree).
LINK_PREFIX = "/s/"


class OutreachConfig(AppConfig):
    name = "peerwork.outreach"
    label = "outreach"
    verbose_name = _("Outreach shift safety")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The register of personal data, the kinds of message, and the deadline loop's
        # steps (the escalation; forgetting who sent old texts).
        from peerwork.core.session_limits import register_sessionless_prefix

        from . import escalation, kinds, personal_data, sms  # noqa: F401

        personal_data.register()
        # The shift link is opened with a PIN, not the session: an ended session there
        # is ended, and the link still answers (issue 5 item 3).
        register_sessionless_prefix(LINK_PREFIX)
