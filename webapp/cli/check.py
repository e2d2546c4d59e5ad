"""``talkcast check``: find rows without files, files without rows, and stale feeds."""

from __future__ import annotations

import click

from webapp import services
from webapp.cli.context import Context, pass_ctx
from webapp.db.engine import unit_of_work
from webapp.maintenance.check import DEFAULT_GRACE_SECONDS, find_problems, repair


@click.command("check")
@click.option("--repair", "fix", is_flag=True, help="Fix what can be fixed.")
@click.option(
    "--grace-hours",
    type=float,
    default=DEFAULT_GRACE_SECONDS / 3600,
    show_default=True,
    help="With --repair, unreferenced files younger than this are kept.",
)
@pass_ctx
def check_command(ctx: Context, fix: bool, grace_hours: float) -> None:
    """Check the catalogue against the media and feed files (exit 1 if problems remain).

    Finds rows naming missing files, stored files no row names, feeds older than their
    show, and feeds whose files are damaged. With --repair: interrupted uploads are moved
    into place, unreferenced files past the grace period deleted, feeds rebuilt; what
    cannot be fixed is said.
    """
    app = ctx.app
    storage, cache = services.storage(app), services.feed_cache(app)
    with unit_of_work(services.session_factory(app)) as session:
        findings = find_problems(session, storage, cache)
        if fix and findings:
            repair(
                findings, session, storage, cache,
                # Whatever the pointers say they were built from: they are what is in doubt.
                lambda ids: services.rebuild_feeds(app, ids, full=True), grace_hours * 3600,
            )  # fmt: skip
    for finding in findings:
        click.echo(finding.line())
    left = [f for f in findings if not f.fixed]
    if not findings:
        click.echo("no problems found")
    elif fix:
        click.echo(f"{len(findings) - len(left)} fixed, {len(left)} left")
    else:
        click.echo(f"{len(findings)} problems; `talkcast check --repair` fixes what it can")
    if left:
        raise SystemExit(1)
