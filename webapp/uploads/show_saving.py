"""Saving a show's settings and cover art: the rows commit first, the art file after.

The staff form, the JSON API and the CLI all come through ``save_show``, so each checks the
same settings and stores artwork the same way (squared and sized as episode art is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from media.storage import LocalStorage
from webapp.catalog.operations import CatalogError, get_show
from webapp.catalog.shows import edit_show, new_show, rename_show
from webapp.uploads.pending import PendingFiles, check_asset


@dataclass
class ShowChanges:
    """What one save asks for: settings, maybe a new slug, maybe new cover art (raw bytes)."""

    settings: dict[str, Any] = field(default_factory=dict)
    slug: str | None = None
    artwork: bytes | None = None


def save_show(
    factory: sessionmaker[Session],
    storage: LocalStorage,
    changes: ShowChanges,
    *,
    base_url: str,
    existing: str | None = None,
    rebuild: Callable[[set[int]], Any] | None = None,
) -> str:
    """Create a show (``existing`` None) or change the one with slug ``existing``.

    Returns the show's slug afterwards. CatalogError or UploadError say what was refused;
    then nothing was written.
    """
    # Checked before any row is written: a bad image refuses the whole save.
    asset = check_asset("artwork", changes.artwork) if changes.artwork is not None else None
    pending = PendingFiles(storage)

    def operation(session: Session) -> str:
        if existing is None:
            settings = dict(changes.settings)
            title = str(settings.pop("title", "") or "")
            show = new_show(
                session, slug=changes.slug or "", title=title, base_url=base_url, **settings
            )
        else:
            found = get_show(session, existing)
            if found is None:
                raise CatalogError(f"no show with slug '{existing}'")
            show = edit_show(session, found, **changes.settings)
            if changes.slug:
                rename_show(session, show, changes.slug)
        if asset is not None:
            pending.set_show_artwork(session, show, asset)
        return show.slug

    return pending.apply(factory, operation, rebuild)
