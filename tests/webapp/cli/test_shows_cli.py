"""``talkcast shows``, run as a user would, in a subprocess with its own config."""

from __future__ import annotations

import subprocess
import sys

from lxml import etree
from PIL import Image

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}


def talkcast(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "webapp.cli", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_create_edit_and_list_shows(app, talkcast_env, tmp_path):
    art = tmp_path / "cover.png"
    Image.new("RGB", (1400, 1400), "orange").save(art, "PNG")
    created = talkcast(
        talkcast_env, "shows", "create", "Plus podcast", "--slug", "plus",
        "--artwork", str(art),
        "--set", "category=Science", "--set", "subcategory=Mathematics",
        "--set", "owner_email=plus@example.org", "--set", "location=Cambridge",
        "--set", "explicit=false",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "created plus: http://talkcast.test/feeds/plus.rss" in created.stdout

    edited = talkcast(
        talkcast_env, "shows", "edit", "plus", "--title", "Plus magazine podcast",
        "--set", "show_type=serial",
    )  # fmt: skip
    assert edited.returncode == 0, edited.stderr

    listed = talkcast(talkcast_env, "shows", "list")
    assert "plus\tpodcast\tcurrent\thttp://talkcast.test/feeds/plus.rss\tPlus magazine podcast" in (
        listed.stdout
    )
    channel = etree.fromstring(app.test_client().get("/feeds/plus.rss").data).find("channel")
    assert channel.findtext("title") == "Plus magazine podcast"
    assert channel.xpath("string(itunes:type)", namespaces=NS) == "serial"
    assert channel.xpath("string(podcast:location)", namespaces=NS) == "Cambridge"
    assert channel.xpath("itunes:image/@href", namespaces=NS)


def test_refusals_say_why(talkcast_env):
    bad = talkcast(talkcast_env, "shows", "create", "X", "--set", "category=Cooking")
    assert bad.returncode != 0
    assert "'Cooking' is not an Apple Podcasts category" in bad.stderr
    worse = talkcast(talkcast_env, "shows", "create", "X", "--set", "nonsense")
    assert worse.returncode != 0 and "FIELD=VALUE" in worse.stderr
    missing = talkcast(talkcast_env, "shows", "edit", "nope", "--title", "Y")
    assert missing.returncode != 0 and "no show with slug 'nope'" in missing.stderr
    assert talkcast(talkcast_env, "shows", "list").stdout == ""
