"""A talk's slides and links: set in the episode form, listed on its page and in its feeds."""

from __future__ import annotations

import feedparser
import pytest
from lxml import html
from staffkit import csrf_in, signed_in_client

from factories import make_episode, make_show

SLIDES = "https://www.newton.ac.uk/files/seminar/20190523/slides.pdf"


@pytest.fixture
def staff(app):
    return signed_in_client(app)


def _edit(client, episode_id, links):
    url = f"/staff/episodes/{episode_id}/edit"
    token = csrf_in(client.get(url).get_data(as_text=True))
    fields = {"csrf_token": token, "title": "Sphere packings", "episode_type": "full"}
    return client.post(url, data={**fields, "links": links})


def test_slides_and_links_reach_the_page_and_the_feeds(app, staff):
    make_show(app)
    talk = make_episode(app, title="Sphere packings")
    response = _edit(staff, talk, f"Slides (PDF) | {SLIDES}\n\nhttps://arxiv.org/abs/1603.04246\n")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = html.fromstring(app.test_client().get("/shows/talks/sphere-packings").data)
    links = [(a.text, a.get("href")) for a in page.xpath("//section[@class='links']//a")]
    assert links == [
        ("Slides (PDF)", SLIDES),
        ("https://arxiv.org/abs/1603.04246", "https://arxiv.org/abs/1603.04246"),
    ]
    entry = feedparser.parse(app.test_client().get("/feeds/talks.atom").data).entries[0]
    assert f'href="{SLIDES}"' in entry.content[0].value


def test_a_link_that_is_not_an_address_is_refused(app, staff):
    make_show(app)
    talk = make_episode(app, title="Sphere packings")
    response = _edit(staff, talk, "Slides | javascript:alert(1)")
    assert response.status_code == 400
    assert "http:// or https://" in response.get_data(as_text=True)
