"""With a WebSub hub configured, feeds announce it and changes are pinged to it."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from lxml import etree

from factories import make_episode, make_show


@pytest.fixture
def hub_app(app_config, httpserver):
    from webapp import create_app

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=202)
    app = create_app({**app_config, "WEBSUB_HUB": httpserver.url_for("/hub")})
    yield app
    app.extensions["talkcast.engine"].dispose()


def _pinged(httpserver):
    urls = set()
    for request, _ in httpserver.log:
        form = parse_qs(request.get_data(as_text=True))
        assert form["hub.mode"] == ["publish"]
        urls.update(form["hub.url"])
    return urls


def test_hub_link_and_ping_on_change(hub_app, httpserver):
    make_show(hub_app)
    make_episode(hub_app)
    doc = etree.fromstring(hub_app.test_client().get("/feeds/talks.rss").data)
    hub_links = doc.xpath("//*[local-name()='link' and @rel='hub']/@href")
    assert hub_links == [httpserver.url_for("/hub")]
    assert "http://talkcast.test/feeds/talks.rss" in _pinged(httpserver)
    assert "http://talkcast.test/feeds/talks.atom" in _pinged(httpserver)
    assert "http://talkcast.test/feeds/all.rss" in _pinged(httpserver)


def test_no_ping_when_nothing_changed(hub_app, httpserver):
    from webapp import services

    make_show(hub_app)
    make_episode(hub_app)
    httpserver.clear_log()
    services.rebuild_feeds(hub_app)
    assert _pinged(httpserver) == set()


def test_hub_down_does_not_break_publishing(app_config):
    from webapp import create_app

    app = create_app({**app_config, "WEBSUB_HUB": "http://127.0.0.1:9/hub"})
    make_show(app)
    make_episode(app)
    assert app.test_client().get("/feeds/talks.rss").status_code == 200
    app.extensions["talkcast.engine"].dispose()
