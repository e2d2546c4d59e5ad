"""The media team opens the downloads page in a browser after a day of listening: the
charts render (screenshot) and their numbers are the counted ones."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from staffkit import sign_in_browser

from webapp import services
from webapp.jobs import tasks
from webapp.web.auth import create_user

from factories import make_episode, make_show

EMAIL = "media@example.org"
PASSWORD = "correct horse battery"
APPS = ("AntennaPod/3.4.0", "Podcasts/1580.1 CFNetwork/1404.0.5 Darwin/22.3.0")


def test_downloads_dashboard_renders_its_charts(app, live_server, browser, tmp_path):
    make_show(app)
    key = services.storage(app).put_bytes(bytes(50_000), ".mp3").key
    make_episode(
        app,
        title="Sphere packings",
        media=[{"kind": "audio", "storage_key": key, "mime_type": "audio/mpeg", "size": 50_000}],
    )
    client = app.test_client()
    for n in range(12):
        client.get(
            f"/media/{key}",
            headers={"User-Agent": APPS[n % 2]},
            environ_base={"REMOTE_ADDR": f"10.3.0.{n + 1}"},
        ).close()
    tasks.count_downloads(app)
    with services.work(app) as session:
        create_user(session, EMAIL, PASSWORD)

    page = browser.new_page(viewport={"width": 1000, "height": 900})
    sign_in_browser(page, live_server, EMAIL, PASSWORD)
    page.click("nav >> text=Downloads")
    page.wait_for_url(f"{live_server}/staff/stats/")
    assert page.inner_text("#total").startswith("12 downloads")
    charts = page.locator("svg.chart")
    assert charts.count() == 2
    # Every app's number is drawn as text in the chart, not only as a bar.
    assert "6" in charts.nth(1).text_content()
    shot = Path(tmp_path / "downloads.png")
    charts.first.screenshot(path=str(shot))
    image = Image.open(shot)
    assert image.width > 300 and image.height > 100
    # The bars are drawn: the chart is not one blank colour.
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or []) > 2
    assert page.locator("#by-episode").inner_text().count("Sphere packings") == 1
