"""Per-site browser states for stories behind a login: cookies and storage imported (cookies.txt, a Playwright
storage state) or captured, kept 0600 in a 0700 folder of the data folder, handed only to that site's checks.

Not encrypted: watcher runs unattended, so a key would have to sit on the same disk as the states (or
be typed at every run), which adds little against anyone who can read the data folder as the user.
What protects a state is the file mode, the folder it lives in, and never copying it: its cookies
are never printed, logged, reported or written into WARC files (fetchers drop the site's Set-Cookie
headers from what they keep, and WARC request records carry no Cookie header).
"""

from __future__ import annotations

import json
import math
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from watcher.errors import BadInput
from watcher.models import Snapshot
from watcher.urls import on_domain

FOLDER = "logins"
# Response headers a fetcher drops from what it keeps of a page fetched with a login state.
COOKIE_HEADERS = frozenset({"set-cookie", "set-cookie2"})
_SAME_SITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
# The latest expiry a cookie may name (the end of year 9999): past it a date cannot be shown or loaded.
_LAST_EXPIRY = 253402300799.0


def site_name(text: str) -> str:
    """The site a state is for, from what the user typed: a host name (`nytimes.com`), host:port, or a URL."""
    raw = text.strip()
    if not raw:
        raise BadInput("name a site, e.g. `watcher login nytimes.com --import cookies.txt`")
    try:
        parts = urlsplit(raw if "://" in raw else f"http://{raw}")
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port
    except ValueError:  # an unclosed "[" or a port that is not a number
        host, port = "", None
    # Control, format (bidi) and space characters are in no host name; kept, they would be printed by --list.
    if not host or any(c in host for c in "/\\ ") or not host.isprintable() or parts.username:
        raise BadInput(f"{raw!r} is not a site name (a host such as nytimes.com, or a URL on it)")
    return f"{host}:{port}" if port else host


def _host_port(site: str) -> tuple[str, int | None]:
    host, sep, port = site.rpartition(":")
    if sep and port.isdigit() and not host.endswith("]"):
        return host, int(port)
    return site, None


def covers(site: str, url: str) -> bool:
    """Whether `url` is on `site` (the host itself or one under it; the port too when the site names one)."""
    host, port = _host_port(site)
    parts = urlsplit(url)
    try:
        url_host = (parts.hostname or "").rstrip(".").lower()
        url_port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return False
    if port is not None and url_port != port:
        return False
    return on_domain(url_host, host)


def _domain_matches(domain: str, host: str) -> bool:
    """RFC 6265 domain matching, both ways: a cookie of the site's parent domain or of a host under it."""
    domain = domain.lstrip(".").lower()
    return bool(domain) and (on_domain(host, domain) or on_domain(domain, host))


def path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 section 5.1.4: a cookie for /account goes to /account and /account/..., never to /accounts."""
    request_path = request_path if request_path.startswith("/") else "/"
    if request_path == cookie_path:
        return True
    return request_path.startswith(cookie_path) and (cookie_path.endswith("/") or request_path[len(cookie_path)] == "/")


def read_cookies_txt(text: str) -> list[dict[str, Any]]:
    """Cookies from a Netscape cookies.txt (curl, wget, browser extensions) as Playwright cookies."""
    cookies: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        http_only = False
        if line.startswith("#HttpOnly_"):
            http_only, line = True, line[len("#HttpOnly_") :]
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) != 7:
            raise BadInput(f"line {number} of the cookies file is not a cookies.txt line (7 tab-separated fields)")
        domain, subdomains, path, secure, expires, name, value = fields
        if subdomains.upper() == "TRUE" and not domain.startswith("."):
            domain = "." + domain  # for the hosts under it too: a browser given no dot keeps it to the host alone
        try:
            expiry = float(expires)
        except ValueError:
            expiry = math.nan
        if not _usable_expiry(expiry):
            raise BadInput(f"line {number} of the cookies file: expiry {expires!r} is not a number") from None
        cookies.append(
            {
                "name": name,
                "value": value,
                "domain": domain,
                "path": path or "/",
                "expires": expiry if expiry > 0 else -1,
                "httpOnly": http_only,
                "secure": secure.upper() == "TRUE",
                "sameSite": "Lax",
            }
        )
    return cookies


def _usable_expiry(expiry: float) -> bool:
    """A session cookie's (0 or less: the browser's -1) or a time a browser can load and `--list` can show."""
    return math.isfinite(expiry) and expiry <= _LAST_EXPIRY


def read_state_file(path: Path) -> tuple[dict[str, Any], str]:
    """A browser state from a file: a Playwright storage state (JSON) or a Netscape cookies.txt; and its kind."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror if isinstance(exc, OSError) else 'not text'}") from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
        cookies, origins = data.get("cookies"), data.get("origins", [])
        if not isinstance(cookies, list) or not isinstance(origins, list):
            raise BadInput(f'{path} is JSON but not a Playwright storage state (no "cookies" list)')
        for cookie in cookies:
            if not isinstance(cookie, dict) or not {"name", "value", "domain"} <= cookie.keys():
                raise BadInput(f"{path}: a cookie without a name, value and domain")
            if not all(isinstance(cookie[k], str) for k in ("name", "value", "domain")):
                raise BadInput(f"{path}: a cookie whose name, value or domain is not text")
            cookie.setdefault("path", "/")
            cookie.setdefault("expires", -1)
            expires = cookie["expires"]
            if isinstance(expires, bool) or not isinstance(expires, int | float) or not _usable_expiry(expires):
                raise BadInput(f"{path}: cookie {cookie['name']!r} has an expiry that is not a time ({expires!r})")
            if not isinstance(cookie["path"], str):
                raise BadInput(f"{path}: cookie {cookie['name']!r} has a path that is not text")
            if not isinstance(cookie.get("httpOnly", False), bool) or not isinstance(cookie.get("secure", False), bool):
                raise BadInput(f"{path}: cookie {cookie['name']!r} has httpOnly or secure that is not true or false")
            cookie.setdefault("httpOnly", False)
            cookie.setdefault("secure", False)
            cookie["sameSite"] = _SAME_SITE.get(str(cookie.get("sameSite", "Lax")).lower(), "Lax")
        kept = [o for o in origins if isinstance(o, dict)]
        for o in kept:
            items = o.setdefault("localStorage", [])
            if not isinstance(o.get("origin"), str) or not isinstance(items, list):
                raise BadInput(f'{path}: an origin\'s storage without an "origin" and a "localStorage" list')
            if not all(
                isinstance(i, dict) and isinstance(i.get("name"), str) and isinstance(i.get("value"), str)
                for i in items
            ):
                raise BadInput(f"{path}: a localStorage item of {o['origin']!r} whose name or value is not text")
        return {"cookies": cookies, "origins": kept}, "storage state"
    return {"cookies": read_cookies_txt(text), "origins": []}, "cookies.txt"


def for_site(state: dict[str, Any], site: str) -> tuple[dict[str, Any], int]:
    """The part of a state that belongs to `site` (a browser's whole export holds every site's cookies),
    and how many cookies were left out."""
    host, _ = _host_port(site)
    kept = [c for c in state.get("cookies", []) if _domain_matches(str(c.get("domain", "")), host)]
    origins = [o for o in state.get("origins", []) if covers(site, str(o.get("origin", "")))]
    return {"cookies": kept, "origins": origins}, len(state.get("cookies", [])) - len(kept)


@dataclass
class StoredLogin:
    """One site's saved state, as `watcher login --list` describes it (never its values)."""

    site: str
    source: str
    saved_at: float
    cookies: int
    origins: int
    expires: float | None  # the earliest expiry among its cookies that have one

    def to_json(self) -> dict[str, Any]:
        from datetime import UTC, datetime

        from watcher.times import iso

        return {
            "site": self.site,
            "source": self.source,
            "saved_at": iso(datetime.fromtimestamp(self.saved_at, UTC)),
            "cookies": self.cookies,
            "origins": self.origins,
            "expires": iso(datetime.fromtimestamp(self.expires, UTC)) if self.expires else None,
        }


class LoginStates:
    """The saved states in a data folder's `logins/` folder (0700), one 0600 file per site."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}

    def _path(self, site: str) -> Path:
        return self.folder / (site.replace(":", "_") + ".json")

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            info = path.stat()
        except OSError:
            return None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            os.chmod(path, 0o600)  # copied in with a wider mode: narrowed before it is used
        cached = self._cache.get(str(path))
        if cached is not None and cached[0] == info.st_mtime:
            return cached[1]
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        self._cache[str(path)] = (info.st_mtime, doc)
        return doc

    def sites(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(doc["site"] for p in self.folder.glob("*.json") if (doc := self._read(p)) and "site" in doc)

    def site_for(self, url: str) -> str | None:
        """The saved site that covers `url` (the most specific one), or None: the check starts fresh."""
        if not self.folder.is_dir():
            return None
        matching = [s for s in self.sites() if covers(s, url)]
        return max(matching, key=len) if matching else None

    def state_for(self, url: str) -> dict[str, Any] | None:
        """A Playwright storage state for a check of `url`, or None when no login is saved for its site."""
        site = self.site_for(url)
        doc = self._read(self._path(site)) if site else None
        return doc["state"] if doc else None

    def cookie_header(self, url: str) -> str | None:
        """The Cookie header a browser would send to `url` from the saved state of its site, or None."""
        state = self.state_for(url)
        if not state:
            return None
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        now = time.time()
        pairs = []
        for c in state.get("cookies", []):
            raw_domain = str(c.get("domain", "")).lower()
            domain = raw_domain.lstrip(".")
            # Without a leading dot a cookie is host-only (Playwright's form, RFC 6265 5.3 step 6): Chromium sends
            # it to that host alone, and so does this header.
            if not (on_domain(host, domain) if raw_domain.startswith(".") else host == domain):
                continue
            if c.get("secure") and parts.scheme.lower() != "https":
                continue
            if not path_matches(parts.path, str(c.get("path") or "/")):
                continue
            if 0 < float(c.get("expires", -1)) < now:
                continue
            pairs.append(f"{c['name']}={c['value']}")
        return "; ".join(pairs) or None

    def save(self, site: str, state: dict[str, Any], source: str) -> StoredLogin:
        """Keep `state` for `site` (replacing an earlier one), readable by the user alone."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        doc = {"site": site, "source": source, "saved_at": time.time(), "state": state}
        path = self._path(site)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
        return self._describe(doc)

    def forget(self, site: str) -> bool:
        path = self._path(site)
        if not path.exists():
            return False
        path.unlink()
        self._cache.pop(str(path), None)
        return True

    def list(self) -> list[StoredLogin]:
        return [self._describe(doc) for s in self.sites() if (doc := self._read(self._path(s)))]

    def _describe(self, doc: dict[str, Any]) -> StoredLogin:
        cookies = doc["state"].get("cookies", [])
        expiries = [float(c["expires"]) for c in cookies if float(c.get("expires", -1)) > 0]
        return StoredLogin(
            site=doc["site"],
            source=doc.get("source", ""),
            saved_at=float(doc.get("saved_at", 0)),
            cookies=len(cookies),
            origins=len(doc["state"].get("origins", [])),
            expires=min(expiries) if expiries else None,
        )


def without_cookies(snapshot: Snapshot) -> Snapshot:
    """A snapshot fetched with a login state, without the Set-Cookie headers the site answered with (they
    would carry the session into stored pages, WARC and WACZ files)."""
    snapshot.headers = [(k, v) for k, v in snapshot.headers if k.lower() not in COOKIE_HEADERS]
    return snapshot
