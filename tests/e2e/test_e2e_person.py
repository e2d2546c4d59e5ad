"""A listener follows a speaker: the person page lists talks from two collections, and the
feed it offers is valid Atom (RFC 4287 RELAX NG) that a reader keeps in full."""

from __future__ import annotations

import feedparser
from lxml import etree

from webapp.catalog.operations import Credit

from factories import make_episode, make_show


def test_person_page_lists_two_collections_and_its_feed_validates(
    app, live_server, browser, relaxng
):
    make_show(app, slug="deep-learning", title="Mathematics of Deep Learning")
    make_show(app, slug="plus", title="Plus podcasts")
    make_episode(app, "deep-learning", "A Stable Learning Framework", credits=[Credit("Fawzi, H")])
    make_episode(app, "plus", "Maths in conversation", credits=[Credit("Fawzi, H")])
    make_episode(app, "deep-learning", "Adversarial robustness", credits=[Credit("Fawzi, A")])

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server}/shows/plus/maths-in-conversation")
    page.click(".speaker >> text=Fawzi, H")
    page.wait_for_url(f"{live_server}/people/fawzi-h")
    talks = page.locator(".episodes .episode h2").all_inner_texts()
    assert sorted(talks) == ["A Stable Learning Framework", "Maths in conversation"]
    collections = page.locator(".episodes .episode .meta a").all_inner_texts()
    assert set(collections) == {"Mathematics of Deep Learning", "Plus podcasts"}

    atom_url = page.get_attribute(".feeds >> text=Atom", "href")
    assert atom_url == "http://talkcast.test/feeds/people/fawzi-h.atom"
    response = page.request.get(f"{live_server}/feeds/people/fawzi-h.atom")
    assert response.ok
    document = etree.fromstring(response.body())
    assert relaxng.validate(document), relaxng.error_log
    assert len(feedparser.parse(response.body()).entries) == 2
