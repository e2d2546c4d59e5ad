"""A member of staff signs in, uploads a recording through the form and sees it in the feed."""

from __future__ import annotations

import urllib.request

from lxml import etree
from staffkit import sign_in_browser

from webapp import services
from webapp.catalog.operations import create_show
from webapp.web.auth import create_user

EMAIL = "editor@example.org"
PASSWORD = "correct horse battery"
# Records every value the upload progress bars take, as the page sets them.
RECORD_PROGRESS = """
window.__progress = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.tagName === "PROGRESS") window.__progress.push([r.target.value, r.target.max]);
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["value", "max"] });
"""
# 1 MB/s up: a 2.9 MB file takes a few seconds, so the bar has room to move.
SLOW_UPLINK = {"offline": False, "latency": 5, "downloadThroughput": -1, "uploadThroughput": 1e6}


def test_upload_with_progress_lands_in_the_feed(app, live_server, browser, long_mp3):
    with services.work(app) as session:
        create_show(session, slug="talks", title="Seminar talks", base_url=app.config["BASE_URL"])
        create_user(session, EMAIL, PASSWORD)
    context = browser.new_context()
    context.add_init_script(RECORD_PROGRESS)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_UPLINK)

    sign_in_browser(page, live_server, EMAIL, PASSWORD)
    page.click("text=New episode")
    page.wait_for_url(f"{live_server}/staff/episodes/new")

    page.set_input_files("#media-files", str(long_mp3))
    page.wait_for_selector("#upload-list li.upload.done", timeout=120_000)
    # The form was filled from the file's tags, since those fields were empty.
    assert page.input_value("input[name=title]") == "Browser talk"
    assert page.input_value("textarea[name=persons]") == "Emmy Noether"
    assert "1:30" in page.inner_text("#upload-list li.upload.done")
    values = page.evaluate("window.__progress")
    size = long_mp3.stat().st_size
    partial = [v for v, top in values if 0 < v < top]
    assert partial, f"the progress bar never showed a partial upload: {values}"
    assert values[-1][0] == values[-1][1] == size

    page.select_option("select[name=publish]", "now")
    page.click("#save-episode")
    page.wait_for_url("**/edit")
    assert "Episode saved." in page.inner_text(".flashes")
    context.close()

    with urllib.request.urlopen(f"{live_server}/feeds/talks.rss", timeout=30) as response:
        rss = etree.fromstring(response.read())
    (item,) = rss.findall("channel/item")
    assert item.findtext("title") == "Browser talk"
    enclosure = item.find("enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length")) == size
