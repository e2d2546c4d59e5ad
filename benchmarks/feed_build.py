"""Time feed building with our feedgen-based writers beside a plain lxml build.

The baseline writes the same RSS elements (channel, iTunes and Podcasting 2.0 tags, one
item per talk with enclosure, guid, pubDate and iTunes tags) and a minimal Atom feed
with lxml directly, so the table shows what feedgen and its extensions cost.

    .venv/bin/python benchmarks/feed_build.py --sizes 100 1000 10000
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import summary_row  # noqa: E402
from feeds.atom import build_atom, entry_id
from feeds.model import Category, Channel, Enclosure, Item, Person
from feeds.rss import build_rss
from feeds.splice import FragmentStore, splice

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
START = datetime(2019, 1, 1, 9, 0, tzinfo=UTC)


def make_channel() -> Channel:
    """A channel like the ones the service publishes."""
    return Channel(
        title="Isaac Newton Institute: recorded talks",
        link="https://www.newton.ac.uk/",
        feed_url="https://talkcast.example.org/feeds/ini/rss.xml",
        feed_id="urn:uuid:1f0e4a2c-52d5-4d3b-9a3e-6f3f2a6d7c10",
        description="Recorded talks.",
        updated=START,
        podcast_guid="c5d2b0a4-1111-5222-8333-444455556666",
        author="Isaac Newton Institute",
        owner_name="INI Media",
        owner_email="media@newton.example.org",
        image="https://talkcast.example.org/artwork/ini.jpg",
        categories=(Category("Science", "Mathematics"),),
    )


def make_items(count: int) -> list[Item]:
    """``count`` talks, each with an mp3 and a speaker."""
    items = []
    for n in range(count):
        when = START + timedelta(hours=n)
        items.append(
            Item(
                guid=f"talk-{n}",
                title=f"A Stable Learning Framework, part {n}",
                link=f"https://sms.cam.ac.uk/media/{2_944_183 + n}",
                published=when,
                updated=when,
                summary="Why deep networks are unstable and how to train stable ones.",
                content_html="<p>Speaker: <b>Thesing, L</b></p>",
                author="Thesing, L",
                enclosures=(
                    Enclosure(
                        f"https://downloads.example.org/{n}.mp3", "audio/mpeg", 23_664_000, 1479.0
                    ),
                ),
                persons=(Person("Thesing, L", role="guest"),),
            )
        )
    return items


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    elem = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        elem.text = text
    return elem


def lxml_rss(channel: Channel, items: Sequence[Item]) -> bytes:
    """Baseline: the same RSS elements written with lxml alone."""
    nsmap = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT}
    rss = etree.Element("rss", version="2.0", nsmap=nsmap)
    c = _sub(rss, "channel")
    _sub(c, "title", channel.title)
    _sub(c, "link", channel.link)
    _sub(c, "description", channel.description)
    _sub(c, f"{{{ATOM}}}link", href=channel.feed_url, rel="self", type="application/rss+xml")
    _sub(c, "language", channel.language)
    _sub(c, "lastBuildDate", format_datetime(channel.updated))
    _sub(c, f"{{{ITUNES}}}author", channel.author)
    _sub(c, f"{{{ITUNES}}}image", href=channel.image or "")
    cat = _sub(c, f"{{{ITUNES}}}category", text="Science")
    _sub(cat, f"{{{ITUNES}}}category", text="Mathematics")
    _sub(c, f"{{{ITUNES}}}explicit", "false")
    _sub(c, f"{{{PODCAST}}}guid", channel.podcast_guid)
    for item in items:
        i = _sub(c, "item")
        _sub(i, "title", item.title)
        _sub(i, "link", item.link)
        _sub(i, "description", item.summary)
        _sub(i, f"{{{CONTENT}}}encoded", item.content_html)
        _sub(i, "guid", item.guid, isPermaLink="false")
        e = item.enclosures[0]
        _sub(i, "enclosure", url=e.url, length=str(e.length), type=e.mime_type)
        _sub(i, "pubDate", format_datetime(item.published))
        _sub(i, f"{{{ITUNES}}}author", item.author or "")
        _sub(i, f"{{{ITUNES}}}duration", str(round(e.duration or 0)))
        _sub(i, f"{{{ITUNES}}}explicit", "false")
        for person in item.persons:
            _sub(i, f"{{{PODCAST}}}person", person.name, role=person.role, group=person.group)
    xml: bytes = etree.tostring(rss, pretty_print=True, encoding="UTF-8", xml_declaration=True)
    return xml


def lxml_atom(channel: Channel, items: Sequence[Item]) -> bytes:
    """Baseline: a minimal Atom feed with the same entries, written with lxml alone."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    a = f"{{{ATOM}}}"
    _sub(feed, a + "id", channel.feed_id)
    _sub(feed, a + "title", channel.title)
    _sub(feed, a + "updated", channel.updated.isoformat())
    _sub(_sub(feed, a + "author"), a + "name", channel.author)
    _sub(feed, a + "link", href=channel.feed_url, rel="self")
    for item in items:
        entry = _sub(feed, a + "entry")
        _sub(entry, a + "id", entry_id(item.guid, "www.newton.ac.uk"))
        _sub(entry, a + "title", item.title)
        _sub(entry, a + "updated", item.updated.isoformat())
        _sub(entry, a + "published", item.published.isoformat())
        _sub(entry, a + "link", href=item.link)
        _sub(entry, a + "summary", item.summary)
        _sub(entry, a + "content", item.content_html, type="html")
        for e in item.enclosures:
            _sub(
                entry,
                a + "link",
                href=e.url,
                rel="enclosure",
                type=e.mime_type,
                length=str(e.length),
            )
    xml: bytes = etree.tostring(feed, pretty_print=True, encoding="UTF-8", xml_declaration=True)
    return xml


def best_of(
    repeats: int,
    build: Callable[[Channel, Sequence[Item]], bytes],
    channel: Channel,
    items: Sequence[Item],
) -> float:
    """Fastest of ``repeats`` runs, in seconds: the least disturbed by other work."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        build(channel, items)
        best = min(best, time.perf_counter() - started)
    return best


def spliced_rss(channel: Channel, items: Sequence[Item]) -> float:
    """Seconds to rebuild the document from kept fragments, as the app does when a page's
    channel changed but its items did not (best of 3, after one build that keeps them)."""
    store = FragmentStore(len(items))
    splice(build_rss, "rss", channel, items, store)
    retitled = replace(channel, title=channel.title + " (renamed)")
    return best_of(3, lambda c, i: splice(build_rss, "rss", c, i, store), retitled, items)


def profile_shares(channel: Channel, items: Sequence[Item]) -> None:
    """Where a cold build_rss spends its time, by package (cProfile, own time)."""
    profile = cProfile.Profile()
    profile.enable()
    build_rss(channel, items)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    groups: dict[str, float] = {}
    for (path, _line, name), (_cc, _nc, own, _cum, _callers) in stats.items():
        if "/feedgen/" in path:
            group = "feedgen (entries, dates, links)"
        elif "/feeds/ext/" in path:
            group = "our extensions (itunes, podcast, media...)"
        elif path.endswith("feeds/text.py"):
            group = "our sanitize"
        elif "lxml" in name or "etree" in name or "tostring" in name:
            group = "lxml (elements, serialising)"
        elif "/dateutil/" in path or "strftime" in name or "locale" in path:
            group = "dates and locale"
        else:
            group = "other (Python builtins, our writer)"
        groups[group] = groups.get(group, 0.0) + own
    total = sum(groups.values())
    print(f"## cProfile of a cold build_rss, {len(items):,} items: own time by package")
    for group, own in sorted(groups.items(), key=lambda g: -g[1]):
        print(f"  {100 * own / total:5.1f}%  {group}")


def main(argv: Sequence[str] | None = None) -> None:
    """Print a table of build times for each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    channel = make_channel()
    header = (
        f"{'items':>7} {'build_rss':>10} {'lxml rss':>10} {'x':>6}"
        f" {'build_atom':>11} {'lxml atom':>10} {'x':>6}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        items = make_items(size)
        rss = best_of(args.repeats, build_rss, channel, items)
        base_rss = best_of(args.repeats, lxml_rss, channel, items)
        atom = best_of(args.repeats, build_atom, channel, items)
        base_atom = best_of(args.repeats, lxml_atom, channel, items)
        print(
            f"{size:>7} {rss:>10.4f} {base_rss:>10.4f} {rss / base_rss:>6.1f}"
            f" {atom:>11.4f} {base_atom:>10.4f} {atom / base_atom:>6.1f}"
        )
        if size == 10_000:
            summary_row("10,000-item RSS full build vs plain lxml writer", rss, base_rss, "s",
                        "<= 1.5")  # fmt: skip
            kept = spliced_rss(channel, items)
            summary_row(
                "10,000-item RSS rebuilt from kept item fragments vs plain lxml writer",
                kept,
                base_rss,
                "s",
                "<= 1.5",
            )
    print("seconds, best of", args.repeats, "runs; x = ours / plain lxml")
    profile_shares(channel, make_items(max(args.sizes)))


if __name__ == "__main__":
    main()
