"""Finnish and Swedish catalogues are complete and up to date with the source."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fi", "sv"]
SOURCE_DIRS = [
    "trustnet",
    "emails",
    "widgets",
    "csv_files",
    "audit",
    "accounts",
    "members",
    "contracts",
    "steering",
    "proxy",
    "portal",
    "templates",
]


def _catalogue(root: Path, language: str) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    catalogue = _catalogue(ROOT, language)
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    for entry in _catalogue(ROOT, language).translated_entries():
        if not entry.msgid_plural:
            assert set(placeholder.findall(entry.msgid)) == set(placeholder.findall(entry.msgstr)), entry.msgid


def test_catalogues_contain_every_message_in_the_source(tmp_path):
    """Run makemessages on a copy of the source: nothing may be new compared to the committed catalogues."""
    for name in [*SOURCE_DIRS, "manage.py", "locale"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *[f"-l{lang}" for lang in LANGUAGES], "--no-obsolete", "-v0"],
        cwd=tmp_path,
        check=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "trustnet.settings"},
    )
    for language in LANGUAGES:
        committed = {entry.msgid for entry in _catalogue(ROOT, language)}
        current = {entry.msgid for entry in _catalogue(tmp_path, language)}
        assert len(current) > 100
        assert current == committed, (
            f"run makemessages; {language} lacks {sorted(current - committed)[:10]}, "
            f"has obsolete {sorted(committed - current)[:10]}"
        )
