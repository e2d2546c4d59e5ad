"""A listener finds a talk by a word said in it: the search box, the results, the talk."""

from __future__ import annotations

from factories import attach_file, make_episode, make_show

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nA penrose tiling never repeats itself.\n"


def test_search_finds_a_talk_by_a_word_of_its_transcript(app, live_server, browser):
    make_show(app)
    make_episode(app, title="Sphere packings")
    talk = make_episode(app, title="Aperiodic order")
    attach_file(app, talk, "transcript", VTT.encode(), ".vtt", "text/vtt")

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server}/")
    page.click("header >> text=Search")
    page.fill("input[name=q]", "penrose")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=penrose")
    assert page.inner_text("#count") == "1 result"
    assert page.inner_text(".result mark").lower() == "penrose"
    page.click(".result h2 a")
    assert page.inner_text("h1") == "Aperiodic order"
