from django.apps import AppConfig


class SealTestConfig(AppConfig):
    name = "peerwork.core.tests.sealtest"
    label = "sealtest"
    default_auto_field = "django.db.models.BigAutoField"
