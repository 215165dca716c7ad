"""Settings as dataclasses, and the strict TOML loader that fills them."""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from watcher.errors import BadInput, ConfigError
from watcher.models import CLASS_RANK
from watcher.notify.digest import check_template, parse_window
from watcher.times import MAX_DURATION as MAX_DURATION  # spans of time are times.py's; callers may import them here
from watcher.times import DurationTooLong as DurationTooLong
from watcher.times import duration_seconds, zone
from watcher.times import parse_duration as parse_duration

log = logging.getLogger(__name__)

FETCH_MODES = ("auto", "browser", "http")  # [fetch] mode, [[sites]] mode, `watcher add --mode`
# [[notify]] when: what must have changed for a target to be told (notify/rules.py).
ALERT_WHEN = ("numbers", "names", "quotes", "attribution", "negations", "dates", "links", "headline", "correction")


@dataclass
class SiteRule:
    """CSS selectors that override generic extraction for one domain (and its subdomains)."""

    domain: str
    headline: str | None = None
    dek: str | None = None
    byline: str | None = None
    body: str | None = None
    captions: str | None = None
    exclude: list[str] = field(default_factory=list)
    ignore_text: list[str] = field(default_factory=list)  # regexes cut out of the text before comparison
    robots: bool = True  # false: ignore this site's robots.txt (the user's responsibility)
    proxy: str | None = None  # http://, https:// or socks5:// proxy for this site (overrides [fetch] proxy)
    mode: str | None = None  # "auto" | "browser" | "http" for this site (overrides [fetch] mode)
    copies: bool | None = None  # third-party copies of this site's versions ([copies]); None: [copies] every_site
    screenshots: bool | None = None  # a screenshot per stored version for this site (unset: [archive] screenshots)


@dataclass
class FetchSettings:
    """How pages are fetched, by any fetcher (politeness, retries, limits)."""

    nav_timeout: float = 20.0  # seconds for one navigation
    deadline: float = 45.0  # seconds for a whole check, retries included
    retries: int = 2  # extra attempts on network errors, 5xx and 429
    backoff: float = 1.0  # first retry delay in seconds, doubled each time
    per_host_delay: float = 1.0  # minimum seconds between two requests to one host
    concurrency: int = 4  # pages fetched at once
    max_bytes: int = 15_000_000  # HTML size cap (the document as received, and as rendered)
    max_redirects: int = 10
    user_agent: str | None = None  # replaces the User-Agent of every request (default: see fetch/base.py)
    contact: str | None = None  # a URL or address site owners can reach you at, put in the User-Agent
    proxy: str | None = None  # http://, https:// or socks5:// [user:password@]host:port for every request
    # Filled from [[sites]] proxy by the loader (domain -> proxy), so a fetcher needs only its settings.
    site_proxies: dict[str, str] = field(default_factory=dict)
    allow_private: bool = False  # fetch loopback, private and link-local addresses too (see fetch/addresses.py)
    robots: bool = True  # honour robots.txt (Disallow refuses a URL, Crawl-delay widens per_host_delay)


@dataclass
class BrowserSettings(FetchSettings):
    """[fetch] as a whole: the general settings plus those only the Chromium fetcher uses."""

    settle_ms: int = 500  # longest wait after load for script-inserted content (ends once the page is still)
    block_resources: list[str] = field(default_factory=lambda: ["image", "media", "font"])
    # "auto": ask the server first (conditional GET, raw HTML) and render only when that cannot tell the
    # check is unchanged; "browser": render every check; "http": raw HTML only, never a browser.
    mode: str = "auto"
    # auto mode: an article learned static is rendered at least once in this span (README, "Fast checks", says
    # why a day), and at its next check after a version stored from its raw HTML.
    audit_max_age: float = 86400.0
    browser_idle: float = 300.0  # seconds without a render after which the browser is shut down (0: never)


@dataclass
class Tier:
    """Check every `every` seconds while the article is younger than `until` seconds."""

    until: int
    every: int


@dataclass
class ScheduleSettings:
    """When articles are checked."""

    tiers: list[Tier] = field(
        default_factory=lambda: [
            Tier(until=3 * 3600, every=600),
            Tier(until=2 * 86400, every=3600),
            Tier(until=7 * 86400, every=6 * 3600),
            Tier(until=30 * 86400, every=86400),
        ]
    )
    jitter: float = 0.1  # fraction of the interval added or removed at random
    error_backoff: int = 300  # first retry delay after a failure, doubled per failure
    max_error_backoff: int = 6 * 3600


@dataclass
class TrustSettings:
    """Defences against alerts that are not edits."""

    revert_window: int = 5  # content equal to one of the last N versions is a revert, not an edit
    confirm_delay: float = 5.0  # seconds before re-fetching a substantive change to confirm it
    check_log_size: int = 50  # recent checks kept per article


@dataclass
class DisplaySettings:
    """How the terminal shows things to people (JSON output is never affected)."""

    tz: str | None = None  # time zone for times shown, e.g. "Asia/Taipei"; unset: TZ, else the machine's zone


@dataclass
class FeedSettings:
    """Following feeds."""

    max_new_per_poll: int = 50
    default_every: int = 600
    # Hosts besides the feed's own site whose links a feed may add (e.g. a CDN-hosted feed of site links).
    allow_hosts: list[str] = field(default_factory=list)


@dataclass
class NotifyTarget:
    """Where edits are announced, and which ones."""

    url: str  # http(s):// for a JSON webhook, anything else is an Apprise URL
    min_class: str = "substantive"
    flags: list[str] = field(default_factory=list)  # only versions with one of these flags, if set
    tags: list[str] = field(default_factory=list)  # only articles with one of these tags, if set
    retries: int = 3
    timeout: float = 10.0
    digest: str | None = None  # "1h", "30m" or "daily 07:30": one message per window instead of one per edit
    title: str | None = None  # Apprise targets: a template for the title, e.g. "{status}: {headline}"
    body: str | None = None  # Apprise targets: a template for the text, fields of the JSON contract
    # Alert rules (README, "Alert rules"): when any is set, a change is sent only if one of them holds.
    when: list[str] = field(default_factory=list)  # facts that must have changed: numbers, names, quotes, ...
    keywords: list[str] = field(default_factory=list)  # a word, or /a regex/, that appears or disappears
    min_words: int = 0  # at least this many words changed (added plus removed)
    sites: list[str] = field(default_factory=list)  # only articles on these domains (and their subdomains)
    # Send the version's screenshot with the notification (README, "Evidence"): a webhook gets it base64 in
    # "screenshot"."data", an Apprise target as an attachment (mail, chat services that take files).
    attach_screenshot: bool = False


@dataclass
class ArchiveSettings:
    """Evidence kept as it is captured."""

    warc: bool = False  # append every new version to a monthly WARC (watcher-YYYY-MM.warc.gz) as it is stored
    folder: str | None = None  # where those WARCs go (default: DATA_DIR/warc)
    # A full-page screenshot of the render each stored version was read from (README, "Evidence"): kept as a
    # JPEG blob beside the raw HTML and pruned with it; [[sites]] screenshots turns it on or off per site.
    screenshots: bool = False
    screenshot_max_height: int = 12000  # pixels: a taller page is cut here (the picture says so)
    screenshot_max_bytes: int = 1_500_000  # a bigger image is taken again at lower quality, then shorter
    screenshot_quality: int = 70  # JPEG quality, 30..95


@dataclass
class CopiesSettings:
    """Third-party copies (watcher/copies.py): each stored version's URL submitted to the Internet Archive's Save
    Page Now and to archive.today, off the check's path. Off unless a service is turned on."""

    wayback: bool = False  # Save Page Now 2 (needs an archive.org key: see wayback_key_env)
    archive_today: bool = False
    every_site: bool = True  # false: only sites whose [[sites]] entry says copies = true
    wayback_key_env: str = "WATCHER_WAYBACK_KEY"  # the environment variable holding "accesskey:secret"
    wayback_url: str = "https://web.archive.org"
    archive_today_url: str = "https://archive.ph"
    gap: float = 10.0  # seconds between two submissions to one service (both limit their users' rate)
    timeout: float = 60.0  # seconds for one request to a service
    wait: float = 300.0  # how long a Save Page Now capture is waited for before it is asked about again later
    attempts: int = 6  # tries per version and service, across runs, before it is recorded as failed
    backoff: float = 30.0  # seconds before the second try (doubled for each further one, within a run)


@dataclass
class StoreSettings:
    """Where the store is when it is not the data folder (--store and WATCHER_STORE win over this)."""

    url: str | None = None  # postgresql://user:password@host/db shared by `watcher worker`s


@dataclass
class SummarySettings:
    """An optional summary of each change written by a language model the user runs (README, "Machine-written
    summaries"): an OpenAI-compatible endpoint (llama.cpp's server, Ollama, vLLM, a hosted API). Off when no url."""

    llm_url: str | None = None  # e.g. http://127.0.0.1:8080/v1 (the path before /chat/completions)
    llm_model: str = ""
    llm_key_env: str | None = None  # the environment variable holding an API key, when the endpoint wants one
    llm_timeout: float = 30.0  # seconds for one answer; a slow endpoint never holds up a check
    llm_max_chars: int = 6000  # the most of the change's text sent in one prompt


@dataclass
class ServeSettings:
    """`watcher serve`, the web view (WATCHER_SERVE_TOKEN wins over this)."""

    # The secret that unlocks write actions (add, check now, pause/resume, remove); unset: the view is read-only.
    token: str | None = None


@dataclass
class Config:
    """Everything configurable, with defaults that work with no config file."""

    fetch: BrowserSettings = field(default_factory=BrowserSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    trust: TrustSettings = field(default_factory=TrustSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    sites: list[SiteRule] = field(default_factory=list)
    notify: list[NotifyTarget] = field(default_factory=list)
    store: StoreSettings = field(default_factory=StoreSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    summary: SummarySettings = field(default_factory=SummarySettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    copies: CopiesSettings = field(default_factory=CopiesSettings)


# --- the strict TOML loader -------------------------------------------------------------------------

# Settings that are spans of time: they accept "90s", "10m", "2h", "1d", "1w" as well as seconds.
_DURATIONS = {
    "fetch": {"nav_timeout", "deadline", "backoff", "per_host_delay", "audit_max_age", "browser_idle"},
    "schedule": {"error_backoff", "max_error_backoff"},
    "schedule.tiers": {"until", "every"},
    "trust": {"confirm_delay"},
    "feeds": {"default_every"},
    "notify": {"timeout"},
    "summary": {"llm_timeout"},
    "copies": {"gap", "timeout", "wait", "backoff"},
}


def load_config(path: Path | None) -> Config:
    """The Config in the TOML file at `path` (defaults when None); ConfigError names any bad or unknown key."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file does not exist") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {_toml_message(str(exc))}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply to read") from None
    try:
        return _build_config(data)
    except _KeyProblem as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _toml_message(message: str) -> str:
    """tomllib's "Msg (at line 3, column 7)" as "line 3: msg (column 7)" so the line comes first."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    if not found:
        return f"invalid TOML: {message}"
    text = message[: found.start()]
    return f"line {found.group(1)}: {text[:1].lower()}{text[1:]} (column {found.group(2)})"


class _KeyProblem(Exception):
    """A problem with one key; load_config adds the file name."""


def _build_config(data: dict[str, Any]) -> Config:
    _reject_unknown(data, {f.name for f in fields(Config)}, "")
    config = Config()
    if "fetch" in data:
        fetch = dict(_table(data["fetch"], "fetch"))
        if fetch.pop("audit_every", None) is not None:
            # A check count no longer sets the audit (a time bound does): an older config still loads.
            log.warning("watcher: [fetch] audit_every is no longer used (the audit is [fetch] audit_max_age); ignored")
        config.fetch = _fill(BrowserSettings, fetch, "fetch")
        for key in ("user_agent", "contact"):
            value = getattr(config.fetch, key)
            if value is not None and (not value.isprintable() or not value.strip()):
                raise _KeyProblem(f"'fetch.{key}' must be one line of printable text")
        if config.fetch.proxy is not None:
            _check_proxy(config.fetch.proxy, "fetch.proxy")
        if config.fetch.site_proxies:
            raise _KeyProblem("'fetch.site_proxies' is not a setting: give each site its proxy under [[sites]]")
    if "schedule" in data:
        table = dict(_table(data["schedule"], "schedule"))
        tiers = table.pop("tiers", None)
        config.schedule = _fill(ScheduleSettings, table, "schedule")
        if tiers is not None:
            config.schedule.tiers = _tiers(tiers)
        if not 0 <= config.schedule.jitter < 1:
            raise _KeyProblem("'schedule.jitter' must be a fraction from 0 up to (not including) 1")
    if "trust" in data:
        config.trust = _fill(TrustSettings, _table(data["trust"], "trust"), "trust")
    if "feeds" in data:
        config.feeds = _fill(FeedSettings, _table(data["feeds"], "feeds"), "feeds")
    if "sites" in data:
        config.sites = [
            _fill(SiteRule, _table(item, f"sites[{i}]"), f"sites[{i}]", section="sites")
            for i, item in enumerate(_array(data["sites"], "sites"))
        ]
        for i, site in enumerate(config.sites):
            _check_patterns(site.ignore_text, f"sites[{i}].ignore_text")
            if site.proxy is not None:
                _check_proxy(site.proxy, f"sites[{i}].proxy")
                config.fetch.site_proxies[site.domain.lower().strip(".")] = site.proxy
    if "archive" in data:
        config.archive = _fill(ArchiveSettings, _table(data["archive"], "archive"), "archive")
    if "store" in data:
        config.store = _fill(StoreSettings, _table(data["store"], "store"), "store")
    if "display" in data:
        config.display = _fill(DisplaySettings, _table(data["display"], "display"), "display")
        zone(config.display.tz)  # an unknown zone is a config error now, not at the first time shown
    if "summary" in data:
        config.summary = _fill(SummarySettings, _table(data["summary"], "summary"), "summary")
        url = config.summary.llm_url
        if url is not None and not re.match(r"https?://[^/\s]+", url.strip(), re.IGNORECASE):
            raise _KeyProblem("'summary.llm_url' must be an http:// or https:// URL")
    if "serve" in data:
        config.serve = _fill(ServeSettings, _table(data["serve"], "serve"), "serve")
    if "copies" in data:
        config.copies = _fill(CopiesSettings, _table(data["copies"], "copies"), "copies")
        for key in ("wayback_url", "archive_today_url"):
            if not re.match(r"https?://[^/\s]+", getattr(config.copies, key).strip(), re.IGNORECASE):
                raise _KeyProblem(f"'copies.{key}' must be an http:// or https:// URL")
        token = config.serve.token
        if token is not None and (len(token) < 16 or not token.isprintable() or token != token.strip()):
            # Never repeated in the message: the file's owner knows which value it is.
            raise _KeyProblem("'serve.token' must be at least 16 printable characters without spaces around them")
    if "notify" in data:
        config.notify = [
            _notify_target(_table(item, f"notify[{i}]"), f"notify[{i}]")
            for i, item in enumerate(_array(data["notify"], "notify"))
        ]
    _check_ranges(config)
    return config


def _check_proxy(url: str, where: str) -> None:
    from urllib.parse import urlsplit

    from watcher.notify.redact import redact

    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
        raise _KeyProblem(
            f"'{where}' must be an http://, https:// or socks5:// proxy URL with a host, not {redact(url)!r}"
        )
    try:
        parts.port  # noqa: B018 - urlsplit checks the port's range only when asked
    except ValueError:
        raise _KeyProblem(f"'{where}' has a port out of range (1-65535)") from None
    if parts.scheme.lower().startswith("socks5") and (parts.username or parts.password):
        # Chromium cannot log in to a SOCKS proxy: the page's own requests would fail on every check.
        raise _KeyProblem(f"'{where}': a socks5 proxy with a user and password is not supported; use http(s)")


def _tiers(value: Any) -> list[Tier]:
    tiers = [
        _fill(Tier, _table(item, f"schedule.tiers[{i}]"), f"schedule.tiers[{i}]", section="schedule.tiers")
        for i, item in enumerate(_array(value, "schedule.tiers"))
    ]
    for i, tier in enumerate(tiers):
        if tier.until <= 0 or tier.every <= 0:
            raise _KeyProblem(f"'schedule.tiers[{i}]' needs a positive 'until' and 'every'")
    return sorted(tiers, key=lambda t: t.until)


def _check_patterns(patterns: list[str], where: str) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _KeyProblem(f"'{where}' has a bad regular expression {pattern!r}: {exc}") from None


def _notify_target(table: dict[str, Any], where: str) -> NotifyTarget:
    target = _fill(NotifyTarget, table, where, section="notify")
    if not target.url.strip():
        raise _KeyProblem(f"'{where}.url' is empty")
    try:
        if target.digest is not None:
            parse_window(target.digest)
        for name in ("title", "body"):
            if getattr(target, name) is not None:
                check_template(getattr(target, name))
    except BadInput as exc:
        raise _KeyProblem(f"'{where}': {exc}") from None
    if target.min_class not in CLASS_RANK:
        choices = ", ".join(CLASS_RANK)
        raise _KeyProblem(f"'{where}.min_class' must be one of {choices}, not {target.min_class!r}")
    unknown = [w for w in target.when if w not in ALERT_WHEN]
    if unknown:
        raise _KeyProblem(f"'{where}.when' takes {', '.join(ALERT_WHEN)}, not {unknown[0]!r}")
    for keyword in target.keywords:
        if not keyword.strip() or keyword == "//":
            raise _KeyProblem(f"'{where}.keywords' holds an empty keyword (it would match every change)")
        if len(keyword) > 2 and keyword.startswith("/") and keyword.endswith("/"):
            try:
                pattern = re.compile(keyword[1:-1])
            except re.error as exc:
                raise _KeyProblem(f"'{where}.keywords': {keyword!r} is not a regular expression ({exc})") from None
            if pattern.search("") is not None:
                raise _KeyProblem(f"'{where}.keywords': {keyword!r} matches empty text, so it would match every change")
    if target.min_words < 0:
        raise _KeyProblem(f"'{where}.min_words' is out of range")
    return target


def _check_ranges(config: Config) -> None:
    """Values that parse but cannot work (zero pages at once, negative retries)."""
    checks = [
        ("fetch.concurrency", config.fetch.concurrency >= 1),
        ("fetch.retries", config.fetch.retries >= 0),
        ("fetch.max_bytes", config.fetch.max_bytes > 0),
        ("fetch.nav_timeout", config.fetch.nav_timeout > 0),
        ("fetch.deadline", config.fetch.deadline > 0),
        ("feeds.max_new_per_poll", config.feeds.max_new_per_poll >= 1),
        ("feeds.default_every", config.feeds.default_every >= 1),
        ("trust.revert_window", config.trust.revert_window >= 0),
        ("trust.check_log_size", config.trust.check_log_size >= 1),
        ("fetch.audit_max_age", config.fetch.audit_max_age > 0),
        ("fetch.browser_idle", config.fetch.browser_idle >= 0),
        ("archive.screenshot_max_height", 600 <= config.archive.screenshot_max_height <= 16000),
        ("archive.screenshot_max_bytes", config.archive.screenshot_max_bytes >= 50_000),
        ("archive.screenshot_quality", 30 <= config.archive.screenshot_quality <= 95),
    ]
    checks += [("summary.llm_timeout", config.summary.llm_timeout > 0)]
    copies = config.copies
    checks += [("copies.timeout", copies.timeout > 0), ("copies.wait", copies.wait > 0)]
    checks += [("copies.gap", copies.gap >= 0), ("copies.backoff", copies.backoff >= 0)]
    checks += [("copies.attempts", copies.attempts >= 1)]
    checks += [("summary.llm_max_chars", config.summary.llm_max_chars >= 200)]
    checks += [(f"notify[{i}].retries", t.retries >= 0) for i, t in enumerate(config.notify)]
    checks += [(f"notify[{i}].timeout", t.timeout > 0) for i, t in enumerate(config.notify)]
    for key, ok in checks:
        if not ok:
            raise _KeyProblem(f"'{key}' is out of range")
    for where, mode in [("fetch.mode", config.fetch.mode)] + [
        (f"sites[{i}].mode", site.mode) for i, site in enumerate(config.sites) if site.mode is not None
    ]:
        if mode not in FETCH_MODES:
            raise _KeyProblem(f"'{where}' must be one of {', '.join(repr(m) for m in FETCH_MODES)}, not {mode!r}")
    fetch = config.fetch
    if fetch.per_host_delay >= fetch.deadline:
        # Settings that each pass but cannot work together: the confirming re-fetch of every edit waited
        # out its whole deadline for its turn at the host, so no substantive edit was ever stored.
        raise _KeyProblem(
            f"'fetch.per_host_delay' ({fetch.per_host_delay:g}s) must be shorter than "
            f"'fetch.deadline' ({fetch.deadline:g}s)"
        )


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _KeyProblem(f"'{where}' must be a table, not {_type_name(value)}")
    return value


def _array(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _KeyProblem(f"'{where}' must be an array of tables (write [[{where}]]), not {_type_name(value)}")
    return value


def _reject_unknown(table: dict[str, Any], known: set[str], prefix: str) -> None:
    for key in table:
        if key not in known:
            hint = f" (known keys: {', '.join(sorted(known))})" if known else ""
            raise _KeyProblem(f"unknown key '{prefix}{key}'{hint}")


_Settings = TypeVar("_Settings")


def _fill(cls: type[_Settings], table: dict[str, Any], where: str, *, section: str | None = None) -> _Settings:
    """An instance of the dataclass `cls` from a TOML table, every value type-checked."""
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    _reject_unknown(table, known, f"{where}.")
    durations = _DURATIONS.get(section or where, set())
    values: dict[str, Any] = {}
    for key, value in table.items():
        values[key] = _convert(value, hints[key], f"{where}.{key}", key in durations)
    required = [
        f.name
        for f in fields(cls)  # type: ignore[arg-type]
        if f.default is MISSING and f.default_factory is MISSING and f.name not in values
    ]
    if required:
        raise _KeyProblem(f"'{where}' is missing the key '{required[0]}'")
    return cls(**values)


def _convert(value: Any, hint: Any, key: str, duration: bool) -> Any:
    if duration:
        try:
            seconds = duration_seconds(value)
        except BadInput as exc:
            raise _KeyProblem(f"'{key}': {exc}") from None
        return seconds if hint is float else int(round(seconds))
    optional = get_origin(hint) in (Union, UnionType) and type(None) in get_args(hint)
    if optional:
        hint = next(a for a in get_args(hint) if a is not type(None))
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    elif get_origin(hint) is list and get_args(hint) == (str,):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        hint_name = "an array of strings"
        if not ok:
            raise _KeyProblem(f"'{key}' must be {hint_name}, not {_type_name(value)}")
        return list(value)
    else:  # pragma: no cover - a settings field of a type this loader does not know
        raise _KeyProblem(f"'{key}' cannot be set from the config file")
    if not ok:
        raise _KeyProblem(f"'{key}' must be {_HINT_NAMES[hint]}, not {_type_name(value)}")
    return value


_HINT_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}


def _type_name(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "a whole number",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    for kind, name in names.items():
        if type(value) is kind:
            return f"{name} ({value!r})" if kind in (bool, int, float, str) else name
    return type(value).__name__
