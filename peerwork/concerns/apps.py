from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "peerwork.concerns"
    label = "concerns"
    verbose_name = _("Concerns and problem management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each area registers its messages and its reminders for the deadline loop; the
        # own-data export learns the module's parts and what it holds back while an
        # investigation is open.
        from . import (
            advice,
            app9,
            intake,
            investigations,
            meetings,
            other_paths,
            paths,
            personal_data,
        )

        personal_data.register()
        del advice, app9, intake, investigations, meetings, other_paths, paths
