"""The wellbeing pages of selfcare (issue 7 items 3 and 4): the self-care home, the burnout
self-check, the personal relapse plan, weekly goals and grief (§3.9, §4.10, App. 11)."""

from django.urls import path

from . import wellbeing_views as views

urlpatterns = [
    path("", views.home, name="home"),
    path("burnout/", views.burnout, name="burnout"),
    path("burnout/keep/", views.burnout_keep, name="burnout_keep"),
    path("grief/", views.grief, name="grief"),
    path("checks/<str:self_check_id>/", views.selfcheck, name="selfcheck"),
    path("checks/<str:self_check_id>/delete/", views.selfcheck_remove, name="selfcheck_remove"),
    path("plan/", views.plan, name="plan"),
    path("plan/edit/", views.plan_edit, name="plan_edit"),
    path("plan/<str:relapse_plan_id>/delete/", views.plan_remove, name="plan_remove"),
    path("goals/", views.goals, name="goals"),
    path("goals/new/", views.goal_new, name="goal_new"),
    path("goals/<str:weekly_goal_id>/done/", views.goal_done, name="goal_done"),
    path("goals/<str:weekly_goal_id>/undo/", views.goal_undo, name="goal_undo"),
    path("goals/<str:weekly_goal_id>/delete/", views.goal_remove, name="goal_remove"),
]
