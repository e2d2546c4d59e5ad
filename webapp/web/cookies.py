"""A session interface that keeps cacheable public responses free of ``Vary: Cookie``.

Flask adds ``Vary: Cookie`` whenever anything read the session during a request (Flask-Login
always does). Feeds and media are the same for everyone, and that header would make shared
caches and CDNs keep a copy per visitor, so views that mark the request public skip it.
"""

from __future__ import annotations

from flask import Flask, g
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response


def mark_public() -> None:
    """Declare the current response identical for every visitor."""
    g.public_response = True


class PublicAwareSessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if g.get("public_response") and not session.modified:
            return
        super().save_session(app, session, response)
