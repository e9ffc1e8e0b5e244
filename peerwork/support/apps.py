from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "peerwork.support"
    label = "support"
    verbose_name = _("Support at work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each area registers its messages, its reminders for the deadline loop, and (the
        # agreements) who receives an exception report.
        from . import agreements, groups, mentoring, personal_data, retreats  # noqa: F401

        personal_data.register()
