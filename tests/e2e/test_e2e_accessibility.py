"""Pages pass axe-core (injected by Playwright) with no serious or critical violation, on a
phone-sized screen: home, show, episode, person, search, downloads and staff upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from staffkit import sign_in_browser

from webapp import services
from webapp.catalog.operations import Credit
from webapp.web.auth import create_user

from factories import attach_file, make_episode, make_show

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
EMAIL = "access@example.org"
PASSWORD = "correct horse battery"
SERIOUS = ("serious", "critical")
VTT = b"WEBVTT\n\n00:00.000 --> 00:05.000\nWelcome.\n\n00:05.000 --> 00:09.000\nStability.\n"


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    assert len(result["passes"]) > 10  # axe really checked the page
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def test_pages_have_no_serious_accessibility_violations(app, live_server, browser):
    if not AXE.exists():
        pytest.skip("axe-core not installed: run `npm ci --prefix tests/js`")
    make_show(app, title="Seminar talks")
    talk = make_episode(app, title="A Stable Learning Framework", credits=[Credit("Thesing, L")])
    # With a transcript, so the episode page shows it (a list with a search box).
    attach_file(app, talk, "transcript", VTT, ".vtt", "text/vtt")
    with services.work(app) as session:
        create_user(session, EMAIL, PASSWORD)
    # The test injects axe-core itself: our CSP (rightly) forbids inline scripts.
    page = browser.new_page(viewport={"width": 390, "height": 844}, bypass_csp=True)
    found = {}
    for path in (
        "/",
        "/shows/talks",
        "/shows/talks/a-stable-learning-framework",
        "/people/thesing-l",
        "/search?q=stable",
    ):
        page.goto(live_server + path)
        found[path] = _violations(page)
    sign_in_browser(page, live_server, EMAIL, PASSWORD)
    for path in ("/staff/episodes/new", "/staff/stats/", "/staff/people/"):
        page.goto(live_server + path)
        found[path] = _violations(page)
    assert {path: v for path, v in found.items() if v} == {}
