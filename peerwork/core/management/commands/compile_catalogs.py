"""``python manage.py compile_catalogs``: every translation catalog to ``.mo``, with Babel.

Django's ``compilemessages`` needs GNU gettext (``msgfmt``) on the machine that runs it;
Babel is a Python dependency, so a server needs nothing beyond ``requirements.lock``
(DESIGN.md "Known pitfalls", translations). A catalog is compiled only when its ``.mo`` is
missing or older than its ``.po``, so a read-only install that ships its ``.mo`` files
compiles nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, PoFileParser
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

CATALOG_GLOB = "**/locale/*/LC_MESSAGES/*.po"


def catalogs(root: Path) -> list[Path]:
    """Every ``.po`` file under ``root`` (the ``peerwork`` package), in a stable order."""
    return sorted(root.glob(CATALOG_GLOB))


def is_stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def _check_syntax(po: Path) -> None:
    """Babel reads an unterminated string as if it were closed; msgfmt refuses it, and so
    do we: every line that is neither blank nor a comment ends with a quote."""
    for number, line in enumerate(po.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if text and not text.startswith("#") and not (len(text) > 1 and text.endswith('"')):
            raise ValueError(f"line {number}: a string is not closed: {text[:60]}")


class _Catalog(Catalog):
    """Babel's catalog keeps only the header fields it knows; this one also carries the
    ``X-`` fields (``X-Peerwork-Review``) into the ``.mo``, where pages read them
    (``peerwork.core.translations``)."""

    extra_headers: list[tuple[str, str]] = []

    def _get_mime_headers(self) -> list[tuple[str, str]]:
        headers = super()._get_mime_headers()
        # Before Babel's last field ("Generated-By"), whose value ends the header.
        return [*headers[:-1], *self.extra_headers, *headers[-1:]]

    def _set_mime_headers(self, headers: Iterable[tuple[str, str]]) -> None:
        headers = list(headers)
        self.extra_headers = [(n, v) for n, v in headers if n.lower().startswith("x-")]
        super()._set_mime_headers(headers)

    mime_headers = property(_get_mime_headers, _set_mime_headers)


def read_catalog(source: BinaryIO, *, locale: str) -> Catalog:
    """Babel's ``read_po`` with our catalog class; ``abort_invalid``: a broken catalog stops
    the command instead of shipping half of it."""
    catalog = _Catalog(locale=locale)
    PoFileParser(catalog, ignore_obsolete=False, abort_invalid=True).parse(source)
    return catalog


def compile_catalog(po: Path) -> Path:
    """Write ``po``'s ``.mo`` beside it, atomically (running processes may be reading it)."""
    mo = po.with_suffix(".mo")
    locale = po.parent.parent.name
    try:
        _check_syntax(po)
        with po.open("rb") as source:
            catalog = read_catalog(source, locale=locale)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        raise CommandError(f"{po}: {exc}") from exc
    # Like ``msgfmt --check-format``: a translation whose placeholders differ from the
    # source would raise when Django formats it, on the page of whoever reads it.
    problems = [
        f"{po}:{message.lineno}: {error}" for message, errors in catalog.check() for error in errors
    ]
    if problems:
        raise CommandError("\n".join(problems))
    fd, temporary = tempfile.mkstemp(dir=po.parent, prefix=".", suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as target:
            # Fuzzy entries are guesses awaiting review: left out, as msgfmt does.
            write_mo(target, catalog, use_fuzzy=False)
        os.chmod(temporary, 0o644)
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return mo


def compile_catalogs(paths: Iterable[Path], *, force: bool = False) -> list[Path]:
    return [compile_catalog(po) for po in paths if force or is_stale(po)]


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po → .mo) with Babel; no GNU gettext needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="compile even up-to-date ones")

    def handle(self, *args: Any, **options: Any) -> None:
        found = catalogs(Path(settings.BASE_DIR) / "peerwork")
        compiled = compile_catalogs(found, force=options["force"])
        if options["verbosity"] < 1:
            return
        if not found:
            self.stdout.write("No translation catalogs yet: nothing to compile.")
        for mo in compiled:
            self.stdout.write(f"Compiled {mo.relative_to(settings.BASE_DIR)}", self.style.SUCCESS)
        up_to_date = len(found) - len(compiled)
        if up_to_date:
            self.stdout.write(f"{up_to_date} catalog(s) already up to date.")
