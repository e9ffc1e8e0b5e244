from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "peerwork.people"
    label = "people"
    verbose_name = _("People, privacy and audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the sharing-grant opening with core.access and the kinds of message; the
        # register of personal data; and the daily retention step of the deadline loop.
        from . import access, kinds, personal_data, retention  # noqa: F401
