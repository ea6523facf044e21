"""Best fits of two emoji in the operators' layer: stored, logged, imported, exported, shown."""

import io

import pytest
import sqlalchemy as sa

import carrier_emoji
from mobile_gateway.operators import (
    emoji_changes,
    emoji_csv,
    emoji_layer,
    emoji_notation,
    emoji_sync,
)
from mobile_gateway.operators.emoji_layer import LayerError
from mobile_gateway.storage.models import EmojiMapping

CLOUDY = "\u26c5"
#: SoftBank's sun, then its cloud: the shipped fit of ⛅ on SoftBank.
SUN_CLOUD = (0xF98B, 0xF98A)


def cloudy() -> carrier_emoji.EmojiRow:
    """Return the shipped row of ⛅ (sun behind cloud)."""
    return carrier_emoji.current_index().by_key[CLOUDY]


class TestStorage:
    """A sequence fit is saved as two columns and read back as a tuple."""

    def test_saved_and_read_back(self, session):
        """apply() stores the pair; load_layer() gives it back; the audit log writes F98B+F98A."""
        row = cloudy()._replace(docomo_fit=(0xF89F, 0xF8A0))
        emoji_changes.apply(session, {CLOUDY: row}, "alice", reason="test")
        assert emoji_layer.load_layer(session) == {CLOUDY: row}
        mapping = session.scalar(sa.select(EmojiMapping))
        assert (mapping.docomo_fit, mapping.docomo_fit_next) == (0xF89F, 0xF8A0)
        (entry,) = emoji_changes.audit_entries(session)
        assert entry.after["docomo_fit"] == "F89F+F8A0"
        assert emoji_notation.row_from_json(entry.after) == row

    def test_single_fit_clears_the_second_code(self, session):
        """Replacing a pair by one code leaves no second code behind."""
        emoji_changes.apply(session, {CLOUDY: cloudy()}, "alice", reason="test")
        emoji_changes.apply(
            session, {CLOUDY: cloudy()._replace(softbank_fit=0xF98B)}, "alice", reason="test"
        )
        assert emoji_layer.load_layer(session)[CLOUDY].softbank_fit == 0xF98B
        assert session.scalar(sa.select(EmojiMapping)).softbank_fit_next is None

    def test_bad_code_in_a_pair_is_refused(self, session):
        """A pair holding a code that is no cell of the carrier is refused, naming it."""
        with pytest.raises(LayerError, match="F040"):
            emoji_changes.apply(
                session, {CLOUDY: cloudy()._replace(au_fit=(0xF660, 0xF040))}, "a", reason="test"
            )


class TestNotation:
    """The CSV and form notation: two codes joined by +."""

    def test_parse(self):
        """``F98B+F98A`` is a pair; one code stays an int; other shapes are refused."""
        assert emoji_notation.parse_fit("softbank", "F98B+F98A", "softbank_fit") == SUN_CLOUD
        assert emoji_notation.parse_fit("softbank", "F98B", "softbank_fit") == 0xF98B
        for text in ("F98B+", "F98B+F98A+F98C", "F98B+XXXX"):
            with pytest.raises(LayerError):
                emoji_notation.parse_fit("softbank", text, "softbank_fit")

    def test_csv_round_trip(self, session):
        """Export writes the pair as F98B+F98A and an import of it changes nothing."""
        emoji_changes.apply(session, {CLOUDY: cloudy()}, "alice", reason="test")
        out = io.StringIO()
        emoji_csv.export_csv(emoji_layer.load_layer(session), out)
        assert "F98B+F98A" in out.getvalue()
        plan = emoji_csv.plan_import(session, out.getvalue())
        assert plan.ok and len(plan.unchanged) == 1, plan.problems

    def test_csv_import_of_a_pair(self, session):
        """An imported pair takes effect for the codec at once."""
        plan = emoji_csv.plan_import(session, "key,docomo_fit\n⛅,F8A0+F89F\n")
        assert plan.ok, plan.problems
        result = emoji_csv.import_csv(session, plan, "alice", reason="test")
        assert emoji_layer.load_layer(session)[CLOUDY].docomo_fit == (0xF8A0, 0xF89F)
        data = carrier_emoji.encode(CLOUDY + "x", "x-sjis-docomo", index=result.index)
        assert data == b"\xf8\xa0\xf8\x9fx"


class TestCli:
    """emoji show names both codes of a pair."""

    def test_show(self, app):
        """The shipped ⛅ shows its SoftBank best fit as F98B+F98A."""
        shown = app.test_cli_runner().invoke(args=["emoji", "show", CLOUDY])
        assert shown.exit_code == 0, shown.output
        assert "best fit F98B+F98A" in shown.output


class TestPropagation:
    """A pair saved by one instance is the pair every other instance encodes with."""

    def test_another_instance_loads_the_pair(self, app, make_app, db_url, session):
        """The sync of a second app reads both codes of a pair, not only the first."""
        other = make_app(db_url, EMOJI_SYNC_INTERVAL=0)
        row = cloudy()._replace(docomo_fit=(0xF8A0, 0xF89F))
        emoji_changes.apply(session, {CLOUDY: row}, "alice", reason="test")
        with other.test_request_context("/"):
            sync = emoji_sync.get_sync(other)
            sync.force()
            sync.check()
            assert sync.index.by_key[CLOUDY].docomo_fit == (0xF8A0, 0xF89F)
            assert carrier_emoji.encode(CLOUDY, "x-sjis-docomo") == b"\xf8\xa0\xf8\x9f"
