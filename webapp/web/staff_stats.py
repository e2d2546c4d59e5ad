"""Staff pages for download statistics: charts over time, per show, episode, app and
country, and the counts as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from webapp import services
from webapp.catalog.models import Episode, utcnow
from webapp.catalog.operations import get_show
from webapp.stats import reports
from webapp.web.auth import staff_required
from webapp.web.charts import bar_list, column_chart

bp = Blueprint("staff_stats", __name__, url_prefix="/staff/stats")

PERIODS = (7, 30, 90, 365)


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every route here refuses anonymous users."""


def _period() -> int:
    try:
        days = int(request.args.get("days", 30))
    except ValueError:
        abort(400)
    if days not in PERIODS:
        abort(400)
    return days


@bp.get("/")
def index() -> Any:
    """Downloads of the last N days, for every show or one (``?show=slug``)."""
    session = services.db()
    days = _period()
    show = episode = None
    if request.args.get("show"):
        show = get_show(session, request.args["show"])
        if show is None:
            abort(404)
    if request.args.get("episode"):
        episode = session.get(Episode, request.args.get("episode", type=int) or 0)
        if episode is None:
            abort(404)
        show = episode.show
    until = utcnow().date()
    since = until - timedelta(days=days - 1)
    scope = reports.Scope(since, show.id if show else None, episode.id if episode else None)
    series = reports.daily(session, scope, until)
    apps = reports.by_app(session, scope)
    what = episode.title if episode else show.title if show else "all shows"
    return render_template(
        "staff/stats.html",
        days=days,
        periods=PERIODS,
        show=show,
        episode=episode,
        total=sum(n for _, n in series),
        chart=column_chart(
            [(d.isoformat(), n) for d, n in series],
            f"Downloads a day of {what}, {since.isoformat()} to {until.isoformat()}",
        ),
        apps=apps,
        apps_chart=bar_list(apps[:12], "Downloads by app") if apps else None,
        countries=[(c or "unknown", n) for c, n in reports.by_country(session, scope)],
        shows=reports.by_show(session, scope) if show is None else [],
        episodes=[] if episode else reports.by_episode(session, scope)[:50],
    )


@bp.get("/downloads.csv")
def export() -> Response:
    """Every daily count of the period (``?days=N``; all time without) as CSV."""
    session = services.db()
    since = utcnow().date() - timedelta(days=_period() - 1) if "days" in request.args else None
    out = io.StringIO()
    writer = csv.writer(out)
    for row in reports.csv_rows(session, since):
        # A cell starting with = + - @ is a formula to a spreadsheet: keep titles as text.
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="downloads.csv"'},
    )
