"""`watcher keygen` and `watcher verify`: a signing key the user holds, and checking a WACZ file's hashes and signature."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from watcher.app.commands import FILE, file_option, json_option
from watcher.app.context import App, pass_app
from watcher.errors import BadInput, ExitStatus

if TYPE_CHECKING:
    from watcher.archive.wacz import Verdict


@click.command()
@click.argument("path", type=FILE)
@click.option(
    "--passphrase",
    "protect",
    is_flag=True,
    help="Encrypt the private key with a passphrase (asked for, or read from WATCHER_KEY_PASSPHRASE).",
)
@pass_app
def keygen(app: App, path: Path, protect: bool) -> None:
    """Make a signing key for `watcher export --wacz --key PATH`: the private key in PATH (readable by you only;
    keep it secret) and the public key in PATH.pub (give it to whoever checks your files)."""
    from watcher.archive.signing import PASSPHRASE_ENV, generate_key

    passphrase = None
    if protect:
        passphrase = os.environ.get(PASSPHRASE_ENV)
        if not passphrase and not (sys.stdin is not None and sys.stdin.isatty()):
            # getpass would fall back to echoing the passphrase on a pipe, then abort at its end.
            raise BadInput(f"--passphrase needs a terminal to ask it in, or the passphrase in {PASSPHRASE_ENV}")
        passphrase = passphrase or click.prompt("passphrase", hide_input=True, confirmation_prompt=True, err=True)
    name = generate_key(path, passphrase)
    app.env.out.print(f"key {name}", markup=False, highlight=False)
    app.env.info(f"wrote the private key to {path} and the public key to {path}.pub")


@click.command()
@click.argument("path", type=FILE)
@file_option(
    "--key",
    "key_path",
    help="Also require a signature by this public key (PEM: the .pub from `watcher keygen`).",
)
@file_option(
    "--trust-root",
    "roots",
    multiple=True,
    help="Trust this root certificate (PEM) for certified signatures and their timestamps (repeatable).",
)
@json_option()
@pass_app
def verify(app: App, path: Path, key_path: Path | None, roots: Sequence[Path], as_json: bool) -> None:
    """Check a WACZ file: every file against datapackage.json, every WARC record against its digest,
    datapackage.json against datapackage-digest.json, and the signature if there is one (exit 1 on any failure)."""
    from watcher.archive.wacz import verify_wacz
    from watcher.untrusted import visible

    expected = None
    if key_path is not None:
        from watcher.archive.signing import load_public_key

        expected = load_public_key(key_path)
    trusted: list[str] = []
    if roots:
        from watcher.archive.timestamped import root_fingerprint

        trusted = [root_fingerprint(r) for r in roots]
    verdict = verify_wacz(path, expected_key=expected, trusted_roots=trusted)
    if as_json:
        app.env.print_json(verdict.to_json())
    else:
        for f in verdict.findings:
            mark = "ok" if f.ok else "FAILED"
            where = f"{f.where}: " if f.where else ""
            line = visible(f"{mark:6} {where}{f.message}")  # names and URLs come from the file: untrusted
            app.env.out.print(line, markup=False, highlight=False, soft_wrap=True)
        failed = [f for f in verdict.findings if not f.ok]
        if any(f.check != "signature" for f in failed):
            signed = " and signed" if verdict.signed else ""
            app.env.info(f"{path}: {len(failed)} check(s) failed; this file is not what was packaged{signed}")
        elif failed:
            # Every hash matches: the contents are as packaged, only who signed them is not shown. Calling that
            # "not what was packaged" would read as tampering.
            app.env.info(f"{path}: intact (every hash matches), but {_signature_problem(verdict, expected)}")
        elif verdict.signed:
            app.env.info(f"{path}: intact and signed")
        else:
            app.env.info(f"{path}: intact, not signed")
    if not verdict.valid:
        sys.exit(ExitStatus.CHECK_FAILED)


def _signature_problem(verdict: Verdict, expected: bytes | None) -> str:
    """What a package whose hashes all match lacks: a signature, the given key's, or one that holds."""
    if not verdict.signed:
        return "not signed, so not by the key given"
    if expected is not None and verdict.signer:
        from watcher.archive.signing import fingerprint

        if verdict.signer != fingerprint(expected):
            return "signed by another key than the one given"
    return "its signature does not hold, so who signed it is not shown"


COMMANDS = [keygen, verify]
