"""``manage.py verify_audit``: recompute every audit chain and say what does not fit.

Exit status 0 with one line per organisation when every chain is intact; 1 with a report
naming edited, inserted, deleted and renumbered events and truncation when anything is
wrong; 2 when the head file named on the command line cannot be read.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from peerwork.core.audit import ChainReport, HeadFile, read_head_file, verify_chain
from peerwork.core.models import AuditHead, Organisation


def seq_ranges(numbers: list[int], *, limit: int = 20) -> str:
    """``[1, 2, 3, 7]`` → ``"1–3, 7"``, at most ``limit`` ranges then a count."""
    ranges: list[tuple[int, int]] = []
    for number in sorted(set(numbers)):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    shown = [f"{a}" if a == b else f"{a}–{b}" for a, b in ranges[:limit]]
    if len(ranges) > limit:
        shown.append(_("and %(count)s more ranges") % {"count": len(ranges) - limit})
    return ", ".join(shown)


class Command(BaseCommand):
    help = "Recompute every organisation's audit chain and report tampering."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--heads",
            help="Head file to check against (default: PEERWORK_AUDIT_HEAD_FILE). Use the "
            "copy kept outside this server when you have one.",
        )
        parser.add_argument("--organisation", help="Check only the organisation with this slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        heads = self._read_heads(options.get("heads"))
        organisations = Organisation.objects.order_by("slug")
        if options.get("organisation"):
            organisations = organisations.filter(slug=options["organisation"])
            if not organisations.exists():
                raise CommandError(
                    _("No organisation with the short name %(slug)s.")
                    % {"slug": options["organisation"]},
                    returncode=2,
                )

        failed = 0
        seen: set[uuid.UUID] = set()
        for organisation in organisations:
            seen.add(organisation.pk)
            report = verify_chain(organisation, file_head=heads.heads.get(organisation.pk))
            if report.intact:
                self.stdout.write(self._summary(report))
            else:
                failed += 1
                self.stdout.write(self._problems(report))

        if not options.get("organisation"):
            # A head with no organisation: its whole chain (and the organisation) was removed.
            unknown = sorted(
                (
                    set(heads.heads)
                    | set(AuditHead.objects.values_list("organisation_id", flat=True))
                )
                - seen,
                key=str,
            )
            for organisation_id in unknown:
                failed += 1
                self.stdout.write(
                    _(
                        "%(id)s: a chain head names this organisation, which is not in the "
                        "database (its events were removed)."
                    )
                    % {"id": organisation_id}
                )
        if heads.malformed:
            self.stdout.write(
                _("Note: %(count)s lines of the head file could not be read.")
                % {"count": heads.malformed}
            )
        if failed:
            raise CommandError(
                _("The audit log of %(count)s organisation(s) is not intact.") % {"count": failed},
                returncode=1,
            )

    def _read_heads(self, name: str | None) -> HeadFile:
        path = Path(name) if name else Path(settings.PEERWORK_AUDIT_HEAD_FILE)
        try:
            with path.open(encoding="utf-8") as handle:
                return read_head_file(handle)
        except FileNotFoundError:
            if name:
                raise CommandError(
                    _("The head file %(path)s does not exist.") % {"path": path}, returncode=2
                ) from None
            self.stdout.write(
                _(
                    "Note: no head file at %(path)s; truncation of the newest events cannot be "
                    "ruled out."
                )
                % {"path": path}
            )
            return HeadFile()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("The head file %(path)s cannot be read: %(error)s")
                % {"path": path, "error": exc},
                returncode=2,
            ) from None

    def _summary(self, report: ChainReport) -> str:
        line = _("%(slug)s: intact, %(events)s events, newest %(last)s") % {
            "slug": report.organisation.slug,
            "events": report.events,
            "last": report.last_seq,
        }
        if report.notes:
            line += " (" + " ".join(report.notes) + ")"
        return line

    def _problems(self, report: ChainReport) -> str:
        lines = [
            _("%(slug)s: NOT INTACT, %(events)s events, newest %(last)s")
            % {
                "slug": report.organisation.slug,
                "events": report.events,
                "last": report.last_seq,
            }
        ]
        kinds = (
            (report.edited, _("edited (content no longer matches its MAC)")),
            (report.inserted, _("inserted (the chain does not pass through them)")),
            (report.deleted, _("deleted (missing from the chain)")),
            (report.renumbered, _("renumbered (their MAC matches another number)")),
            (report.breaks_before, _("chain broken just before (events removed or replaced)")),
        )
        for numbers, label in kinds:
            if numbers:
                lines.append(
                    "  "
                    + _("%(label)s: events %(numbers)s")
                    % {"label": label, "numbers": seq_ranges(numbers)}
                )
        lines.extend("  " + problem for problem in report.problems)
        lines.extend("  " + note for note in report.notes)
        return "\n".join(lines)
