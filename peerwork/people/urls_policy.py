from django.urls import path

from . import policy_views

urlpatterns = [
    path("organisation/retention", policy_views.retention_policy, name="retention_policy"),
]
