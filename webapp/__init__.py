"""Talkcast: a Flask service publishing podcast and video feeds of talks and collections."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from webapp.catalog import audit, revisions
from webapp.config import load_config, resolve_paths
from webapp.db.engine import make_engine, make_session_factory
from webapp.ingest.sources import address_policy
from webapp.publishing.feedcache import FeedCache
from webapp.publishing.marks import record_marks
from webapp.publishing.publisher import Publisher
from webapp.web.cookies import PublicAwareSessionInterface

log = logging.getLogger(__name__)


def _secret_key(data_dir: Path) -> str:
    """A per-installation secret, kept in the data dir so restarts keep sessions valid."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory: config in layers, database, feed cache, blueprints."""
    # Templates and static files live beside the blueprints that use them.
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.session_interface = PublicAwareSessionInterface()
    config = load_config()
    config.update(test_config or {})
    resolve_paths(config)
    app.config.update(config)
    data_dir = Path(app.config["DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _secret_key(data_dir)
    app.config.setdefault("MAX_CONTENT_LENGTH", None)
    # A mistyped allowed_private_networks stops the app here, not at the first fetch.
    address_policy(app.config)

    audit.install()
    revisions.install()
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["talkcast.engine"] = engine
    factory = make_session_factory(engine)
    record_marks(factory)  # every save owes its feeds a rebuild, in its own transaction
    app.extensions["talkcast.sessions"] = factory
    cache = FeedCache(data_dir / "feeds", public=data_dir / "www")
    app.extensions["talkcast.feeds"] = cache
    app.extensions["talkcast.publisher"] = Publisher(app.config, cache)

    from webapp import services
    from webapp.web import (
        account,
        api,
        api_shows,  # noqa: F401  (adds the show routes to api.bp)
        art,
        auth,
        embed,
        errors,
        feed_fastpath,
        invites,
        permissions,
        public,
        search,
        security,
        sitemap,
        staff,
        staff_audit,
        staff_people,
        staff_shows,
        staff_stats,
        staff_users,
    )

    services.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    # Bearer tokens only, never cookies: a cross-site request cannot carry a token.
    auth.csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    from webapp.web.staff_sources import bp as staff_sources_bp

    app.register_blueprint(staff_sources_bp)
    app.register_blueprint(staff_shows.bp)
    app.register_blueprint(art.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(sitemap.bp)
    app.register_blueprint(staff_stats.bp)
    app.register_blueprint(staff_people.bp)
    app.register_blueprint(staff_audit.bp)
    app.register_blueprint(staff_users.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(invites.bp)
    permissions.init_app(app)
    # Current feeds are answered before Flask sees the request (same headers as the route).
    feed_fastpath.install(app)
    return app
