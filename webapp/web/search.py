"""Search for listeners: a page and a JSON endpoint over the public episodes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from webapp import services
from webapp.catalog.models import utcnow
from webapp.catalog.search import Results, search
from webapp.web.cookies import mark_public

bp = Blueprint("search", __name__)

PAGE_SIZE = 20
MAX_QUERY = 200


def _results() -> tuple[str, int, Results]:
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    page = request.args.get("page", 1, type=int)
    if page is None or not 1 <= page <= 500:
        abort(400)
    results = search(services.db(), query, utcnow(), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return query, page, results


@bp.get("/search")
def page() -> str:
    """Results for ``?q=``, ranked, with the matched words marked, 20 a page."""
    mark_public()
    query, number, results = _results()
    pages = max(1, -(-results.total // PAGE_SIZE))
    return render_template("search.html", query=query, page=number, pages=pages, results=results)


@bp.get("/api/v1/search")
def api() -> dict[str, Any]:
    """The same results as JSON; public episodes only, so no token is needed."""
    mark_public()
    query, number, results = _results()
    base = current_app.config["BASE_URL"]
    return {
        "query": query,
        "corrected": results.corrected,
        "page": number,
        "total": results.total,
        "results": [
            {
                "guid": hit.episode.guid,
                "title": hit.episode.title,
                "show": hit.episode.show.slug,
                "url": f"{base}/shows/{hit.episode.show.slug}/{hit.episode.slug}",
                "speakers": [c.person.name for c in hit.episode.credits],
                "snippet_html": str(hit.snippet),
            }
            for hit in results.hits
        ],
    }
