"""1,000 scripted requests counted as IAB downloads, through the app and through nginx,
give exactly the expected count: bots, repeats, short ranges, resumed downloads and two
apps behind one IP included. No IP address is stored."""

from __future__ import annotations

import requests as http
from nginxkit import media_server
from sqlalchemy import func, select
from stats_replay import LONG_SECONDS, LONG_SIZE, SHORT_SECONDS, SHORT_SIZE, script

from webapp import services
from webapp.catalog.models import Episode
from webapp.jobs import tasks
from webapp.stats.models import DownloadCount, StatsListen, StatsSalt

from factories import make_episode, make_show


def _stored(app) -> dict[str, str]:
    """The two files of the script, stored and attached to one episode each."""
    make_show(app)
    keys = {}
    for name, size, seconds in (
        ("long", LONG_SIZE, LONG_SECONDS),
        ("short", SHORT_SIZE, SHORT_SECONDS),
    ):
        key = services.storage(app).put_bytes(bytes(range(250)) * (size // 250), ".mp3").key
        make_episode(
            app,
            title=f"The {name} talk",
            media=[
                {
                    "kind": "audio",
                    "storage_key": key,
                    "mime_type": "audio/mpeg",
                    "size": size,
                    "duration": seconds,
                }
            ],
        )
        keys[name] = key
    return keys


def _counts(app) -> tuple[int, dict[str, int], dict[str, int]]:
    with services.work(app) as session:
        total = session.scalar(select(func.sum(DownloadCount.downloads))) or 0
        by_app = dict(
            session.execute(
                select(DownloadCount.app, func.sum(DownloadCount.downloads)).group_by(
                    DownloadCount.app
                )
            ).all()
        )
        by_episode = dict(
            session.execute(
                select(Episode.title, func.sum(DownloadCount.downloads))
                .join(Episode, Episode.id == DownloadCount.episode_id)
                .group_by(Episode.title)
            ).all()
        )
    return int(total), by_app, by_episode


def _check(app, expected) -> None:
    report = tasks.count_downloads(app)
    assert report.outcome == "ok", report.error
    total, by_app, by_episode = _counts(app)
    assert total == expected.downloads == 500
    assert by_app == expected.by_app
    assert by_episode == {"The long talk": 450, "The short talk": 50}
    # Counting the same logs again finds nothing new.
    assert tasks.count_downloads(app).added == 0
    assert _counts(app)[0] == 500
    with services.work(app) as session:
        stored = [
            str(v)
            for model in (StatsListen, StatsSalt, DownloadCount)
            for row in session.scalars(select(model))
            for v in vars(row).values()
        ]
    assert not any("10." in v for v in stored), "an IP address was stored"


def test_a_scripted_day_through_the_app(app):
    keys = _stored(app)
    expected = script()
    client = app.test_client()
    for request in expected.requests:
        headers = {"User-Agent": request.user_agent}
        if request.range:
            headers["Range"] = request.range
        response = client.get(
            f"/media/{keys[request.file]}",
            headers=headers,
            environ_base={"REMOTE_ADDR": request.ip},
        )
        assert response.status_code in (200, 206)
        response.close()
    _check(app, expected)


def test_a_scripted_day_through_nginx(app_config, tmp_path):
    from webapp import create_app

    nginx_log = tmp_path / "nginx" / "talkcast-media.log"
    nginx_log.parent.mkdir()
    app = create_app({**app_config, "STATS": {"access_logs": [str(nginx_log)]}})
    try:
        keys = _stored(app)
        expected = script()
        with (
            media_server(app.config["MEDIA_ROOT"], nginx_log.parent) as server,
            http.Session() as session,
        ):
            for request in expected.requests:
                headers = {"User-Agent": request.user_agent, "X-Forwarded-For": request.ip}
                if request.range:
                    headers["Range"] = request.range
                response = session.get(server.url(keys[request.file]), headers=headers, timeout=10)
                assert response.status_code in (200, 206)
        assert len(nginx_log.read_text().splitlines()) == 1000
        _check(app, expected)
    finally:
        app.extensions["talkcast.engine"].dispose()


def test_countries_come_from_a_configured_geoip_database(app_config, tmp_path):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    from webapp import create_app

    geoip = tmp_path / "countries.mmdb"
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-Country")
    writer.insert_network(IPSet(["10.1.0.0/16"]), {"country": {"iso_code": "GB"}})
    writer.insert_network(IPSet(["10.7.0.0/16"]), {"country": {"iso_code": "FR"}})
    writer.to_db_file(str(geoip))
    app = create_app({**app_config, "STATS": {"geoip_db": str(geoip)}})
    try:
        keys = _stored(app)
        client = app.test_client()
        for ip in ("10.1.0.1", "10.7.0.1", "10.9.0.1"):
            client.get(
                f"/media/{keys['short']}",
                headers={"User-Agent": "AntennaPod/3.4.0"},
                environ_base={"REMOTE_ADDR": ip},
            ).close()
        tasks.count_downloads(app)
        with services.work(app) as session:
            countries = {c.country: c.downloads for c in session.scalars(select(DownloadCount))}
        assert countries == {"GB": 1, "FR": 1, "": 1}
    finally:
        app.extensions["talkcast.engine"].dispose()


def test_a_failed_run_counts_nothing_and_the_next_counts_all(app, monkeypatch):
    from webapp.stats import counting

    keys = _stored(app)
    client = app.test_client()
    for n in range(3):
        client.get(
            f"/media/{keys['short']}",
            headers={"User-Agent": "AntennaPod/3.4.0"},
            environ_base={"REMOTE_ADDR": f"10.5.0.{n + 1}"},
        ).close()
    real = counting.Counter._add_counts

    def write_then_fail(self, *args):
        real(self, *args)
        self.session.flush()
        raise OSError("disk gone")

    monkeypatch.setattr(counting.Counter, "_add_counts", write_then_fail)
    assert tasks.count_downloads(app).outcome == "error"
    assert _counts(app)[0] == 0  # counts and the log offset roll back together
    monkeypatch.setattr(counting.Counter, "_add_counts", real)
    tasks.count_downloads(app)
    assert _counts(app)[0] == 3
