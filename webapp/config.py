"""Configuration in layers: defaults < config.toml < TALKCAST_* environment < test dict."""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "SITE_TITLE": "Talkcast",
    "SITE_OWNER_EMAIL": "",
    "BASE_URL": "http://127.0.0.1:8000",
    "DATABASE_URL": "sqlite:///instance/talkcast.sqlite3",
    "DATA_DIR": "instance/data",
    "MEDIA_ROOT": "instance/media",
    "TIMEZONE": "Europe/London",
    "FEED_PAGE_SIZE": 300,
    "MAX_UPLOAD_MB": 2048,
    "USER_AGENT": "Talkcast/0.1 (podcast feed publisher)",
    "WEBSUB_HUB": "",
    "SCHEDULER": {"enabled": True, "publish_every_seconds": 60, "rebuild_every_seconds": 300},
    "SOURCES": [],
    # Sources and their recordings are fetched from public addresses only; networks listed
    # here (CIDR, e.g. "10.20.0.0/16") may be fetched from too. In the environment: commas.
    "ALLOWED_PRIVATE_NETWORKS": [],
    "SECRET_KEY": None,
    # Behind nginx: answer feed and media requests with X-Accel-Redirect and let nginx send
    # the file from an internal location (see deploy/nginx.conf).
    "X_ACCEL_REDIRECT": False,
    "X_ACCEL_PREFIX": "/_accel",
    # Answer GET/HEAD of current feeds in a WSGI layer in front of Flask (same answers,
    # a fraction of the cost: webapp/web/feed_fastpath.py); off sends them through Flask.
    "FEED_FAST_PATH": True,
    # Download statistics: the app logs the media it sends to DATA_DIR/stats/media.log;
    # behind nginx, list nginx's media log (log_format talkcast_media) here too.
    "STATS": {"app_log": True, "access_logs": [], "geoip_db": ""},
    # Scheduled backups (``talkcast backup`` on a timer): off while ``dir`` is empty.
    "BACKUP": {"dir": "", "keep": 7, "every_seconds": 86400},
    # Saves mark their shows; a worker rebuilds the marked feeds within this delay
    # ("background"), or the save itself does before it returns ("inline", the CLI's way).
    "FEEDS": {"rebuild_mode": "background", "rebuild_delay_seconds": 2.0},
    # `talkcast serve --prod` (gunicorn). No access log by default: behind nginx, as deployed
    # (deploy/), nginx logs every request, and gunicorn's own line costs a tenth (200) to a
    # third (304) of the CPU time of a feed request. Errors are logged either way.
    "SERVER": {"access_log": False},
}

PATH_KEYS = ("DATA_DIR", "MEDIA_ROOT")
# Lists of plain strings: an environment variable gives them comma-separated.
LIST_KEYS = ("ALLOWED_PRIVATE_NETWORKS",)


def _coerce(value: str, like: Any) -> Any:
    """Turn an environment string into the type of the default it overrides."""
    if isinstance(like, bool):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(like, int):
        return int(value)
    if isinstance(like, float):
        return float(value)
    return value


def load_config(
    config_file: Path | None = None, environ: dict[str, str] | None = None
) -> dict[str, Any]:
    """Merge defaults, the TOML file and TALKCAST_* environment variables."""
    environ = dict(os.environ if environ is None else environ)
    config: dict[str, Any] = {
        k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()
    }
    path = Path(environ.get("TALKCAST_CONFIG", config_file or PROJECT_ROOT / "config.toml"))
    base_dir = path.parent if path.exists() else Path.cwd()
    if path.exists():
        with path.open("rb") as fh:
            for key, value in tomllib.load(fh).items():
                upper = key.upper()
                if upper not in DEFAULTS:
                    log.warning("config.toml: unknown key %r ignored", key)
                    continue
                if isinstance(value, dict) and isinstance(config[upper], dict):
                    config[upper].update(value)
                else:
                    config[upper] = value
    for name, value in environ.items():
        if not name.startswith("TALKCAST_") or name == "TALKCAST_CONFIG":
            continue
        key = name.removeprefix("TALKCAST_")
        section, _, inner = key.partition("__")
        if key in LIST_KEYS:
            config[key] = [part.strip() for part in value.split(",") if part.strip()]
        elif inner and isinstance(DEFAULTS.get(section), dict):
            # TALKCAST_FEEDS__REBUILD_MODE=inline sets [feeds] rebuild_mode.
            inner = inner.lower()
            like = DEFAULTS[section].get(inner, "")
            config[section][inner] = _coerce(value, like)
        elif key in DEFAULTS and not isinstance(DEFAULTS[key], dict | list):
            config[key] = _coerce(value, DEFAULTS[key])
    config["CONFIG_BASE_DIR"] = str(base_dir)
    return config


def resolve_paths(config: dict[str, Any]) -> None:
    """Make relative paths (and SQLite file URLs) absolute against the config file's folder."""
    base = Path(config.get("CONFIG_BASE_DIR") or Path.cwd())
    for key in PATH_KEYS:
        config[key] = str((base / config[key]).resolve())
    url = str(config["DATABASE_URL"])
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and ":memory:" not in url:
        config["DATABASE_URL"] = prefix + str((base / url[len(prefix) :]).resolve())
    config["BASE_URL"] = str(config["BASE_URL"]).rstrip("/")
