"""Image captions and photo credits: kept apart from the body, in page order, each once."""

from __future__ import annotations

import re
from typing import Any

from watcher.cjk import CJK_LETTERS
from watcher.config import SiteRule
from watcher.extract.body import is_caption_el
from watcher.extract.dom import select, visible_text
from watcher.normalize import comparison_key, normalize_text

_SENTENCE_END = re.compile(r"[.!?。！？」』)）]\s*$")

_CJK_CHAR = re.compile(f"[{CJK_LETTERS}]")


def _looks_like_sentence(text: str) -> bool:
    if len(_CJK_CHAR.findall(text)) >= 8:
        return True
    return len(text.split()) >= 5 and (bool(_SENTENCE_END.search(text)) or len(text.split()) >= 8)


def caption_scope(container: Any, strong: bool, root: Any) -> Any:
    """Where captions are looked for: the article around the body (lead photos sit outside the body div)."""
    if container is None:
        return root
    for anc in container.iterancestors("article", "main"):
        return anc
    if strong and container.getparent() is not None and container.getparent().tag != "body":
        return container.getparent()
    return container


def captions(scope: Any, rule: SiteRule | None) -> list[str]:
    """Captions in page order: figcaptions, caption-classed elements, sentence-like alt/title; repeats once."""
    found: list[str] = []
    if rule is not None and rule.captions:
        found = [visible_text(el) for el in select(scope, rule.captions)]
    else:
        inside_caption: set[Any] = set()
        for el in scope.iter():
            if not isinstance(el.tag, str) or el in inside_caption:
                continue
            if el.tag == "img":
                for attr in ("alt", "title"):
                    text = normalize_text(el.get(attr))
                    if text and _looks_like_sentence(text):
                        found.append(text)
                        break
            elif is_caption_el(el):
                found.append(visible_text(el))
                inside_caption.update(el.iterdescendants())
    keys: list[str] = []
    out: list[str] = []
    for text in found:
        key = comparison_key(text)
        if not key or any(key == k or key in k for k in keys):
            continue
        # A credit line that a later full caption contains is the same caption.
        for i, k in enumerate(keys):
            if k in key:
                keys[i], out[i] = key, text
                break
        else:
            keys.append(key)
            out.append(text)
    return list(dict.fromkeys(out))
