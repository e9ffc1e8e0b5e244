from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfcareConfig(AppConfig):
    name = "peerwork.selfcare"
    label = "selfcare"
    verbose_name = _("Self-care")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each area registers its messages and its reminders for the deadline loop.
        from . import circles, personal_data, programmes, pulse, wellbeing  # noqa: F401

        personal_data.register()
