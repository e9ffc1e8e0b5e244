from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "peerwork.people"
    label = "people"
    verbose_name = _("People, privacy and audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the sharing-grant opening with core.access and the kinds of message.
        from . import access, kinds  # noqa: F401
