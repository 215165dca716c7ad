"""Atomic JSON files: the TinyDB storage under every store file, and the atomic write it relies on."""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from tinydb.storages import Storage

from watcher.errors import StoreCorrupt, StoreError, StoreUnavailable

StatKey = tuple[int, int, int]


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable; filesystems that cannot fsync a directory are skipped."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_error(path: Path, err: OSError) -> StoreError:
    """A one-line StoreError for a failed write, saying what the user can do about it."""
    reason = err.strerror or str(err)
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "the disk is full; the previous store is intact, free some space and retry"
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "the data folder is read-only; choose another with --data-dir"
    else:
        hint = "the previous store is intact"
    whole = err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS)
    return (StoreUnavailable if whole else StoreError)(f"cannot write {path}: {reason} ({hint})")


def temp_path(path: Path) -> Path:
    """The temp file a write of `path` goes through; same folder, so the rename is atomic."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def atomic_write(path: Path, data: bytes, *, durable: bool = True, backup: Path | None = None) -> None:
    """Replace `path` by `data` so a reader or a crash sees the old file or the new one, never a mix.

    With `backup`, the file being replaced becomes the backup (a hard link, no copy), so the
    backup always holds the state one write before the current one and never shares its inode.
    """
    tmp = temp_path(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if backup is not None and path.exists():
            _refresh_backup(path, backup)
        os.replace(tmp, path)
    except OSError as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise write_error(path, err) from err
    if durable:
        fsync_dir(path.parent)


def _refresh_backup(path: Path, backup: Path) -> None:
    staged = temp_path(backup)
    try:
        os.unlink(staged)
    except FileNotFoundError:
        pass
    try:
        os.link(path, staged)
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        shutil.copyfile(path, staged)  # filesystems without hard links
    os.replace(staged, backup)


def stat_key(path: Path) -> StatKey | None:
    """What changes whenever the file is replaced; None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err.strerror or err}") from err
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class AtomicJSONFile(Storage):
    """A TinyDB storage: one JSON file, read with a change-detecting cache, written only in transactions.

    Outside a transaction `read()` re-parses the file only when its (inode, mtime, size) changed.
    Inside one (`begin()` ... `commit()`/`abort()`), the first read always re-parses under the
    writer lock (a stat key can repeat after inode reuse within one clock tick, and a writer must
    never build on stale data), later reads and writes use that working copy, and `commit()`
    writes it atomically. A file that does not parse raises StoreCorrupt and is never overwritten.
    """

    def __init__(
        self, path: Path, *, durable: bool = True, backup: Path | None = None, recovery: str | Callable[[], str] = ""
    ):
        self.path = Path(path)
        self.durable = durable
        self.backup = backup
        self.recovery = recovery
        self._cache: tuple[StatKey, dict[str, Any]] | None = None
        self._in_txn = False
        self._owner: int | None = None  # the thread whose transaction this is; others read the file
        self._work: dict[str, Any] | None = None
        self._dirty = False

    def read(self) -> dict[str, Any] | None:
        if self._in_txn and self._owner == threading.get_ident():
            if self._work is None:
                self._work = self._load_fresh()
            return self._work
        key = stat_key(self.path)
        if key is None:
            self._cache = None
            return None
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        data = self._parse(self._read_bytes())
        self._cache = (key, data)
        return data

    def write(self, data: dict[str, Any]) -> None:
        if not self._in_txn or self._owner != threading.get_ident():
            raise RuntimeError(f"write to {self.path} outside a store transaction")
        self._work = data
        self._dirty = True

    def begin(self) -> None:
        """Start a transaction; the caller holds the writer lock."""
        self._in_txn, self._work, self._dirty = True, None, False
        self._owner = threading.get_ident()

    def commit(self) -> None:
        """Write the working copy if it changed, atomically, and end the transaction."""
        try:
            if self._dirty and self._work is not None:
                payload = json.dumps(self._work, ensure_ascii=True, separators=(",", ":")).encode("ascii")
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(self.path, payload, durable=self.durable, backup=self.backup)
                key = stat_key(self.path)
                self._cache = (key, self._work) if key else None
        except BaseException:
            self._cache = None
            raise
        finally:
            self._in_txn, self._work, self._dirty = False, None, False

    def abort(self) -> None:
        """Drop the working copy; TinyDB mutates it in place, so the read cache is dropped too."""
        if self._dirty:
            self._cache = None
        self._in_txn, self._work, self._dirty = False, None, False

    def close(self) -> None:
        self._cache = None

    def _load_fresh(self) -> dict[str, Any]:
        try:
            raw = self._read_bytes()
        except FileNotFoundError:
            return {}
        return self._parse(raw)

    def _read_bytes(self) -> bytes:
        try:
            with open(self.path, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            raise
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror or err}") from err

    def _parse(self, raw: bytes) -> dict[str, Any]:
        return parse_tables(raw, self.path, lambda: self.recovery() if callable(self.recovery) else self.recovery)


def parse_tables(raw: bytes, path: Path, advice: Callable[[], str | None]) -> dict[str, Any]:
    """A TinyDB file's tables, or StoreCorrupt naming the file, what is wrong and `advice()` (asked only then)."""
    problem = None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        problem = "the file is empty" if not raw.strip() else f"{err.msg} at line {err.lineno} column {err.colno}"
    except (ValueError, UnicodeDecodeError) as err:
        problem = str(err).split("\n", 1)[0]
    except RecursionError:
        problem = "nested too deeply to read"
    else:
        if not (isinstance(data, dict) and all(isinstance(t, dict) for t in data.values())):
            problem = "not a TinyDB document"
    if problem is not None:
        raise StoreCorrupt(f"{path} is not valid JSON ({problem}); {advice() or 'move it aside to continue'}")
    return cast(dict[str, Any], data)
