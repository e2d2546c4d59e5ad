"""The ``talkcast`` command: the group here, one module per command group beside it.

Command modules define their commands on their own and never import this module; it
adds them to ``main``, so there is no import circle.
"""

from __future__ import annotations

import getpass
from typing import Any

import click

from webapp.catalog.audit import ACTOR
from webapp.cli import backup, check, database, feeds, jobs, shows, site, sources, users
from webapp.cli.context import Context


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Talkcast: publish podcast and video feeds of talks and collections.

    Configuration comes from config.toml and TALKCAST_* environment variables.
    """
    ctx.ensure_object(Context)
    ACTOR.set(f"command line ({getpass.getuser()})")


for command in (
    site.init,
    site.demo,
    site.serve,
    feeds.feeds,
    shows.shows,
    database.db,
    sources.sources,
    jobs.jobs_group,
    jobs.scheduler_command,
    users.users,
    backup.backup_command,
    backup.restore_command,
    check.check_command,
):
    main.add_command(command)


def run(argv: list[str] | None = None) -> Any:
    """Entry point usable from tests."""
    return main.main(args=argv, standalone_mode=False)
