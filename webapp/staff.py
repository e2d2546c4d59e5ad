"""Staff pages: dashboard, episode upload and editing. Every view needs a signed-in user."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from . import services
from .auth import staff_required
from .models import Episode, Show

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every staff route refuses anonymous users."""


@bp.get("/")
def dashboard() -> Any:
    """Shows, episodes with their state, and each feed's URL."""
    session = services.db()
    shows = list(session.scalars(select(Show).order_by(Show.title)))
    episodes = list(session.scalars(select(Episode).order_by(Episode.updated_at.desc()).limit(50)))
    return render_template("staff/dashboard.html", shows=shows, episodes=episodes)
