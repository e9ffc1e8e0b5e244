"""Routes of incidents, the legal-contacts directory and the documents (issue 5 items 6
and 7). The person's own off-duty actions (asking a helper, deleting) live under
``off-duty/``: only the person may take them."""

from django.urls import URLPattern, path

from . import document_views, incident_views, legal_views

urlpatterns: list[URLPattern] = [
    path("outreach/incidents/", incident_views.incident_list, name="incidents"),
    path(
        "outreach/incidents/new/",
        incident_views.incident_off_duty_new,
        name="incident_off_duty_new",
    ),
    path("outreach/shifts/<shift_id>/incident/", incident_views.incident_new, name="incident_new"),
    path("outreach/incidents/<incident_id>/", incident_views.incident_page, name="incident"),
    path(
        "outreach/incidents/<incident_id>/step/", incident_views.incident_step, name="incident_step"
    ),
    path(
        "outreach/incidents/<incident_id>/court/",
        incident_views.incident_legal,
        name="incident_legal",
    ),
    path(
        "outreach/incidents/<incident_id>/take-over/",
        incident_views.incident_take_over,
        name="incident_take_over",
    ),
    path(
        "outreach/incidents/<incident_id>/pass/", incident_views.incident_pass, name="incident_pass"
    ),
    path(
        "outreach/incidents/<incident_id>/close/",
        incident_views.incident_close,
        name="incident_close",
    ),
    path(
        "outreach/off-duty/<incident_id>/helper/",
        incident_views.incident_helper,
        name="incident_helper",
    ),
    path(
        "outreach/off-duty/<incident_id>/delete/",
        incident_views.incident_delete,
        name="incident_delete",
    ),
    path("outreach/legal-contacts/", legal_views.contact_list, name="legal_contacts"),
    path("outreach/legal-contacts/new/", legal_views.contact_new, name="legal_contact_new"),
    path(
        "outreach/legal-contacts/<contact_id>/edit/",
        legal_views.contact_edit,
        name="legal_contact_edit",
    ),
    path(
        "outreach/legal-contacts/<contact_id>/remove/",
        legal_views.contact_remove,
        name="legal_contact_remove",
    ),
    path("outreach/documents/letter/", document_views.letter, name="police_letter"),
    path("outreach/documents/letter.pdf", document_views.letter_pdf, name="police_letter_pdf"),
    path("outreach/documents/card/<member_id>/", document_views.card, name="id_card"),
    path("outreach/documents/card/<member_id>/pdf/", document_views.card_pdf, name="id_card_pdf"),
]
