import gettext
import io
import os

import pytest
from django.core.management import CommandError, call_command

from peerwork.core.management.commands.compile_catalogs import catalogs, compile_catalogs

UKRAINIAN = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: uk\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

msgid "People"
msgstr "Люди"

#, python-format
msgid "%(count)s shift"
msgid_plural "%(count)s shifts"
msgstr[0] "%(count)s зміна"
msgstr[1] "%(count)s зміни"
msgstr[2] "%(count)s змін"

#, fuzzy
msgid "Teams"
msgstr "Команда?"
"""


@pytest.fixture
def project(settings, tmp_path):
    """A project tree whose ``peerwork`` package has one app with a Ukrainian catalog."""
    settings.BASE_DIR = tmp_path
    folder = tmp_path / "peerwork" / "core" / "locale" / "uk" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(UKRAINIAN, encoding="utf-8")
    return folder


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("compile_catalogs", *args, stdout=out)
    return out.getvalue()


def test_it_compiles_a_catalog_that_gettext_reads(project):
    assert "Compiled peerwork/core/locale/uk/LC_MESSAGES/django.mo" in run()
    with (project / "django.mo").open("rb") as mo:
        translations = gettext.GNUTranslations(mo)
    assert translations.gettext("People") == "Люди"
    assert translations.ngettext("%(count)s shift", "%(count)s shifts", 1) == "%(count)s зміна"
    assert translations.ngettext("%(count)s shift", "%(count)s shifts", 3) == "%(count)s зміни"
    assert translations.ngettext("%(count)s shift", "%(count)s shifts", 5) == "%(count)s змін"


def test_fuzzy_translations_are_left_out(project):
    run()
    with (project / "django.mo").open("rb") as mo:
        assert gettext.GNUTranslations(mo).gettext("Teams") == "Teams"


def test_an_up_to_date_catalog_is_not_compiled_again(project):
    run()
    mo = project / "django.mo"
    before = mo.stat().st_mtime_ns
    assert "1 catalog(s) already up to date" in run()
    assert mo.stat().st_mtime_ns == before
    assert "Compiled" in run("--force")


def test_an_edited_catalog_is_compiled_again(project):
    run()
    po, mo = project / "django.po", project / "django.mo"
    os.utime(mo, (1_000_000, 1_000_000))
    po.write_text(UKRAINIAN.replace("Люди", "Працівники"), encoding="utf-8")
    run()
    with mo.open("rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("People") == "Працівники"


def test_it_skips_cleanly_when_there_are_no_catalogs(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    (tmp_path / "peerwork").mkdir()
    assert "nothing to compile" in run()


def test_a_broken_catalog_fails_loudly_and_leaves_no_file(project):
    (project / "django.po").write_text('msgid "People"\nmsgstr "Люди\n', encoding="utf-8")
    with pytest.raises(CommandError, match="django.po"):
        run()
    assert sorted(p.name for p in project.iterdir()) == ["django.po"]


def test_it_finds_catalogs_of_every_app_and_the_project(tmp_path):
    for folder in ("core/locale/sw", "outreach/locale/uk", "locale/ru"):
        path = tmp_path / folder / "LC_MESSAGES"
        path.mkdir(parents=True)
        (path / "django.po").write_text(UKRAINIAN, encoding="utf-8")
    found = catalogs(tmp_path)
    assert [p.relative_to(tmp_path).parts[0] for p in found] == ["core", "locale", "outreach"]
    assert len(compile_catalogs(found)) == 3


def test_a_translation_with_other_placeholders_fails_loudly(project):
    broken = UKRAINIAN.replace('msgstr[1] "%(count)s зміни"', 'msgstr[1] "%(number)s зміни"')
    (project / "django.po").write_text(broken, encoding="utf-8")
    with pytest.raises(CommandError, match="django.po"):
        run()
    assert not (project / "django.mo").exists()


def test_it_is_silent_at_verbosity_zero_but_still_compiles(project):
    assert run("--verbosity", "0") == ""
    assert (project / "django.mo").exists()
