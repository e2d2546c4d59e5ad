"""robots.txt and sitemap.xml: what search engines may read, and every public page."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from lxml import etree
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import Episode, EpisodePerson, Person, Show, utcnow
from webapp.catalog.operations import public_episodes
from webapp.catalog.text import slugify
from webapp.web.cookies import mark_public

bp = Blueprint("sitemap", __name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The sitemap protocol's limit for one file.
MAX_URLS = 50_000


@bp.get("/robots.txt")
def robots() -> Response:
    """Everything public may be crawled; staff pages and the API may not."""
    mark_public()
    base = current_app.config["BASE_URL"]
    body = (
        "User-agent: *\nDisallow: /staff/\nDisallow: /api/\nDisallow: /_accel/\n"
        f"Allow: /\n\nSitemap: {base}/sitemap.xml\n"
    )
    return Response(body, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """The home page, every show and person with a public talk, and every public episode."""
    mark_public()
    session = services.db()
    base = current_app.config["BASE_URL"]
    now = utcnow()
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})

    def add(path: str, modified: str | None = None) -> None:
        if len(root) >= MAX_URLS:
            return
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = base + path
        if modified:
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = modified

    add("/")
    for show in session.scalars(select(Show).where(~Show.archived).order_by(Show.slug)):
        add(f"/shows/{show.slug}", show.content_updated_at.date().isoformat())
    episodes = public_episodes(session, None, now)
    for episode in episodes:
        add(
            f"/shows/{episode.show.slug}/{episode.slug}",
            max(episode.updated_at, episode.publish_at or episode.updated_at).date().isoformat(),
        )
    people = (
        select(Person.slug)
        .join(EpisodePerson, EpisodePerson.person_id == Person.id)
        .join(Episode, Episode.id == EpisodePerson.episode_id)
        .where(Episode.state.in_(("published", "scheduled")), Episode.publish_at <= now)
        .distinct()
        .order_by(Person.slug)
    )
    for slug in session.scalars(people):
        add(f"/people/{slug}")
    for topic in sorted({slugify(t) for e in episodes for t in e.tag_list}):
        add(f"/topics/{topic}")
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Response(xml, mimetype="application/xml")
