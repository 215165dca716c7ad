"""`watcher serve`: the web view, its Atom feeds and HTTP API, on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import click

from watcher.app.commands import lang_option
from watcher.app.context import App, pass_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0: any free one).")
@click.option(
    "--read-only",
    is_flag=True,
    help="No write actions even with a token (needed to listen beyond this machine without a token).",
)
@lang_option(
    "auto",
    "Labels: auto (the reader's browser language for the page, each story's own for its edits, as reports do), "
    "en or zh-Hant.",
)
@click.option("--access-log", is_flag=True, help="Log every request (paths only; tokens are never in them).")
@pass_app
def serve(app: App, host: str, port: int, read_only: bool, lang: str, access_log: bool) -> None:
    """Serve the web view: the article list, timelines, diffs at permalinks, Atom feeds and the API under /api/.

    Read-only unless a token is set (WATCHER_SERVE_TOKEN or [serve] token); it reads the store as it is
    written, so run it beside `watcher run` or against a PostgreSQL store from another machine.
    """
    import os
    import socket

    from watcher.app.web.parts import web_parts
    from watcher.app.web.security import Guard, check_binding, configured_token, is_loopback
    from watcher.errors import BadInput

    token = configured_token(os.environ, app.config.serve.token)
    check_binding(host, token, read_only)
    parts = web_parts(app)
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)  # connections made as soon as the URL is printed wait instead of being refused
    except (OSError, OverflowError) as exc:
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    import uvicorn

    from watcher.app.web.server import build_app
    from watcher.app.web.site import Site

    site = Site(
        parts,
        Guard(None if read_only else token),
        lang_mode=lang,
        read_only=read_only,
        zone=app.zone,
        loopback_only=is_loopback(host),
    )
    # Read and order the watch list before saying we are up, so the first page is quick.
    site.index.latest().order("changed")
    for name in site.env.list_templates():
        site.env.get_template(name)  # compiled now, not by the first reader
    config = uvicorn.Config(
        build_app(site), log_level="warning", access_log=access_log, server_header=False, lifespan="off"
    )
    config.load()  # the protocol and app loaded now, so the first reader does not wait for them
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    mode = "read-only" if read_only or token is None else "writes need the token"
    # The URL on stdout, alone on its line, for people and for scripts that start a server and read where it is.
    app.env.stdout.write(f"http://{shown}:{bound}/\n")
    app.env.stdout.flush()
    app.env.info(f"serving {parts.store.location} ({mode}); Ctrl-C stops")
    uvicorn.Server(config).run(sockets=[sock])


COMMANDS = [serve]
