"""While the app runs, log records and asyncio's complaints become messages inside it, not text over it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

# Futures left behind by a check cancelled on quit: the browser fails them as it closes. Expected, not news.
_EXPECTED = ("Future exception was never retrieved", "Task exception was never retrieved", "Task was destroyed")


class AppLogHandler(logging.Handler):
    """Warnings and errors from any library, shown as the app's notifications."""

    def __init__(self, app: Any) -> None:
        super().__init__(level=logging.WARNING)
        self.app = app

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a bad format string must not break the app
            text = str(record.msg)
        self.app.message(text, "error" if record.levelno >= logging.ERROR else "warning")


def quiet_loop_errors(loop: asyncio.AbstractEventLoop, app: Any) -> None:
    """asyncio's default handler prints to stderr, over the screen; send what is unexpected to the app instead."""

    def handle(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if message.startswith(_EXPECTED):
            return
        exc = context.get("exception")
        app.message(f"{message}: {exc}" if exc else message, "error")

    loop.set_exception_handler(handle)
