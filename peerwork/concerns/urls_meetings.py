"""The review meeting pages of concerns (issue 8 item 2; App. 7): the list, planning one,
the meeting page and what each side does on it, and the meeting note. Path parameters are
named as ``isolation_meetings`` makes them: ``review_id`` (``meeting_id`` is the
schedule's) and ``meeting_note_id`` (``note_id`` is taken)."""

from django.urls import path

from . import meeting_views

urlpatterns = [
    path("reviews/", meeting_views.reviews, name="reviews"),
    path("reviews/new/", meeting_views.review_new, name="review_new"),
    path("reviews/<str:review_id>/", meeting_views.review_page, name="review"),
    path("reviews/<str:review_id>/agenda/", meeting_views.review_agenda, name="review_agenda"),
    path(
        "reviews/<str:review_id>/supporter/",
        meeting_views.review_supporter,
        name="review_supporter",
    ),
    path("reviews/<str:review_id>/held/", meeting_views.review_held, name="review_held"),
    path("reviews/<str:review_id>/cancel/", meeting_views.review_cancel, name="review_cancel"),
    path("reviews/<str:review_id>/note/", meeting_views.review_note, name="review_note"),
    path(
        "meeting-notes/<str:meeting_note_id>/edit/",
        meeting_views.meeting_note_edit,
        name="meeting_note_edit",
    ),
    path(
        "meeting-notes/<str:meeting_note_id>/agree/",
        meeting_views.meeting_note_agree,
        name="meeting_note_agree",
    ),
    path(
        "meeting-notes/<str:meeting_note_id>/disagree/",
        meeting_views.meeting_note_disagree,
        name="meeting_note_disagree",
    ),
]
