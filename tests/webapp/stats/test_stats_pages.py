"""Staff see downloads as charts and tables and export them as CSV; listeners see plays."""

from __future__ import annotations

import csv
import io

import pytest
from staffkit import make_user, sign_in

from webapp import services
from webapp.catalog.models import utcnow
from webapp.stats.models import DownloadCount

from factories import make_episode, make_show


@pytest.fixture
def counted(app):
    make_show(app)
    first = make_episode(app, title='=HYPERLINK("http://evil")', views=12)
    second = make_episode(app, title="Sphere packings")
    today = utcnow().date()
    with services.work(app) as session:
        for episode_id, app_name, country, n in (
            (first, "AntennaPod", "GB", 7),
            (first, "Podcasts", "", 3),
            (second, "Podcasts", "", 1),
        ):
            session.add(
                DownloadCount(
                    day=today, episode_id=episode_id, app=app_name, country=country, downloads=n
                )
            )
    return {"first": first, "second": second}


def test_dashboard_shows_totals_charts_and_breakdowns(app, counted):
    make_user(app)
    client = app.test_client()
    assert client.get("/staff/stats/").status_code == 302  # sign in first
    sign_in(client)
    page = client.get("/staff/stats/?days=30").get_data(as_text=True)
    assert "<strong>11</strong> downloads in the last 30 days" in page
    assert page.count("<svg") == 2  # downloads a day; by app
    assert "AntennaPod" in page and "GB" in page
    # The charts are drawn on the server: the page needs no script for them.
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    one = client.get("/staff/stats/?days=7&show=talks").get_data(as_text=True)
    assert "Seminar talks" in one
    # One episode over time: its own chart, its own total.
    own = client.get(f"/staff/stats/?days=30&episode={counted['second']}").get_data(as_text=True)
    assert "<strong>1</strong> download in the last 30 days" in own
    assert "Downloads a day of Sphere packings" in own
    assert client.get("/staff/stats/?days=3").status_code == 400
    assert client.get("/staff/stats/?episode=999999").status_code == 404
    assert client.get("/staff/stats/?show=nope").status_code == 404


def test_csv_export_keeps_titles_as_text(app, counted):
    make_user(app)
    client = app.test_client()
    sign_in(client)
    response = client.get("/staff/stats/downloads.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "day", "show", "episode_guid", "episode_title", "app", "country", "downloads",
    ]  # fmt: skip
    assert sorted(int(r[-1]) for r in rows[1:]) == [1, 3, 7]
    # A title that looks like a formula is not one in a spreadsheet.
    assert all(not r[3].startswith("=") for r in rows[1:])


def test_public_pages_show_plays_beside_views(app, counted):
    client = app.test_client()
    show_page = client.get("/shows/talks").get_data(as_text=True)
    assert "12 views · 10 plays" in show_page
    assert "1 play<" in show_page
