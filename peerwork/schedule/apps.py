from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Where calendar feeds live (urls_calendar.py): opened by their secret, never by the session.
FEED_PREFIX = "/cal/"


class ScheduleConfig(AppConfig):
    name = "peerwork.schedule"
    label = "schedule"
    verbose_name = _("Working patterns and scheduling")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from peerwork.core.session_limits import register_sessionless_prefix

        # The conflicts follow every change of availability, and the deadline loop moves
        # their horizon on (conflicts.extend_horizons).
        from . import conflicts, kinds, personal_data, reminders  # noqa: F401

        # The register of personal data (people/personal_data.py).
        personal_data.register()

        # A phone's calendar app fetches the feed with its secret address and no session
        # (issue 6 item 6).
        register_sessionless_prefix(FEED_PREFIX)
