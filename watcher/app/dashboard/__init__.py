"""The interactive terminal dashboard (Textual): `watcher dashboard` and `watcher run --dashboard`."""

from __future__ import annotations

from typing import Any


def run_dashboard(app: Any, *, run_checks: bool, max_checks: int | None = None) -> None:
    """Open the dashboard over the CLI app's store; returns when the user quits."""
    from watcher.app.dashboard.app import DashboardApp

    DashboardApp(
        app.store(write=run_checks),
        config=app.config,
        fetcher_factory=app.fetcher,
        run_checks=run_checks,
        max_checks=max_checks,
        tz=app.zone,
        runtime=app.runtime,
    ).run()


async def run_dashboard_with(svc: Any, *, max_checks: int | None = None, until: Any = None) -> Any:
    """The dashboard running checks with a caller's services (the demo's newsroom), in the caller's loop."""
    from watcher.app.dashboard.app import DashboardApp
    from watcher.monitor.loop import RunStats

    app = DashboardApp(
        svc.store, config=svc.config, clock=svc.clock, services=svc, run_checks=True, max_checks=max_checks, until=until
    )
    await app.run_async()
    return app.runner.stats if app.runner is not None else RunStats()
