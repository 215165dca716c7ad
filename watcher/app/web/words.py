"""The web view's own words in English and Traditional Chinese, and which of them a request gets."""

from __future__ import annotations

from watcher.labels import story_words

LANGS = ("en", "zh-Hant")

_EN = {
    "articles": "Articles",
    "edits": "Edits",
    "edits_today": "Edits today",
    "edits_week": "Edits this week",
    "search": "Search headlines and URLs",
    "filter": "Filter",
    "clear_filters": "Clear",
    "tag": "Tag",
    "host": "Host",
    "status": "Status",
    "class": "Class",
    "flag": "Flag",
    "sort": "Sort",
    "any": "any",
    "headline": "Headline",
    "versions": "Versions",
    "last_changed": "Last edit",
    "last_checked": "Last check",
    "of_watched": "{total} of {watched} articles",
    "page_of": "page {page} of {pages}",
    "previous": "Previous",
    "next": "Next",
    "timeline": "Timeline",
    "check_log": "Check log",
    "no_checks": "Not checked yet (checks are logged by `watcher check` and `watcher run`).",
    "checked": "Checked",
    "error": "Error",
    "version": "Version",
    "captured": "Captured",
    "first_version": "first version",
    "what_changed": "What changed",
    "compare": "Compare",
    "from": "From",
    "to": "To",
    "inline": "Inline",
    "side_by_side": "Side by side",
    "show_cosmetic": "Show cosmetic edits",
    "hide_cosmetic": "Hide cosmetic edits",
    "no_edits": "No visible edits between these versions.",
    "permalink": "Permalink",
    "full_text": "Full text",
    "raw_html": "Raw HTML (sandboxed: no scripts, nothing loaded)",
    "no_raw": "The raw HTML of this version is no longer kept.",
    "as_rendered": "The page as rendered",
    "from_http": "read from the raw HTML",
    "from_browser": "read in the browser",
    "before": "Before",
    "after": "After",
    "feed": "Atom feed",
    "feeds": "Feeds",
    "nothing_watched": "Nothing watched yet.",
    "no_match": "No article matches.",
    "no_edits_window": "No edits in this window.",
    "sign_in": "Sign in",
    "sign_out": "Sign out",
    "token": "Token",
    "add": "Add",
    "add_url": "Watch a URL",
    "check_now": "Check now",
    "pause": "Pause",
    "resume": "Resume",
    "remove": "Remove",
    "read_only": "read-only",
    "rewritten": "This article's history was rewritten (re-extracted) after this link was made; the versions may differ from what was shared.",
    "computed": "Compared from the stored texts of the two versions.",
    "recorded": "The edits recorded when this version was captured.",
    "captions": "Captions",
    "byline": "Byline",
    "dek": "Subheadline",
    "published": "Published",
    "modified": "Modified",
    "not_found": "Not found.",
    "bad_request": "Bad request.",
    "forbidden": "Forbidden.",
    "language": "中文",
}

_ZH = {
    "articles": "報導",
    "edits": "修改",
    "edits_today": "今天的修改",
    "edits_week": "本週的修改",
    "search": "搜尋標題與網址",
    "filter": "篩選",
    "clear_filters": "清除",
    "tag": "標籤",
    "host": "網站",
    "status": "狀態",
    "class": "類別",
    "flag": "標記",
    "sort": "排序",
    "any": "全部",
    "headline": "標題",
    "versions": "版本",
    "last_changed": "最後修改",
    "last_checked": "最後檢查",
    "of_watched": "{watched} 篇中的 {total} 篇",
    "page_of": "第 {page} 頁，共 {pages} 頁",
    "previous": "上一頁",
    "next": "下一頁",
    "timeline": "時間軸",
    "check_log": "檢查紀錄",
    "no_checks": "尚未檢查（由 watcher check 與 watcher run 記錄）。",
    "checked": "檢查時間",
    "error": "錯誤",
    "version": "版本",
    "captured": "擷取時間",
    "first_version": "第一個版本",
    "what_changed": "修改內容",
    "compare": "比較",
    "from": "從",
    "to": "到",
    "inline": "行內",
    "side_by_side": "並排",
    "show_cosmetic": "顯示格式修改",
    "hide_cosmetic": "隱藏格式修改",
    "no_edits": "這兩個版本之間沒有可見的修改。",
    "permalink": "永久連結",
    "full_text": "全文",
    "raw_html": "原始 HTML（沙箱：不執行腳本，不載入任何資源）",
    "no_raw": "這個版本的原始 HTML 已不再保存。",
    "as_rendered": "頁面截圖",
    "from_http": "讀自原始 HTML",
    "from_browser": "經瀏覽器讀取",
    "before": "修改前",
    "after": "修改後",
    "feed": "Atom 訂閱",
    "feeds": "訂閱",
    "nothing_watched": "尚未追蹤任何報導。",
    "no_match": "沒有符合的報導。",
    "no_edits_window": "這段期間沒有修改。",
    "sign_in": "登入",
    "sign_out": "登出",
    "token": "權杖",
    "add": "加入",
    "add_url": "追蹤網址",
    "check_now": "立即檢查",
    "pause": "暫停",
    "resume": "恢復",
    "remove": "移除",
    "read_only": "唯讀",
    "rewritten": "這則報導的歷史在連結建立後被重寫（重新擷取），版本內容可能與分享時不同。",
    "computed": "由兩個版本保存的文字比較而得。",
    "recorded": "擷取這個版本時記錄的修改。",
    "captions": "圖說",
    "byline": "作者",
    "dek": "副標題",
    "published": "發布時間",
    "modified": "更新時間",
    "not_found": "找不到。",
    "bad_request": "請求有誤。",
    "forbidden": "禁止存取。",
    "language": "English",
}


def words(lang: str) -> dict[str, str]:
    """The view's words for a UI language (English for anything but Traditional Chinese)."""
    return _ZH if lang == "zh-Hant" else _EN


def ui_lang(mode: str, asked: str | None, accept_language: str) -> str:
    """The language of the page's own words: ?lang= (or its cookie) first, then `serve --lang`, then with
    --lang auto the browser's Accept-Language."""
    if asked in LANGS:
        return asked
    if mode in LANGS:
        return mode
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip()
        if story_words(tag):
            return "zh-Hant"
        if tag.lower().startswith("en"):
            return "en"
    return "en"


def edit_lang(ui: str, mode: str, story_lang: str | None) -> str | None:
    """The language of a story's edit labels (None: English): the story's own under --lang auto, as reports do,
    unless the reader chose a language for the whole page."""
    if mode == "auto" and ui == "en":
        return story_lang or None
    return None if ui == "en" else ui
