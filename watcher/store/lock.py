"""Cross-process locks on lock files: the short writer lock and the long `watcher run` lock."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

from watcher.errors import StoreError, StoreLocked


def _open_lock_file(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        hint = (
            " (the data folder is read-only; choose another with --data-dir)"
            if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
            else ""
        )
        raise StoreError(f"cannot open {path}: {err.strerror or err}{hint}") from err


class WriteLock:
    """An exclusive flock held for the length of one write transaction."""

    def __init__(self, path: Path, timeout: float = 10.0):
        self.path = Path(path)
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        """Wait up to `timeout` seconds for the lock, then give up with StoreLocked."""
        fd = _open_lock_file(self.path)
        deadline = time.monotonic() + self.timeout
        pause = 0.002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreLocked(
                        f"the store in {self.path.parent} is busy: another watcher process kept it locked "
                        f"for {self.timeout:g}s; try again"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.05)

    def release(self) -> None:
        """Let the next writer in."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


class RunLock:
    """A non-blocking flock that marks one `watcher run` per data folder; holds the owner's pid."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        fd = _open_lock_file(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            finally:
                os.close(fd)
            raise StoreLocked(f"another `watcher run` (pid {owner}) is using {self.path.parent}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
