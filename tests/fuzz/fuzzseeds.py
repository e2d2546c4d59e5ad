"""Seed documents and token dictionaries for each fuzz target.

Upstream documents are the source tests' fixtures; media files are generated small (a third
of a second) with ffmpeg so that a case stays cheap; images are drawn with Pillow. Tokens are
the fragments a parser looks for, so that mutations reach its less-trodden branches.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from PIL import Image

from media.placeholder import silent_mp3

FIXTURES = Path(__file__).parent.parent / "feeds" / "sources" / "fixtures"

SOURCE_SEEDS: dict[str, tuple[str, ...]] = {
    "rss": ("podcast.rss", "podcast.atom"),
    "youtube": ("youtube_channel.xml",),
    "talks-cam": ("talks_cam_list.xml",),
    "collection-page": (
        "collection_page.html",
        "collection_page_variant.html",
        "collection_page.txt",
    ),
}

MEDIA_PAGE = b"""<!DOCTYPE html><html><body><h1>A talk</h1>
<video controls><source src="https://downloads.example/1/2.mp4" type="video/mp4"></video>
<ul><li><a href="https://downloads.example/1/3.m4a">Audio</a></li>
<li><a href="/dl/talk.MP3">MP3</a></li><li><a href="javascript:x('a.mp3')">x</a></li></ul>
</body></html>"""

XML_TOKENS: tuple[bytes, ...] = (
    b"<", b">", b"</", b"/>", b"<![CDATA[", b"]]>", b"&amp;", b"&#0;", b"&#x10FFFF;",
    b"&nbsp;", b"&lt;script&gt;", b'<!DOCTYPE x [<!ENTITY a "b">]>', b"<!DOCTYPE html>",
    b'<?xml version="1.0" encoding="utf-16"?>', b'<?xml version="1.0" encoding="bogus"?>',
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3\x28", b'xmlns="http://www.w3.org/2005/Atom"',
    b"<item>", b"<entry>", b"<talk>", b"<list>", b"<feed>", b"<rss>",
    b'<enclosure url="" length="-1" type=""/>', b'<enclosure url="http://[::1" length="9e9"/>',
    b"<itunes:duration>99999999999999999999:99</itunes:duration>",
    b"<itunes:duration>1e400</itunes:duration>", b"<itunes:duration>nan</itunes:duration>",
    b"<pubDate>Mon, 31 Feb 10000 25:61:61 +9999</pubDate>",
    b"<pubDate>Sat, 01 Jan 0001 00:00:00 -2400</pubDate>",
    b"<published>9999-12-31T23:59:59-23:59</published>", b"<published>0001-01-01</published>",
    b"<start_time>Thu, 01 Jan 0001 00:00:00 -2400</start_time>",
    b"<created_at>Fri, 31 Dec 9999 23:59:59 -9999</created_at>",
    b"<yt:videoId></yt:videoId>", b"<yt:videoId>../?#</yt:videoId>", b"<id> </id>",
    b'<media:statistics views="99999999999999999999999"/>', b'views="-1"',
    b"<url>http://[</url>", b'<link rel="alternate" href="http://[::1"/>', b'href="//x"',
    b"1e309", b"-0", b"javascript:", b"https://[", b";jsessionid=1",
)  # fmt: skip

PAGE_TOKENS: tuple[bytes, ...] = (
    b"12,345 views", b"1 view", b"99999999999999999999999 views",
    b"Thursday 31st February 2019 - 23:59 to 00:00", b"Sunday 31st March 2019 - 01:30 to 02:30",
    b"Sunday 27th October 2019 - 01:30 to 01:10", b"Monday 1st Sept 0001 - 00:00 to 23:59",
    b"Friday 31st December 9999 - 23:00 to 00:30", b"Tuesday 5th May 2019 - 99:99 to 00:00",
    b"Collection: ", b"Institution: ", b"Created: ", b"Created: Tue 28 May 2019",
    b"Created: 2019-13-45", b"Created: 99999999 May 99999", b"Created: 0 Sept 0",
    b"Smith, J and Doe, A", b"; ", b" and ", b"Description:", b"Media items",
    b'<a href="/media/123">', b'<a href="http://[">', b"</a>", b"<h1>", b"</h1>",
    b'<img src="http://[::1">', b"<dt>Created:</dt><dd>", b"<br>", b"<p>", b"</div>",
    b"<script>", b"\x00", b"\xff", b"\xe2\x80\x93", b"\r", b"\n\n", b"&#0;", b"&nbsp;",
    b'<source src="x.mp4">', b"<a href='/x.flac'>", b'<base href="ftp://x/">',
)  # fmt: skip

MEDIA_TOKENS: tuple[bytes, ...] = (
    b"ID3\x04\x00\x00\x00\x00\x00\x00", b"ID3\x03\x00\x10\x7f\x7f\x7f\x7f", b"TAG",
    b"APETAGEX", b"LYRICS200", b"000020LYRICS200", b"Xing", b"Info", b"VBRI",
    b"\x00\x00\x00\x0f", b"\xff\xfb\x90\x00", b"\xff\xf3\x18\xc0", b"\xff\xe3\x18\xc4",
    b"moov", b"mdat", b"trak", b"mvhd", b"tkhd", b"hdlr", b"mdia", b"ftyp", b"udta", b"meta",
    b"ilst", b"stsd", b"mp4a", b"esds", b"soun", b"vide", b"qt  ", b"M4V ",
    b"\x00\x00\x00\x01", b"\x00\x00\x00\x08", b"\xff\xff\xff\xff", b"\x00\x00\x00\x00",
    b"OggS", b"OggS\x00\x04", b"OpusHead", b"OpusTags", b"\x01vorbis", b"\x03vorbis",
    b"fLaC", b"\xff\xf8", b"\xff\xf9", b"\x80\x00\x00\x22", b"\x04\x00\x00\x00",
    b"RIFF", b"WAVE", b"fmt ", b"data", b"LIST", b"id3 ", b"fact",
)  # fmt: skip

TEXT_TOKENS: tuple[bytes, ...] = (
    b"WEBVTT", b"WEBVTT\n\n", b"-->", b" --> ", b"00:00:00.000", b"99:59:59.999",
    b"00:00:00,000", b"999:59:59,999", b"1:00.5", b"\n\n", b"\r\n", b"\r", b"1\n", b"NOTE",
    b"STYLE", b"<v Speaker>", b"</v>", b"\x00", b"\xff", b"\xef\xbb\xbf", b"{", b"}", b"[",
    b"]", b",", b'"startTime":', b'"endTime":', b'"title":', b'"toc":false', b'"img":1',
    b'"version":"1.2.0"', b'"chapters":', b"1e400", b"-1", b"NaN", b"Infinity", b"1e308",
    b"null", b"true", b"0.0", b'"\\ud800"', b"[" * 1100,
)  # fmt: skip

IMAGE_TOKENS: tuple[bytes, ...] = (
    b"IHDR", b"IDAT", b"IEND", b"PLTE", b"tRNS", b"iCCP", b"eXIf", b"gAMA", b"sRGB",
    b"\xff\xe1", b"Exif\x00\x00", b"MM\x00*", b"II*\x00", b"\x01\x12", b"\x00\x03",
    b"\xff\xc0", b"\xff\xc2", b"\xff\xda", b"\xff\xd9", b"\xff\xdb", b"\xff\xc4", b"\xff\xe2",
    b"ICC_PROFILE\x00", b"\x00\x00\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x00\x00\x00",
)  # fmt: skip

# File name -> ffmpeg arguments: a third of a second of each format we accept.
_SINE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=0.3"]
_VIDEO = ["-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=0.4"]
MEDIA_RECIPES: dict[str, list[str]] = {
    "cbr.mp3": [*_SINE, "-c:a", "libmp3lame", "-b:a", "32k", "-metadata", "title=Sine"],
    "vbr.mp3": [*_SINE, "-c:a", "libmp3lame", "-q:a", "4", "-write_xing", "0"],
    "aac.m4a": [*_SINE, "-c:a", "aac", "-b:a", "32k", "-metadata", "title=AAC"],
    "video.mp4": [*_VIDEO, *_SINE, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
                  "-shortest"],
    "video.mov": [*_VIDEO, "-c:v", "mjpeg", "-f", "mov"],
    "vorbis.ogg": [*_SINE, "-ar", "8000", "-c:a", "libvorbis", "-metadata", "title=Vorbis"],
    "opus.opus": [*_SINE, "-c:a", "libopus", "-b:a", "16k"],
    "lossless.flac": [*_SINE, "-ar", "8000", "-c:a", "flac", "-metadata", "artist=Speaker"],
    "pcm.wav": [*_SINE, "-ar", "8000", "-c:a", "pcm_u8"],
}  # fmt: skip

VTT = b"WEBVTT - a seminar\n\nNOTE for editors\n\n1\n00:00:00.000 --> 00:00:02.500 align:start\n<v Ann>Welcome.\n\n00:01.000 --> 00:03.000\nSecond cue\n"  # noqa: E501
SRT = b"1\n00:00:00,000 --> 00:00:02,500\nWelcome.\n\n2\n00:00:02,500 --> 00:00:05,000\nNext.\n"
CHAPTERS = (
    b'{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro","toc":true},'
    b'{"startTime":62.5,"endTime":90,"title":"Main","img":"https://x.example/a.jpg",'
    b'"url":"https://x.example","location":{"name":"Cambridge"}},'
    b'{"startTime":30,"title":"Hidden","toc":false}]}'
)


def source_seeds(kind: str) -> list[bytes]:
    """The fixture documents of one upstream source kind."""
    return [(FIXTURES / name).read_bytes() for name in SOURCE_SEEDS[kind]]


def all_source_documents() -> list[bytes]:
    """Every upstream fixture, fed now and then to the parsers of the other kinds."""
    return [(FIXTURES / name).read_bytes() for names in SOURCE_SEEDS.values() for name in names]


def media_seeds(folder: Path) -> list[bytes]:
    """Small media files of every accepted format (ffmpeg's, when installed) and our own
    silent MP3."""
    seeds = [silent_mp3(0.5)]
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return seeds
    for name, recipe in MEDIA_RECIPES.items():
        path = folder / name
        subprocess.run(
            [ffmpeg, "-v", "error", "-y", *recipe, str(path)], check=True, capture_output=True
        )
        seeds.append(path.read_bytes())
    return seeds


def image_seeds() -> list[bytes]:
    """Small JPEG and PNG images: RGB, with alpha, palette with transparency, and one with an
    EXIF orientation, since each takes its own path through the artwork code."""
    seeds = []
    rgb = Image.new("RGB", (12, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90
    for image, fmt, options in (
        (rgb, "JPEG", {"exif": exif.tobytes()}),
        (rgb, "JPEG", {"progressive": True}),
        (Image.new("RGBA", (8, 8), (0, 0, 255, 128)), "PNG", {}),
        (rgb.convert("P"), "PNG", {"transparency": 0}),
        (Image.new("L", (6, 9), 128), "PNG", {"exif": exif.tobytes()}),
    ):
        out = io.BytesIO()
        image.save(out, fmt, **options)
        seeds.append(out.getvalue())
    return seeds
