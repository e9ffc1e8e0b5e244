"""Whether the active language's catalog is still an unreviewed, machine-assisted translation.

Translations start machine-assisted; a speaker who works in harm reduction reviews each one
against its glossary (``docs/glossary/``). Until then the catalog's header says
``X-Peerwork-Review: unreviewed`` and every page in that language says so, so that nobody
takes a clumsy or hurtful word for the organisation's own (the guide's §4.3: language can
drive people away), and speakers know they can help.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

from django.conf import settings
from django.utils.translation import to_locale

REVIEW_HEADER = "x-peerwork-review"  # Python's gettext lower-cases header names
UNREVIEWED = "unreviewed"


@functools.cache
def is_unreviewed(language: str) -> bool:
    """True when the compiled catalog for ``language`` says ``X-Peerwork-Review: unreviewed``.

    Read once per process: the catalogs change only with a deployment, which restarts the
    processes. A language without a compiled catalog of ours (English, the source) is not
    flagged.
    """
    for folder in settings.LOCALE_PATHS:
        mo = Path(folder) / to_locale(language) / "LC_MESSAGES" / "django.mo"
        try:
            with mo.open("rb") as handle:
                info = gettext.GNUTranslations(handle).info()
        except FileNotFoundError:
            continue
        return info.get(REVIEW_HEADER, "").strip().lower() == UNREVIEWED
    return False
