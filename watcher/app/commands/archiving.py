"""`watcher export` and `watcher import`: watch lists other tools read and write, and WARC and WACZ evidence."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from watcher.app.commands import FILE, F, file_option, output_option
from watcher.app.context import App, pass_app
from watcher.app.watchlists import FORMATS
from watcher.errors import BadInput

if TYPE_CHECKING:
    from watcher.archive.warc import Capture


def format_option(default: str | None, help: str) -> Callable[[F], F]:
    """--format: the watch list's format, one of watchlists.FORMATS, for `export` and `import` alike."""
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default=default, show_default=default is not None, help=help
    )


@click.command("export")
@click.argument("refs", nargs=-1)
@file_option(
    "--warc",
    "warc_path",
    help="Write every stored version that kept its raw page as a WARC 1.1 file (gzip per record).",
)
@file_option(
    "--wacz",
    "wacz_path",
    help="Write the same versions as a WACZ 1.1.1 package (the WARC, an index, each version's extracted text, "
    "SHA-256 hashes of every file), for replay tools and `watcher verify`.",
)
@file_option(
    "--key",
    "key_path",
    help="With --wacz: sign the package with this ECDSA private key (PEM; `watcher keygen` makes one).",
)
@file_option(
    "--cert",
    "cert_path",
    help="With --wacz --key: the key's TLS certificate chain (PEM), so the signature names a domain; needs --tsa.",
)
@click.option(
    "--domain", default=None, help="With --cert: the domain the signature names (default: the certificate's)."
)
@click.option("--tsa", "tsa_url", default=None, help="With --cert: the RFC 3161 timestamp authority's URL.")
@file_option(
    "--tsa-cert",
    "tsa_cert",
    help="With --tsa: the timestamp authority's certificate chain (PEM).",
)
@click.option(
    "--since",
    default=None,
    help="With --warc or --wacz: only versions captured in this window back from now, e.g. 30d.",
)
@format_option(
    "urls",
    "The watch list's format (without --warc): one URL a line, OPML, urlwatch's urls.yaml or a "
    "changedetection.io url-watches.json.",
)
@output_option("Write the watch list here (default: stdout).")
@pass_app
def export(
    app: App,
    refs: Sequence[str],
    warc_path: Path | None,
    wacz_path: Path | None,
    key_path: Path | None,
    cert_path: Path | None,
    domain: str | None,
    tsa_url: str | None,
    tsa_cert: Path | None,
    since: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """The watch list (articles and followed feeds), or with --warc FILE the stored versions as a WARC archive,
    or with --wacz FILE as a WACZ package, signed with --key."""
    if (key_path or cert_path or domain or tsa_url or tsa_cert) and wacz_path is None:
        raise BadInput("--key, --cert, --domain, --tsa and --tsa-cert go with --wacz")
    if wacz_path is not None and warc_path is not None:
        raise BadInput("--warc and --wacz write one file each: give one of them")
    if wacz_path is not None:
        sign = _package_signer(key_path, cert_path, domain, tsa_url, tsa_cert)
        _export_wacz(app, refs, wacz_path, sign, since)
        return
    store = app.store()
    if warc_path is None:
        if since or refs:
            raise BadInput("--since and article names go with --warc or --wacz; the watch list is exported whole")
        from watcher.app.watchlists import Entry, write

        entries = [Entry(url=a.url, tags=list(a.tags), title=a.headline) for a in store.list_articles()]
        entries += [Entry(url=f.url, feed=True, tags=list(f.tags)) for f in store.list_feeds()]
        text = write(entries, fmt)
        if output is None:
            from watcher.untrusted import visible  # titles are page text: a terminal must not act on them

            sys.stdout.write(visible(text) if sys.stdout.isatty() else text)
        else:
            output.write_text(text, encoding="utf-8")
            app.env.info(f"wrote {len(entries)} entries to {output}")
        return
    from watcher.archive.warc import write_captures

    def write_warc(chosen: Iterator[Capture], urls: list[str] | None) -> int:
        try:
            with open(warc_path, "wb") as out:
                return write_captures(out, chosen, software=_software())
        except OSError as exc:
            raise BadInput(f"{warc_path}: cannot write ({exc.strerror or exc})") from None

    _export_versions(app, refs, since, warc_path, write_warc)


def _export_wacz(
    app: App,
    refs: Sequence[str],
    path: Path,
    sign: Callable[[str, datetime], dict[str, Any]] | None,
    since: str | None,
) -> None:
    from watcher.archive.wacz import write_wacz

    def write_package(chosen: Iterator[Capture], urls: list[str] | None) -> int:
        title = ""
        if urls is not None and len(urls) == 1:
            title = app.store().get_article(urls[0]).headline or urls[0]
        return write_wacz(path, chosen, software=_software(), title=title, sign=sign)

    _export_versions(app, refs, since, path, write_package, " (signed)" if sign is not None else "")


def _export_versions(
    app: App,
    refs: Sequence[str],
    since: str | None,
    path: Path,
    write: Callable[[Iterator[Capture], list[str] | None], int],
    note: str = "",
) -> None:
    """What --warc and --wacz share: the stored versions of REFS (all articles without) captured within --since,
    handed to `write`, then how many were written to PATH and which had no raw page to write."""
    from watcher.config import parse_duration
    from watcher.report.warc_export import captures

    store = app.store()
    start = datetime.now(UTC) - timedelta(seconds=parse_duration(since)) if since else None
    urls = app.resolver().targets(refs, None) if refs else None
    skipped: list[str] = []
    written = write(captures(store, urls, start, skipped), urls)
    app.env.info(f"wrote {written} version{'s' if written != 1 else ''} to {path}{note}")
    if skipped:
        app.env.info(f"{len(skipped)} version(s) without a raw page were left out, e.g. {skipped[0]}")


def _software() -> str:
    """What archives name as the software that wrote them."""
    from watcher import __version__

    return f"watcher/{__version__}"


def _package_signer(
    key_path: Path | None,
    cert_path: Path | None,
    domain: str | None,
    tsa_url: str | None,
    tsa_cert: Path | None,
) -> Callable[[str, datetime], dict[str, Any]] | None:
    """How `export --wacz` signs: with a domain certificate and a timestamp, with the user's own key, or not at all.
    Keys and certificates are read before anything is written, so a bad one costs no export."""
    if cert_path is not None or tsa_url is not None or tsa_cert is not None or domain is not None:
        if cert_path is None or key_path is None or tsa_url is None:
            raise BadInput("a certified signature needs --cert, --key (the certificate's key) and --tsa URL together")
        from watcher.archive.signing import is_encrypted, load_private_key
        from watcher.archive.timestamped import certificate_domain, sign_with_certificate

        if is_encrypted(key_path):
            raise BadInput(f"{key_path}: a certificate's key is read as a plain PEM file (as a TLS server reads it)")
        load_private_key(key_path, rsa_too=True)
        _public_tsa(tsa_url)
        named = domain or certificate_domain(cert_path)
        return lambda package_hash, created: sign_with_certificate(
            package_hash, created, domain=named, cert_chain=cert_path, key=key_path, tsa_url=tsa_url, tsa_chain=tsa_cert
        )
    if key_path is None:
        return None
    from watcher.archive.signing import created_now, load_private_key, sign

    key = load_private_key(key_path, passphrase=_passphrase(key_path))
    return lambda package_hash, created: sign(key, package_hash, created_now(created), _software())


def _public_tsa(url: str) -> None:
    """Hold the TSA to the private-address rule every outgoing request keeps (wacz-signing sends the request
    itself, so it is checked here, before anything is written); BadInput when it may not be asked."""
    from urllib.parse import urlsplit

    from watcher.errors import ConnectError, PrivateAddress
    from watcher.fetch import addresses

    parts = urlsplit(url.strip())
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        port = 0
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port:
        raise BadInput(f"--tsa {url!r} is not an http(s) URL")
    try:
        addresses.resolve(url, parts.hostname, port, addresses.private_allowed())
    except (PrivateAddress, ConnectError) as exc:
        raise BadInput(f"--tsa: {exc}") from None


def _passphrase(key_path: Path) -> str | None:
    """The passphrase of an encrypted key: from WATCHER_KEY_PASSPHRASE, else asked for in a terminal."""
    import os

    from watcher.archive.signing import PASSPHRASE_ENV, is_encrypted

    if not is_encrypted(key_path):
        return None
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if sys.stdin.isatty():
        return str(click.prompt(f"passphrase for {key_path}", hide_input=True, err=True))
    return None  # load_private_key says what is missing


@click.command("import")
@click.argument("path", type=FILE)
@click.option("--warc", is_flag=True, help="PATH is a WARC file: its HTML captures become versions to diff.")
@format_option(None, "The watch list's format (default: guessed from the file).")
@click.option("--tag", "tags", multiple=True, help="Also tag every imported article.")
@pass_app
def import_(app: App, path: Path, warc: bool, fmt: str | None, tags: Sequence[str]) -> None:
    """Watch what another tool watched (a URL list, OPML, urlwatch's urls.yaml, a changedetection.io
    backup), or with --warc store the captures of a WARC file as versions."""
    store = app.store(write=True)
    if warc:
        from watcher.archive.warc import read_captures
        from watcher.monitor.warc_import import import_captures

        undated: list[str] = []
        done = import_captures(store, read_captures(path, undated), app.config)
        done.skipped[:0] = undated
        app.env.info(
            f"imported {done.versions} version{'s' if done.versions != 1 else ''} of {len(done.articles)} "
            f"article{'s' if len(done.articles) != 1 else ''} from {path}"
            + (f"; {done.unchanged} capture(s) unchanged from the version before" if done.unchanged else "")
        )
        for reason in done.skipped[:5]:
            app.env.info(f"skipped {reason}")
        if len(done.skipped) > 5:
            app.env.info(f"... and {len(done.skipped) - 5} more skipped")
        _warn_private(app, sorted(done.articles))
        return
    from watcher.app.watchlists import read
    from watcher.urls import normalize_url

    entries = read(path, fmt)
    if not entries:
        raise BadInput(f"{path}: no URLs found in it")
    articles = feeds = 0
    bad: list[str] = []
    with store.transaction():
        for entry in entries:
            try:
                url = normalize_url(entry.url)
            except BadInput as exc:
                bad.append(str(exc))
                continue
            if entry.feed:
                _, created = store.add_feed(url, every=app.config.feeds.default_every, tags=[*entry.tags, *tags])
                feeds += created
            else:
                _, created = store.add_article(url, tags=[*entry.tags, *tags])
                articles += created
    app.env.info(
        f"imported {articles} new article{'s' if articles != 1 else ''} and {feeds} new feed{'s' if feeds != 1 else ''}"
        f" from {path}" + (f"; {len(bad)} entr{'y' if len(bad) == 1 else 'ies'} skipped, e.g. {bad[0]}" if bad else "")
    )


def _warn_private(app: App, urls: Sequence[str]) -> None:
    """What `watcher add` says of a URL on this machine or its network, said of imported articles too: they are
    watched, and their checks are refused unless private addresses are allowed."""
    from watcher.fetch.addresses import private_allowed, refused_here

    allow = private_allowed(app.config.fetch.allow_private)
    for url in urls:
        refused = refused_here(url, allow)
        if refused is not None:
            reason = str(refused).removeprefix(f"refused {url}: ")
            app.env.info(
                f"warning: {url} cannot be loaded ({reason}); its versions are imported and it is watched anyway"
            )


COMMANDS = [export, import_]
