"""``python manage.py create_api_token USERNAME --org SLUG [--name NAME] [--days N]``.

Makes a personal API token for a person's membership in one organisation, for the operator
setting up an integration or a script. The token is printed once, on the last line, alone,
so ``… | tail -n 1`` captures it; nothing else keeps it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from peerwork.core.models import Membership, Organisation, User
from peerwork.core.tokens import DEFAULT_LIFETIME_DAYS, MAX_LIFETIME_DAYS, create_token


class Command(BaseCommand):
    help = "Make a personal API token for a person in one organisation; prints it last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the person's username")
        parser.add_argument("--org", required=True, help="the organisation's short name (slug)")
        parser.add_argument(
            "--name", default="", help="what the token is for (default: 'command line')"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_LIFETIME_DAYS,
            help=f"days until it expires, 1 to {MAX_LIFETIME_DAYS} (default {DEFAULT_LIFETIME_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        slug: str = options["org"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                _("There is no person with the username %(name)s.") % {"name": username}
            )
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(
                _("There is no organisation with the short name %(slug)s.") % {"slug": slug}
            )
        # A command runs outside any request: it opens the organisation's scope itself.
        with scope(organisation=organisation.pk):
            member = (
                Membership.objects.filter(organisation=organisation, user=user)
                .select_related("organisation", "user")
                .first()
            )
            if member is None:
                raise CommandError(
                    _("%(name)s is not a member of %(org)s.") % {"name": username, "org": slug}
                )
            if not member.is_active:
                raise CommandError(
                    _("%(name)s's membership of %(org)s has ended.")
                    % {"name": username, "org": slug}
                )
            try:
                token, raw = create_token(
                    member=member,
                    name=options["name"] or _("command line"),
                    expires_in_days=options["days"],
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        expires = timezone.localtime(token.expires_at, timezone=_zone(organisation)).strftime(
            "%Y-%m-%d %H:%M %Z"
        )
        self.stdout.write(
            _('API token "%(name)s" for %(user)s at %(org)s, valid until %(expires)s.')
            % {"name": token.name, "user": username, "org": organisation.slug, "expires": expires}
        )
        self.stdout.write(
            _(
                "Keep it like a password: it is shown only now. Use it as "
                "'Authorization: Bearer <token>'."
            )
        )
        self.stdout.write(raw)


def _zone(organisation: Organisation) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(organisation.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()
