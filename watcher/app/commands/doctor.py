"""watcher doctor: check the store's files, say what is damaged, and with --repair make it consistent."""

from __future__ import annotations

import sys

import click

from watcher.app.commands import json_option
from watcher.app.context import App, pass_app
from watcher.errors import ExitStatus


@click.command()
@click.option("--repair", is_flag=True, help="Set damaged files aside, rebuild lost text from raw HTML, fix counters.")
@json_option()
@pass_app
def doctor(app: App, repair: bool, as_json: bool) -> None:
    """Check every file of the store: what is damaged, and which versions it affects (exit 1 while damage remains)."""
    from watcher.extract import extract as extract_article

    store = app.store(write=repair)
    findings = store.examine(repair=repair, extract=lambda html, url: extract_article(html, url, app.config.sites))
    remaining = [f for f in findings if not f.repaired]
    if as_json:
        app.env.print_json(
            [{"where": f.where, "problem": f.problem, "remedy": f.remedy, "repaired": f.repaired} for f in findings]
        )
    else:
        for f in findings:
            if f.repaired:
                tail = f"repaired: {f.remedy}"
            elif f.remedy is None:
                tail = "cannot be repaired"
            else:
                tail = f"--repair would: {f.remedy}"
            app.env.out.print(f"{f.where}: {f.problem}; {tail}", markup=False, highlight=False, soft_wrap=True)
        if not findings:
            app.env.info(f"the store in {store.location} is intact")
        elif remaining and any(f.remedy for f in remaining):
            app.env.info(f"{len(findings)} problem(s); run `watcher doctor --repair` to repair what can be repaired")
        else:
            repaired = len(findings) - len(remaining)
            app.env.info(f"{len(findings)} problem(s), {repaired} repaired; the store is consistent")
    if remaining:
        sys.exit(ExitStatus.CHECK_FAILED)


COMMANDS = [doctor]
