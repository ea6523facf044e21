"""The operators' page of carrier gateway ranges: list, add, remove, and the ids refused.

The same work from the shell: ``mobile-gateway ranges ...`` (:mod:`mobile_gateway.cli.ranges`).
A console page (:func:`.console.page`), in the console's language.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, url_for

from ..gateways import carrier_ranges, subscriber_ids
from ..storage import db
from .console import page, private, require_operator, speaks

__all__ = ["bp"]

bp = speaks(Blueprint("admin_ranges", __name__, url_prefix="/admin/ranges"))
# The rule of every operator page: operators on a PC only; never cached, never framed.
bp.before_request(require_operator)
bp.after_request(private)


def _ranges_page(status: int = 200, error: str | None = None, cidr: str = ""):
    """Render the list of ranges, the refused-id counts and the overlaps."""
    session = db.get_session()
    ranges = carrier_ranges.list_ranges(session)
    overlaps = carrier_ranges.find_overlaps(
        (row.carrier, carrier_ranges.parse_network(row.carrier, row.cidr)) for row in ranges
    )
    return page(
        "ranges.html",
        status,
        error=error,
        cidr=cidr,
        range_carriers=carrier_ranges.CARRIERS,
        ranges=ranges,
        stats=subscriber_ids.untrusted_stats(),
        overlaps=overlaps,
    )


@bp.route("")
def index():
    """List every carrier's gateway ranges and how many ids came from elsewhere."""
    return _ranges_page()


@bp.route("/add", methods=("POST",))
def add():
    """Add one range."""
    carrier, cidr = g.form.get("carrier", ""), g.form.get("cidr", "")
    try:
        carrier_ranges.add_range(db.get_session(), carrier, cidr, source=f"web: {g.user.name}")
    except carrier_ranges.RangeError as exc:
        return _ranges_page(400, str(exc), cidr)
    carrier_ranges.invalidate()
    return redirect(url_for("admin_ranges.index"))


@bp.route("/remove", methods=("POST",))
def delete():
    """Remove one range."""
    try:
        carrier_ranges.remove_range(
            db.get_session(), g.form.get("carrier", ""), g.form.get("cidr", "")
        )
    except carrier_ranges.RangeError as exc:
        return _ranges_page(400, str(exc))
    carrier_ranges.invalidate()
    return redirect(url_for("admin_ranges.index"))
