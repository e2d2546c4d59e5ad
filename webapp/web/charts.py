"""Small charts drawn on the server as SVG: no script, nothing fetched, readable without
colour (every bar has its number as text) and by screen readers (title and description).

Every value goes through ``Markup.format``, which escapes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

BAR = "#2f6f9f"
TEXT = "#222"

_COLUMN = Markup(
    '<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="{fill}">'
    "<title>{label}: {n}</title></rect>"
)
_COLUMN_LABEL = Markup(
    '<text x="{x:.1f}" y="{y}" font-size="11" fill="{fill}" text-anchor="{anchor}">{label}</text>'
)
_COLUMNS = Markup(
    '<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
    'aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg">'
    '<title id="{id}-t">{title}</title>'
    '<desc id="{id}-d">{total} downloads in {days} days, at most {top} a day.</desc>'
    '<text x="0" y="14" font-size="11" fill="{fill}">{top}</text>'
    '<line x1="30" y1="{axis}" x2="{right}" y2="{axis}" stroke="{fill}"/>{bars}</svg>'
)
_ROW = Markup(
    '<text x="0" y="{ty}" font-size="12" fill="{fill}">{label}</text>'
    '<rect x="170" y="{y}" width="{w}" height="16" fill="{bar}"/>'
    '<text x="{nx}" y="{ny}" font-size="12" fill="{fill}">{n}</text>'
)
_ROWS = Markup(
    '<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
    'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>{rows}</svg>'
)


def column_chart(
    points: Sequence[tuple[str, int]],
    title: str,
    *,
    width: int = 720,
    height: int = 200,
    chart_id: str = "daily",
) -> Markup:
    """Vertical bars over time (one a day); labels on the first, middle and last bar."""
    top = max((n for _, n in points), default=0) or 1
    count = max(len(points), 1)
    step = (width - 40) / count
    bars = []
    for index, (label, n) in enumerate(points):
        h = round((height - 40) * n / top)
        x = 30 + index * step
        bars.append(
            _COLUMN.format(
                x=x, y=height - 20 - h, w=max(step - 2, 1), h=h, fill=BAR, label=label, n=n
            )
        )
        # The first, middle and last day are named; the last ends at the right edge.
        anchors = {0: "start", count // 2: "middle", count - 1: "end"}
        if index in anchors:
            at = x + step if anchors[index] == "end" else x
            bars.append(
                _COLUMN_LABEL.format(
                    x=at, y=height - 5, fill=TEXT, label=label, anchor=anchors[index]
                )
            )
    return _COLUMNS.format(
        width=width,
        height=height,
        id=chart_id,
        title=title,
        total=sum(n for _, n in points),
        days=len(points),
        top=top,
        fill=TEXT,
        axis=height - 20,
        right=width - 10,
        bars=Markup("").join(bars),
    )


def bar_list(rows: Sequence[tuple[str, int]], title: str, *, width: int = 480) -> Markup:
    """Horizontal bars, one a row, each with its label and number."""
    top = max((n for _, n in rows), default=0) or 1
    parts = []
    for index, (label, n) in enumerate(rows):
        y = 4 + index * 22
        w = round((width - 220) * n / top)
        parts.append(
            _ROW.format(
                ty=y + 14,
                y=y,
                w=max(w, 1),
                nx=176 + w,
                ny=y + 13,
                fill=TEXT,
                bar=BAR,
                label=label[:28],
                n=n,
            )  # fmt: skip
        )
    return _ROWS.format(
        width=width, height=22 * len(rows) + 4, title=title, rows=Markup("").join(parts)
    )
