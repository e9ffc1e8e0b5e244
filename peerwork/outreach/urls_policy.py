"""The outreach policy settings: the organisation's and a site's own, the escalation chain
and the on-call rota (issue 5 item 1)."""

from django.urls import path

from . import policy_views

urlpatterns = [
    path("outreach/policy/", policy_views.policy_page, name="policy"),
    path("outreach/policy/steps/new", policy_views.step_add, name="step_add"),
    path(
        "outreach/policy/sites/<str:policy_site_id>/",
        policy_views.policy_page,
        name="site_policy",
    ),
    path(
        "outreach/policy/sites/<str:policy_site_id>/steps/new",
        policy_views.step_add,
        name="site_step_add",
    ),
    path(
        "outreach/policy/steps/<str:step_id>/remove", policy_views.step_remove, name="step_remove"
    ),
    path("outreach/policy/steps/<str:step_id>/move", policy_views.step_move, name="step_move"),
    path("outreach/policy/on-call/new", policy_views.on_call_add, name="on_call_add"),
    path(
        "outreach/policy/on-call/<str:on_call_id>/remove",
        policy_views.on_call_remove,
        name="on_call_remove",
    ),
]
