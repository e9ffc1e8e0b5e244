"""Background tasks of the core. Tasks carry ids only, never personal content."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled
from django_tasks import task

from .channels import send_delivery
from .models import Invitation

# The invitation link carries only a signed invitation id. Whether it still works is the
# invitation's own state (accepted, withdrawn, expired), read fresh on every use, so the
# token itself has no expiry to keep in step with it.
INVITATION_TOKEN_SALT = "peerwork.core.invitation"  # noqa: S105 (a salt, not a secret)


def invitation_token(invitation_id: object) -> str:
    return signing.dumps({"invitation": str(invitation_id)}, salt=INVITATION_TOKEN_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, or None for a forged, mangled or unknown link.

    Read without a scope on purpose: the person opening the link is not yet a member of
    the invitation's organisation, and the signed id names exactly one invitation.
    """
    try:
        payload = signing.loads(token, salt=INVITATION_TOKEN_SALT)
        invitation_id = payload["invitation"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    with scopes_disabled():
        try:
            return Invitation.objects.select_related("organisation").get(pk=invitation_id)
        except (Invitation.DoesNotExist, ValidationError):
            return None


def invitation_url(invitation_id: object) -> str:
    """The absolute link, on the configured base URL (never a request's Host header)."""
    path = reverse("core:join", kwargs={"token": invitation_token(invitation_id)})
    return f"{settings.PEERWORK_BASE_URL}{path}"


@task()
def send_invitation(invitation_id: str) -> None:
    """Email the invitation link, if the invitation is still open when the task runs."""
    # A task has only the id, so it reads the invitation's organisation first; everything
    # after runs inside that organisation's scope.
    with scopes_disabled():
        organisation_id = (
            Invitation.objects.filter(pk=invitation_id)
            .values_list("organisation_id", flat=True)
            .first()
        )
    if organisation_id is None:
        return
    with scope(organisation=organisation_id):
        invitation = Invitation.objects.select_related("organisation").get(pk=invitation_id)
        if not invitation.is_open():
            return
        organisation = invitation.organisation
        # The invitee has no profile yet: write in the organisation's first language.
        known = {code for code, _name in settings.LANGUAGES}
        language = next(
            (code for code in organisation.languages if code in known), settings.LANGUAGE_CODE
        )
        context = {
            "organisation": organisation.name,
            "url": invitation_url(invitation.pk),
            "expires_at": invitation.expires_at,
            "time_zone": organisation.time_zone,
        }
        with translation.override(language):
            # The subject names no organisation: subjects show on lock screens and shared
            # inboxes, and the organisation's name can say more than the person wants.
            subject = render_to_string("core/email/invitation_subject.txt", context).strip()
            body = render_to_string("core/email/invitation_body.txt", context)
        send_mail(subject, body, None, [invitation.email])


@task()
def deliver(delivery_id: str) -> None:
    """Send one notification delivery (``peerwork.core.channels.send_delivery``).

    Idempotent, as every task must be (a worker that dies mid-task has its task run again
    by another, see ``run_worker``): the delivery is claimed with a conditional update, so
    a second run finds it no longer pending and sends nothing. Only a send whose outcome
    was unknown is sent again, and it is counted.
    """
    send_delivery(delivery_id)
