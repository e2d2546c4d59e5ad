"""Who may call which staff page and API route: one table, checked before every view.

Every endpoint of the staff and API blueprints has a rule here: the level it needs
(``webapp.catalog.roles``) and how the request names its show. An endpoint without a rule
is refused, so a new route stays closed until someone decides who may use it. Contributors
write drafts only: they may not publish, and may not edit what is already public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import AuditEntry, Episode, Source, User
from webapp.catalog.operations import get_show
from webapp.catalog.roles import ADMIN, CONTRIBUTOR, EDITOR, VIEWER, best_level, level_in

SIGNED_IN = 0  # any member of staff, even one without a role yet (their own account)

# What a request's show lookup returns when the object it names does not exist: the view
# answers 404 itself, the same for everyone.
MISSING = -1
ShowOf = Callable[[], int | None]


@dataclass(frozen=True)
class Rule:
    """``level`` in the request's show (``show`` finds it), or in any show if ``show`` is None."""

    level: int
    show: ShowOf | None = None
    drafts_only: Callable[[], bool] | None = None  # for contributors: does the write stay a draft?


def _slug(arg: str = "slug") -> ShowOf:
    def find() -> int | None:
        value = request.view_args.get(arg) if request.view_args else None
        value = value or request.values.get(arg)
        if value is None:
            return None
        show = get_show(services.db(), str(value))
        return show.id if show else MISSING

    return find


def _show_of_episode(episode_id: Any) -> int | None:
    return services.db().scalar(select(Episode.show_id).where(Episode.id == episode_id))


def _episode_show() -> int | None:
    episode_id = (request.view_args or {}).get("episode_id")
    show_id = _show_of_episode(episode_id)
    if show_id is None:
        # A deleted episode's history still names its show.
        show_id = services.db().scalar(
            select(AuditEntry.show_id).where(AuditEntry.episode_id == episode_id).limit(1)
        )
    return show_id if show_id is not None else MISSING


def _guid_show() -> int | None:
    guid = (request.view_args or {}).get("guid")
    show_id = services.db().scalar(select(Episode.show_id).where(Episode.guid == guid))
    return show_id if show_id is not None else MISSING


def _source_show() -> int | None:
    source_id = (request.view_args or {}).get("source_id")
    show_id = services.db().scalar(select(Source.show_id).where(Source.id == source_id))
    return show_id if show_id is not None else MISSING


def _form_show() -> int | None:
    """The show chosen in the new-episode form (a GET has none yet)."""
    raw = request.form.get("show_id")
    if request.method == "GET" or not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return MISSING


def _stats_show() -> int | None:
    if request.args.get("episode"):
        show_id = _show_of_episode(request.args.get("episode", type=int) or 0)
        return show_id if show_id is not None else MISSING
    return _slug("show")()


def _episode_is_draft() -> bool:
    if request.method == "GET":
        return True
    episode = services.db().get(Episode, (request.view_args or {}).get("episode_id"))
    return episode is None or episode.state == "draft"


def _guid_is_draft() -> bool:
    episode = services.db().scalar(
        select(Episode).where(Episode.guid == (request.view_args or {}).get("guid"))
    )
    return episode is None or episode.state == "draft"


def _new_form_is_draft() -> bool:
    return request.method == "GET" or request.form.get("publish", "draft") == "draft"


def _new_api_is_draft() -> bool:
    data = request.get_json(silent=True) if request.is_json else request.form
    data = data or {}
    return not data.get("at") and str(data.get("state") or "draft") == "draft"


RULES: dict[str, Rule] = {
    # Pages every member of staff with some role sees (lists show what there is).
    "staff.dashboard": Rule(VIEWER),
    "staff_shows.index": Rule(VIEWER),
    "staff_people.index": Rule(VIEWER),
    "staff_people.show": Rule(VIEWER),
    # Drafts: contributors and up.
    "staff.upload_media": Rule(CONTRIBUTOR),
    "api.upload": Rule(CONTRIBUTOR),
    "staff.new_episode": Rule(CONTRIBUTOR, _form_show, _new_form_is_draft),
    "staff.edit_episode": Rule(CONTRIBUTOR, _episode_show, _episode_is_draft),
    "api.create": Rule(CONTRIBUTOR, _slug(), _new_api_is_draft),
    "api.update_episode": Rule(CONTRIBUTOR, _guid_show, _guid_is_draft),
    # Publishing, deleting, show settings and sources: editors.
    "staff.publish_episode": Rule(EDITOR, _episode_show),
    "staff.unpublish_episode": Rule(EDITOR, _episode_show),
    "staff.delete_episode": Rule(EDITOR, _episode_show),
    "api.publish": Rule(EDITOR, _guid_show),
    "api.unpublish": Rule(EDITOR, _guid_show),
    "api.delete": Rule(EDITOR, _guid_show),
    "staff_shows.edit": Rule(EDITOR, _slug()),
    "staff_shows.archive": Rule(EDITOR, _slug()),
    "api.update_show": Rule(EDITOR, _slug()),
    "api.put_artwork": Rule(EDITOR, _slug()),
    "staff_sources.index": Rule(EDITOR),
    "staff_sources.job_history": Rule(EDITOR),
    "staff_sources.add": Rule(EDITOR, _slug("into")),
    "staff_sources.check_now": Rule(EDITOR, _source_show),
    "staff_sources.keep": Rule(EDITOR, _episode_show),
    "staff_sources.delete": Rule(EDITOR, _episode_show),
    "staff_sources.episode_history": Rule(EDITOR, _episode_show),
    "staff_audit.show_changes": Rule(EDITOR, _slug()),
    "staff_audit.show_changes_csv": Rule(EDITOR, _slug()),
    "staff_audit.episode_changes": Rule(EDITOR, _episode_show),
    "staff_audit.episode_changes_csv": Rule(EDITOR, _episode_show),
    # Reading one show: viewers and up.
    "staff_stats.index": Rule(VIEWER, _stats_show),
    "staff_stats.export": Rule(VIEWER, _stats_show),
    "api.list_shows": Rule(VIEWER),
    "api.get_one": Rule(VIEWER, _slug()),
    "api.show_episodes": Rule(VIEWER, _slug()),
    "api.get_episode": Rule(VIEWER, _guid_show),
    # One's own account: tokens and two-factor sign-in.
    "account.index": Rule(SIGNED_IN),
    "account.new_token": Rule(SIGNED_IN),
    "account.revoke": Rule(SIGNED_IN),
    "account.start_two_factor": Rule(SIGNED_IN),
    "account.confirm_two_factor": Rule(SIGNED_IN),
    "account.two_factor_off": Rule(SIGNED_IN),
    # The whole site: admins.
    "staff_users.index": Rule(ADMIN),
    "staff_users.send_invite": Rule(ADMIN),
    "staff_users.change_active": Rule(ADMIN),
    "staff_users.reset": Rule(ADMIN),
    "staff_users.change_role": Rule(ADMIN),
    "staff_shows.new": Rule(ADMIN),
    "api.create_show": Rule(ADMIN),
    "staff_people.merge": Rule(ADMIN),
    "staff_people.split": Rule(ADMIN),
    "staff_audit.all_changes": Rule(ADMIN),
    "staff_audit.all_changes_csv": Rule(ADMIN),
}
# Site-wide figures (no ?show=) are for admins: they include every show.
SITE_WIDE = {"staff_stats.index", "staff_stats.export"}
GUARDED = (
    "staff",
    "staff_shows",
    "staff_sources",
    "staff_people",
    "staff_stats",
    "staff_audit",
    "staff_users",
    "account",
)
GUARDED_API = ("api",)


def _acting_user() -> User | None:
    user_id = g.get("api_user_id")
    if user_id is not None:
        return services.db().get(User, user_id)
    if current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    return None


def _token_allows(rule: Rule, show_id: int | None) -> bool:
    """An API token's own limits: read-only tokens read; a show's token serves that show."""
    if g.get("api_user_id") is None:
        return True
    if g.get("api_token_scope") == "read" and request.method not in ("GET", "HEAD"):
        return False
    limit = g.get("api_token_show")
    if limit is None:
        return True
    return rule.level < ADMIN and (show_id is None or show_id in (limit, MISSING))


def allowed(rule: Rule, user: User, endpoint: str) -> bool | None:
    """True or False; None when the request names a show that does not exist (the view 404s)."""
    session = services.db()
    show_id = rule.show() if rule.show is not None else None
    if not _token_allows(rule, show_id):
        return False
    if rule.level == ADMIN:
        return user.is_admin
    if rule.show is None:
        return best_level(session, user) >= rule.level
    if show_id == MISSING:
        return None
    if show_id is None:
        if endpoint in SITE_WIDE:
            return user.is_admin
        level = best_level(session, user)
    else:
        level = level_in(session, user, show_id)
    if level < rule.level:
        return False
    if level == CONTRIBUTOR and rule.drafts_only is not None:
        return rule.drafts_only()
    return True


def _refuse(api: bool) -> Any:
    message = "Your role does not allow this; an admin can change your role."
    if api:
        return jsonify(error="forbidden", message=message), 403
    return render_template("error.html", code=403, title="Forbidden", message=message), 403


def check() -> Any:
    """Before every guarded view, after its sign-in check: refuse what the role does not allow."""
    user = _acting_user()
    if user is None:
        return None  # the blueprint's own sign-in check answers (redirect or 401)
    endpoint = request.endpoint or ""
    rule = RULES.get(endpoint)
    api = endpoint.startswith("api.")
    if rule is None:
        return _refuse(api)
    if allowed(rule, user, endpoint) is False:
        return _refuse(api)
    return None


def init_app(app: Flask) -> None:
    """Run ``check`` after each guarded blueprint's own hooks (its sign-in check first)."""
    for name in GUARDED + GUARDED_API:
        app.before_request_funcs.setdefault(name, []).append(check)
