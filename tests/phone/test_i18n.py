"""The language of the console and the commands: catalogs, the language in force, dates."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mobile_gateway.phone import i18n

REPO = Path(__file__).resolve().parents[2]


def check(*args: str) -> subprocess.CompletedProcess:
    """Run ``tools/build_catalogs.py --check`` with *args*."""
    return subprocess.run(
        [sys.executable, "tools/build_catalogs.py", "--check", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestCatalogs:
    """The shipped catalogs hold every message of the sources, translated, and are compiled."""

    def test_current_and_complete(self):
        """--check: every marked message is in the Japanese catalog, translated; .mo current."""
        result = check()
        assert result.returncode == 0, result.stderr
        assert "ja: up to date" in result.stdout

    def test_check_sees_an_untranslated_message(self, tmp_path):
        """A message left untranslated fails the check, named."""
        copy = tmp_path / "translations"
        shutil.copytree(i18n.TRANSLATIONS, copy)
        po = copy / "ja" / "LC_MESSAGES" / "messages.po"
        text = po.read_text(encoding="utf-8")
        po.write_text(text.replace('msgstr "変更履歴"', 'msgstr ""'), encoding="utf-8")
        result = check("--translations", str(copy))
        assert result.returncode == 1 and "untranslated: 'Audit log'" in result.stderr

    def test_check_sees_a_stale_mo_and_wrong_placeholders(self, tmp_path):
        """A translation with other placeholders, and a .mo not compiled from the .po, fail."""
        copy = tmp_path / "translations"
        shutil.copytree(i18n.TRANSLATIONS, copy)
        po = copy / "ja" / "LC_MESSAGES" / "messages.po"
        text = po.read_text(encoding="utf-8")
        po.write_text(
            text.replace('msgstr "%(name)s でログイン中"', 'msgstr "%(user)s でログイン中"'),
            encoding="utf-8",
        )
        result = check("--translations", str(copy))
        assert result.returncode == 1
        assert "signed in as %(name)s" in result.stderr and "placeholder" in result.stderr
        assert "messages.mo is stale" in result.stderr

    def test_missing_catalog_is_an_error(self, monkeypatch, tmp_path):
        """An install without the compiled catalog fails loudly instead of speaking English."""
        monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
        i18n.catalog.cache_clear()
        try:
            with pytest.raises(FileNotFoundError):
                i18n.catalog("ja")
        finally:
            monkeypatch.undo()
            i18n.catalog.cache_clear()


class TestGettext:
    """Translation in the language in force, placeholders filled in once."""

    def test_english_by_default(self):
        """Without a language in force, messages are the English source."""
        assert i18n.current() == "en"
        assert i18n.gettext("Audit log") == "Audit log"

    def test_japanese_in_a_block(self):
        """using('ja') translates inside the block only."""
        with i18n.using("ja"):
            assert i18n.gettext("signed in as %(name)s", name="op") == "op でログイン中"
            assert (
                i18n.ngettext("%(num)d problem:", "%(num)d problems:", 3) == "問題が 3 件あります:"
            )
        assert i18n.gettext("signed in as %(name)s", name="op") == "signed in as op"

    def test_values_are_not_formatted_again(self):
        """A value holding %(...)s or % is inserted as it is."""
        assert i18n.gettext("signed in as %(name)s", name="%(evil)s 100%") == (
            "signed in as %(evil)s 100%"
        )

    def test_unknown_language(self):
        """Only the console's languages can be put in force."""
        with pytest.raises(ValueError):
            i18n.activate("fr")

    @pytest.mark.parametrize(
        "environ, locale",
        [
            ({"LANG": "ja_JP.UTF-8"}, "ja"),
            ({"LANG": "ja_JP.eucJP"}, "ja"),
            ({"LANG": "ja"}, "ja"),
            ({"LC_ALL": "ja_JP.UTF-8", "LANG": "C"}, "ja"),
            ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),
            ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"),
            ({"LANGUAGE": "fr:ja", "LANG": "fr_FR.UTF-8"}, "ja"),
            ({"LANGUAGE": "de", "LANG": "ja_JP.UTF-8"}, "ja"),
            ({"LANG": "C.UTF-8"}, "en"),
            ({"LANG": "POSIX"}, "en"),
            ({"LANG": "en_US.UTF-8"}, "en"),
            ({}, "en"),
        ],
    )
    def test_language_of_the_environment(self, environ, locale):
        """LANGUAGE, LC_ALL, LC_MESSAGES, LANG: the first set decides, as for gettext."""
        assert i18n.from_environment(environ) == locale


class TestDates:
    """Dates and times in Japan time, as each language writes them (Babel)."""

    MOMENT = datetime(2009, 6, 30, 15, 4, 5, tzinfo=timezone.utc)

    def test_japanese(self):
        """Japanese: year/month/day, 24-hour clock, Japan time (UTC+9, the next day here)."""
        with i18n.using("ja"):
            assert i18n.format_datetime(self.MOMENT) == "2009/07/01 0:04:05"

    def test_english(self):
        """English: month name, 12-hour clock, the same moment in Japan time."""
        assert (
            i18n.format_datetime(self.MOMENT).replace("\u202f", " ") == "Jul 1, 2009, 12:04:05 AM"
        )

    def test_naive_is_utc_and_none_is_a_dash(self):
        """A naive time is read as UTC (as the database gives it); no time is a dash."""
        assert i18n.format_datetime(self.MOMENT.replace(tzinfo=None)) == i18n.format_datetime(
            self.MOMENT
        )
        assert i18n.format_datetime(None) == "—"
