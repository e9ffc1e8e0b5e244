"""The mentoring pages of support (issue 7 items 5 and 6): support at work, pairs, session
logs, agreements, requests for a mentor and the line manager's confirmations. Path
parameters are named as ``isolation_mentoring`` makes them."""

from django.urls import path

from . import agreement_views, mentoring_views

urlpatterns = [
    path("", mentoring_views.home, name="home"),
    path("pairs/", mentoring_views.pairs, name="pairs"),
    path("pairs/<str:pair_id>/", mentoring_views.pair_page, name="pair"),
    path("pairs/<str:pair_id>/end/", mentoring_views.pair_end, name="pair_end"),
    path("pairs/<str:pair_id>/sessions/new/", mentoring_views.session_new, name="session_new"),
    path("pairs/<str:pair_id>/confirm/", mentoring_views.confirm, name="confirm"),
    path("sessions/<str:support_session_id>/", mentoring_views.session_page, name="session"),
    path(
        "sessions/<str:support_session_id>/remove/",
        mentoring_views.session_remove,
        name="session_remove",
    ),
    path("confirmations/", mentoring_views.confirmations, name="confirmations"),
    path("requests/new/", mentoring_views.request_new, name="request_new"),
    path("requests/<str:mentoring_request_id>/", mentoring_views.request_page, name="request"),
    path(
        "requests/<str:mentoring_request_id>/withdraw/",
        mentoring_views.request_withdraw,
        name="request_withdraw",
    ),
    path(
        "requests/<str:mentoring_request_id>/pair/",
        mentoring_views.request_pair,
        name="request_pair",
    ),
    path("agreements/new/", agreement_views.agreement_new, name="agreement_new"),
    path("agreements/<str:agreement_id>/", agreement_views.agreement_page, name="agreement"),
    path(
        "agreements/<str:agreement_id>/terms/",
        agreement_views.agreement_edit,
        name="agreement_edit",
    ),
    path(
        "agreements/<str:agreement_id>/contact/",
        agreement_views.agreement_contact,
        name="agreement_contact",
    ),
    path(
        "agreements/<str:agreement_id>/agree/",
        agreement_views.agreement_agree,
        name="agreement_agree",
    ),
    path(
        "agreements/<str:agreement_id>/duty/",
        agreement_views.agreement_duty,
        name="agreement_duty",
    ),
    path(
        "agreements/<str:agreement_id>/consent/",
        agreement_views.agreement_consent,
        name="agreement_consent",
    ),
    path(
        "agreements/<str:agreement_id>/consent/withdraw/",
        agreement_views.agreement_withdraw,
        name="agreement_withdraw",
    ),
    path(
        "agreements/<str:agreement_id>/pdf/",
        agreement_views.agreement_pdf_view,
        name="agreement_pdf",
    ),
]
