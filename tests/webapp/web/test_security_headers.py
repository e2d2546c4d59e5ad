"""Security headers on every response, HSTS and Secure cookies when the site is on https.

Pages refuse to be framed except the embeddable player; nothing is MIME-sniffed; other sites
see only our origin as referrer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from staffkit import make_user, sign_in

from factories import make_episode, make_show

EPISODE = "/shows/talks/a-stable-learning-framework"
EMBED = "/embed/talks/a-stable-learning-framework"
PAGES = ["/", "/shows/talks", EPISODE, "/staff/login", "/no-such-page"]
OTHERS = ["/feeds/talks.rss", "/feeds.opml", "/sitemap.xml", "/static/site.js"]


@pytest.fixture
def https_app(app_config: dict[str, Any]) -> Iterator[Any]:
    """The same service published at an https base URL."""
    from webapp import create_app

    application = create_app({**app_config, "BASE_URL": "https://talks.example.org"})
    yield application
    application.extensions["talkcast.engine"].dispose()


def _talk(app: Any) -> None:
    make_show(app)
    make_episode(app, title="A Stable Learning Framework")


@pytest.mark.parametrize("path", PAGES + OTHERS + [EMBED])
def test_every_response_is_never_sniffed_and_sends_only_our_origin(app, path):
    _talk(app)
    response = app.test_client().get(path)
    assert response.status_code in (200, 404), path
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # http: browsers ignore it


@pytest.mark.parametrize("path", PAGES)
def test_pages_may_not_be_framed(app, path):
    _talk(app)
    response = app.test_client().get(path)
    assert response.mimetype == "text/html"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy


def test_the_player_may_be_framed_by_any_site(https_app):
    _talk(https_app)
    response = https_app.test_client().get(EMBED)
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("path", PAGES + OTHERS)
def test_an_https_site_asks_browsers_for_https_only(https_app, path):
    _talk(https_app)
    response = https_app.test_client().get(path, base_url="https://talks.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def _session_cookie(app: Any) -> str:
    make_user(app)
    client = app.test_client()
    response = sign_in(client)
    assert response.status_code == 302
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_an_https_site_sends_its_session_cookie_secure(https_app):
    cookie = _session_cookie(https_app)
    attributes = {part.strip().split("=")[0] for part in cookie.split(";")}
    assert {"Secure", "HttpOnly", "SameSite"} <= attributes


def test_an_http_site_cannot_use_secure_cookies(app):
    """Over plain http a Secure cookie would never come back: signing in would not work."""
    cookie = _session_cookie(app)
    assert "Secure" not in cookie and "HttpOnly" in cookie
