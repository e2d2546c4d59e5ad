"""Access logs are read from where the last run stopped: partial lines wait, rotated logs
are finished, broken lines are skipped, nothing is read twice."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from webapp.stats.logs import AppendLog, Position, append_line, hits, log_line, parse_line, read_new

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _line(n: int) -> bytes:
    return log_line(
        WHEN, f"10.0.0.{n}", "AntennaPod/3.4.0", "GET", 200, f"/media/aa/bb/{n}.mp3", "", 1000
    )


def test_app_and_nginx_lines_read_alike():
    app = parse_line(_line(1).decode())
    nginx = parse_line(
        json.dumps(
            {
                "time": "2026-11-30T09:00:00+00:00",
                "ip": "10.0.0.1",
                "ua": "AntennaPod/3.4.0",
                "method": "GET",
                "status": 206,
                "uri": "/_accel/media/aa/bb/1.mp3",
                "range": "bytes 1000-1999/5000",
                "bytes": 1000,
            }
        )
    )
    assert app is not None and nginx is not None
    assert (app.key, app.start, app.sent) == ("aa/bb/1.mp3", 0, 1000)
    assert (nginx.key, nginx.start, nginx.status) == ("aa/bb/1.mp3", 1000, 206)
    assert app.time == nginx.time == WHEN


def test_lines_that_are_not_media_hits_are_skipped():
    lines = ["not json", "{}", json.dumps({"uri": "/feeds/x.rss"}), _line(2).decode()]
    assert [h.ip for h in hits(lines)] == ["10.0.0.2"]


def test_reading_goes_on_where_it_stopped(tmp_path):
    log = tmp_path / "media.log"
    append_line(log, _line(1) + _line(2))
    lines, position = read_new(log, None)
    assert len(lines) == 2
    # A line still being written waits for the next run.
    with log.open("ab") as fh:
        fh.write(_line(3)[:20])
    more, position = read_new(log, position)
    assert more == []
    with log.open("ab") as fh:
        fh.write(_line(3)[20:])
    more, position = read_new(log, position)
    assert [parse_line(x).ip for x in more] == ["10.0.0.3"]
    assert read_new(log, position)[0] == []


def _nginx_writes(path, line):
    with path.open("ab") as fh:
        fh.write(line)


def test_a_rotated_log_is_finished_before_the_new_one(tmp_path):
    log = tmp_path / "media.log"
    _nginx_writes(log, _line(1))
    _, position = read_new(log, None)
    _nginx_writes(log, _line(2))  # written after the last run, then rotated away
    os.rename(log, tmp_path / "media.log.1")
    _nginx_writes(log, _line(3))
    lines, position = read_new(log, position)
    assert [parse_line(x).ip for x in lines] == ["10.0.0.2", "10.0.0.3"]
    assert position == Position(log.stat().st_ino, log.stat().st_size)


def test_a_missing_log_is_no_error(tmp_path):
    assert read_new(tmp_path / "nothing.log", None) == ([], None)


def test_the_app_writer_follows_a_rotated_log(tmp_path, monkeypatch):
    monkeypatch.setattr(AppendLog, "CHECK_EVERY", 0.0)
    log = tmp_path / "stats" / "media.log"
    writer = AppendLog(log)
    writer.write(_line(1))
    os.rename(log, tmp_path / "stats" / "media.log.1")
    writer.write(_line(2))
    assert [parse_line(x).ip for x in log.read_text().splitlines()] == ["10.0.0.2"]
