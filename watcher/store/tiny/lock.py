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
    """An exclusive flock held for the length of one write transaction, taken in turns.

    flock is not fair: a process that writes back to back (an `add` of many URLs, a long `run`)
    would re-take the lock before a waiting `check` ever saw it free, and the check would give up
    and lose its result. So waiters hold a shared flock on a second file while they wait, and a
    writer that has just released steps aside while anyone is waiting, until its turn comes again.
    """

    STEP_ASIDE = 0.5  # seconds a writer that has just released waits for a waiter to go first

    def __init__(self, path: Path, timeout: float = 30.0):
        self.path = Path(path)
        self.timeout = timeout
        self.queue_path = self.path.with_name(self.path.stem + ".queue.lock")
        self._fd: int | None = None
        self._released_at = 0.0

    def acquire(self) -> None:
        """Wait up to `timeout` seconds for the lock, then give up with StoreLocked."""
        deadline = time.monotonic() + self.timeout
        if time.monotonic() - self._released_at < self.STEP_ASIDE:
            self._let_waiters_go_first()
        fd = _open_lock_file(self.path)
        if self._try(fd):
            return
        queue = _open_lock_file(self.queue_path)
        try:
            fcntl.flock(queue, fcntl.LOCK_SH)  # "someone is waiting", seen by writers that just released
            pause = 0.001
            while not self._try(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreLocked(
                        f"the store in {self.path.parent} is busy: another watcher process kept it locked "
                        f"for {self.timeout:g}s; try again"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.01)
        finally:
            os.close(queue)  # closing drops the shared flock

    def _try(self, fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._fd = fd
        return True

    def _let_waiters_go_first(self) -> None:
        probe = _open_lock_file(self.queue_path)
        try:
            until = time.monotonic() + self.STEP_ASIDE
            while time.monotonic() < until:
                try:
                    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    time.sleep(0.002)  # a waiter holds the queue: give it the turn
                    continue
                fcntl.flock(probe, fcntl.LOCK_UN)
                # Nobody queued, or the waiter has been let in and left the queue.
                return
        finally:
            os.close(probe)

    def release(self) -> None:
        """Let the next writer in."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
                self._released_at = time.monotonic()


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

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
