"""`watcher worker`: one of any number of processes sharing a PostgreSQL store's checks (README, "Scaling out")."""

from __future__ import annotations

import asyncio
import signal

import click

from watcher.app.commands import json_option, seconds_option
from watcher.app.context import App, pass_app
from watcher.errors import BadInput


@click.command()
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=4, show_default=True, help="Checks at once.")
@seconds_option(
    "--sweep-every",
    0.2,
    3600,
    10.0,
    "Seconds between looks for due articles (checks of stopped workers are looked for every heartbeat).",
)
@seconds_option(
    "--stalled-after",
    1,
    86400,
    10.0,
    "Seconds without a heartbeat after which a worker is taken for dead and its checks are retried.",
)
@json_option("One JSON object per check on stdout.")
@pass_app
def worker(app: App, concurrency: int, sweep_every: float, stalled_after: float, as_json: bool) -> None:
    """Take due checks and feed polls from the shared PostgreSQL store until stopped (Ctrl-C or SIGTERM)."""
    from watcher.app.live import log_line, worth_logging
    from watcher.monitor.worker import WorkerSettings, run_worker

    store = app.store()
    if store.shared_url is None:
        raise BadInput(
            "`watcher worker` needs the PostgreSQL store: pass --store postgresql://... (README, Scaling out)"
        )
    settings = WorkerSettings(
        concurrency=concurrency,
        sweep_every=sweep_every,
        heartbeat=max(0.5, min(5.0, stalled_after / 4)),
        stalled_timeout=stalled_after,
    )
    from watcher.notify.notifier import notify_result

    notifier = app.runtime.notifier(app.env.info)
    copier = app.runtime.copier(app.env.info)

    def on_result(result) -> None:
        if copier is not None:
            copier.submit(result)
        notify_result(notifier, store, result)
        if as_json:
            app.env.print_json(result.to_json())
        elif worth_logging(result):
            app.env.out.print(log_line(result), soft_wrap=True)

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with app.fetcher() as fetcher:
            svc = app.services(fetcher)
            await run_worker(
                svc,
                store_dsn(store),
                settings,
                poll_feed=lambda url: poll_feed(svc, url),
                on_result=on_result,
                stop=stop,
                say=app.env.info,
            )

    try:
        asyncio.run(go())
    finally:
        if notifier is not None:
            notifier.close(timeout=2.0)
        if copier is not None:
            copier.close(timeout=0)  # the rest stays in the shared outbox for a worker that runs on


def store_dsn(store) -> str:
    """The connection URL the queue shares with the store."""
    return store.shared_url


async def poll_feed(svc, url: str) -> str:
    """One poll of a followed feed by this worker: watch what it lists that is new, schedule the next poll."""
    from watcher.monitor.loop import feed_links, poll_download, poll_limit, poll_once

    now = svc.clock()
    feed = next((f for f in svc.store.list_feeds() if f.url == url), None)
    if feed is None:
        return "gone"
    if feed.next_poll is not None and feed.next_poll > now:
        return "not due"

    def read(feed_url: str):
        return asyncio.wait_for(
            asyncio.to_thread(feed_links, lambda u: poll_download(svc, u), feed_url), poll_limit(svc)
        )

    await poll_once(svc, feed, now, read)
    return feed.last_status or "ok"


COMMANDS = [worker]
