"""What every backend has in common: the Store methods whose logic is the same for TinyStore and
PostgresStore, written once over the few storage primitives each backend provides.

A backend lists `Backend` last among its bases, so that its own methods (and the Store protocol's
docstrings, which `Backend` inherits) come first; the primitives below are what it must supply.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from watcher.errors import UnknownArticle
from watcher.models import Article, CheckResult, Screenshot, ServedPage, Version, VersionDiff, WatchedArticle
from watcher.normalize import content_hash
from watcher.store.docs import (
    article_from_doc,
    check_entry,
    checked_changes,
    readded_changes,
    replaced_history_changes,
    saved_version_changes,
    served_from_bytes,
    served_to_bytes,
    stored_time,
    ts,
    updated_article_doc,
    version_doc,
    with_copy,
)
from watcher.store.protocol import Store
from watcher.urls import normalize_url


class Blobs(Protocol):
    """Content-addressed blobs as a backend keeps them (watcher.store.tiny.blobs.BlobStore is one)."""

    def put(self, data: bytes) -> str: ...

    def put_text(self, text: str) -> str: ...

    def put_json(self, value: Any) -> str: ...

    def get(self, digest: str) -> bytes | None: ...

    def get_text(self, digest: str) -> str | None: ...


class Backend(Store):
    """The shared Store methods. Article documents pass between them and the primitives as the
    backend hands them out (it may carry its row handle on them); all writes run in `transaction()`."""

    if TYPE_CHECKING:

        @property
        def blobs(self) -> Blobs: ...  # set by the backend

    # ----- primitives each backend provides -----------------------------------------------------

    @abstractmethod
    def _article_for_write(self, url: str) -> Any:
        """The article's stored document, held against other writers until the transaction ends."""

    @abstractmethod
    def _insert_article(self, article: WatchedArticle) -> Any | None:
        """Store a new article; None once stored, or the document already stored at its URL (held)."""

    @abstractmethod
    def _change_article(self, doc: Any, changes: dict[str, Any]) -> Any:
        """Write changes into an article's document; the document as it now is."""

    @abstractmethod
    def _stored_version(self, doc: Any, number: int) -> dict[str, Any] | None:
        """The stored document of one version of the article, or None."""

    @abstractmethod
    def _free_number(self, doc: Any, number: int) -> int:
        """The first version number from `number` on that no stored version of the article has."""

    @abstractmethod
    def _insert_version(self, doc: Any, vdoc: dict[str, Any]) -> None:
        """Store a version document (its number is vdoc["n"])."""

    @abstractmethod
    def _update_version(self, doc: Any, number: int, changes: dict[str, Any]) -> None:
        """Write changes into one stored version document."""

    @abstractmethod
    def _clear_versions(self, doc: Any) -> None:
        """Delete every stored version of the article (raw HTML blobs stay)."""

    @abstractmethod
    def _append_check(self, doc: Any, entry: dict[str, Any]) -> None:
        """Append an entry to the article's check log, which keeps only its newest N (set when opened)."""

    @abstractmethod
    def _version_from_doc(self, url: str, vdoc: dict[str, Any], *, full: bool = True) -> Version:
        """A stored version document as a Version, its text read from its blob when `full`."""

    def _edits_fields(self, edits: list[dict[str, Any]]) -> dict[str, Any]:
        """How a version document holds its edits: inline, unless the backend moves long lists to a blob."""
        return {"edits": edits}

    # ----- articles ----------------------------------------------------------------------------

    def add_article(
        self,
        url: str,
        *,
        tags: Iterable[str] = (),
        every: int | None = None,
        now: datetime | None = None,
        feed: str | None = None,
    ) -> tuple[WatchedArticle, bool]:
        normal = normalize_url(url)
        tags = list(tags)
        now = now or datetime.now(UTC)
        art = WatchedArticle(
            url=normal, added_at=now, tags=list(dict.fromkeys(tags)), every=every, next_check=now, feed=feed
        )
        with self.transaction():
            doc = self._insert_article(art)
            if doc is None:
                return art, True
            changes = readded_changes(doc, tags, every)
            return article_from_doc(self._change_article(doc, changes) if changes else doc), False

    def update_article(self, article: WatchedArticle) -> WatchedArticle:
        with self.transaction():
            doc = self._article_for_write(article.url)
            return article_from_doc(self._change_article(doc, updated_article_doc(doc, article)))

    # ----- the check log -----------------------------------------------------------------------

    def record_check(self, result: CheckResult) -> WatchedArticle:
        with self.transaction():
            doc = self._article_for_write(result.url)
            doc = self._change_article(doc, checked_changes(doc, result))
            self._append_check(doc, check_entry(result))
            return article_from_doc(doc)

    # ----- versions ----------------------------------------------------------------------------

    def save_version(
        self,
        url: str,
        article: Article,
        *,
        html: str | None,
        diff: VersionDiff | None,
        captured_at: datetime,
        event: str | None = None,
        final_url: str | None = None,
        served: ServedPage | None = None,
        screenshot: Screenshot | None = None,
        source: str | None = None,
    ) -> Version:
        digest = content_hash(article)
        with self.transaction():
            doc = self._article_for_write(url)
            count = doc.get("versions") or 0
            # Compared under the article's lock: the caller's idea of the latest version may be stale.
            newest = self._stored_version(doc, count) if count else None
            if newest is not None and newest.get("hash") == digest and newest.get("event") == event:
                return self._version_from_doc(doc["url"], newest)
            # A crashed writer may have stored a version before it could count it: skip past it.
            number = self._free_number(doc, count + 1)
            version = Version(
                url=doc["url"],
                number=number,
                captured_at=stored_time(ts(captured_at)),
                content_hash=digest,
                article=article,
                html_hash=self.blobs.put_text(html) if html is not None else None,
                flags=list(diff.flags) if diff else [],
                edits=list(diff.edits) if diff else [],
                event=event,
                final_url=final_url,
                served_hash=self.blobs.put(served_to_bytes(served)) if served is not None else None,
                screenshot=self._put_screenshot(screenshot),
                source=source,
            )
            vdoc = self._version_doc(version)
            if final_url:
                vdoc["final_url"] = final_url
            self._insert_version(doc, vdoc)
            self._change_article(doc, saved_version_changes(doc, article, diff, event, number, captured_at))
            return version

    def _put_screenshot(self, screenshot: Screenshot | None) -> Screenshot | None:
        """The screenshot as stored: its image in a blob (named by its digest), the bytes off the model."""
        if screenshot is None or not screenshot.data:
            return None
        data = screenshot.data
        return replace(screenshot, digest=self.blobs.put(data), size=len(data), data=None)

    def _version_doc(self, version: Version) -> dict[str, Any]:
        """A version's stored document, its text (and long edit lists) put in blobs first."""
        article = version.article
        text = None
        if article.body or article.captions:
            text = self.blobs.put_json({"body": list(article.body), "captions": list(article.captions)})
        return version_doc(version, text=text, edits=self._edits_fields([e.to_json() for e in version.edits]))

    def replace_versions(self, url: str, versions: list[Version]) -> list[Version]:
        with self.transaction():
            doc = self._article_for_write(url)
            self._clear_versions(doc)
            saved: list[Version] = []
            for number, version in enumerate(versions, start=1):
                vdoc = self._version_doc(replace(version, number=number))
                self._insert_version(doc, vdoc)
                saved.append(self._version_from_doc(doc["url"], vdoc))
            self._change_article(doc, replaced_history_changes(doc, saved))
            return saved

    def record_copy(self, url: str, number: int, record: dict[str, Any]) -> Version:
        with self.transaction():
            doc = self._article_for_write(url)
            vdoc = self._stored_version(doc, number)
            if vdoc is None:
                raise UnknownArticle(f"no version {number} of {doc['url']}")
            self._update_version(doc, number, {"copies": with_copy(vdoc, record)})
            return self._version_from_doc(doc["url"], {**vdoc, "copies": with_copy(vdoc, record)}, full=False)

    def get_html(self, version: Version) -> str | None:
        return self.blobs.get_text(version.html_hash) if version.html_hash else None

    def get_served(self, version: Version) -> ServedPage | None:
        return served_from_bytes(self.blobs.get(version.served_hash)) if version.served_hash else None

    def get_screenshot(self, version: Version) -> bytes | None:
        return self.blobs.get(version.screenshot.digest) if version.screenshot else None
