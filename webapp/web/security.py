"""Security headers every response carries, set once for the whole app.

Pages may not be framed by other sites (clickjacking), except the embeddable player, which
sets its own ``frame-ancestors *`` policy; responses are never MIME-sniffed; other sites are
told only our origin when a visitor follows a link. When ``base_url`` is https, browsers are
told to use https only (HSTS), and the session cookies are ``Secure`` (``auth.init_app``).
"""

from __future__ import annotations

from flask import Flask, Response

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'"
)
REFERRER_POLICY = "strict-origin-when-cross-origin"
# One year: long enough for browsers to remember it between visits (RFC 6797). Subdomains are
# left out, since they may be other services of the same institution.
HSTS = "max-age=31536000"


def plain_headers(https: bool) -> list[tuple[str, str]]:
    """The headers every non-HTML answer gets (the feed fast path sends them itself)."""
    headers = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", REFERRER_POLICY)]
    return headers + [("Strict-Transport-Security", HSTS)] if https else headers


def security_headers(response: Response, https: bool) -> Response:
    """Add the headers to ``response`` (a view's own choice of a header is kept)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        # A page that allows framing says so in its own policy (the player): no DENY there.
        if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
            headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Send the security headers on every response of ``app``."""
    https = str(app.config["BASE_URL"]).startswith("https://")
    app.after_request(lambda response: security_headers(response, https))
