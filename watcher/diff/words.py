"""Word lists and tuning figures the differ decides by, kept as data apart from the code that reads them."""

from __future__ import annotations

import re

# --- alignment ---------------------------------------------------------------------------------------------

# A paragraph pair diffs in milliseconds; the cap only bounds pathological input (dmp then returns a coarser,
# still correct, diff).
INLINE_TIMEOUT = 0.5
ALIGN_TIMEOUT = 2.0
SIMILAR = 0.5  # Dice similarity over tokens and token pairs above which two paragraphs are one edited paragraph
# A sentence of at least this many tokens (words, numbers, CJK characters, punctuation) kept whole in another
# paragraph of the same changed stretch makes the two one edited paragraph, however much else was rewritten.
MIN_SHARED_SENTENCE_TOKENS = 6
SPLIT_WEIGHT = 1.2  # a split/merge covers three paragraphs; it must beat a 1-1 pairing plus an insert
MAX_BLOCK_CELLS = 2500  # above this a changed block is paired in order, not by dynamic programming
MAX_REPART_CELLS = 250_000  # a changed block this big is searched for re-parted paragraphs (a prefix test each)
MAX_MOVE_PAIRS = 40000  # above this edited moves are not searched (a rewrite, not an edit)

# --- volatile text ---------------------------------------------------------------------------------------------

# A block longer than this is story text: it is never masked as a widget or chrome, so a masked block cannot
# hide an edit to a story paragraph. Counters, "read time", relative times and share bars are far shorter.
VOLATILE_MAX_CHARS = 80
# At most this share of a body's text is masked (and may disagree between two fetches) before the story itself
# is taken to disagree: what is compared always outweighs what is masked. A third was too little for a short
# story (a paywalled lead) with a related list and a "most read" line inside the article.
MAX_MASKED_SHARE = 1 / 2
# Two short lines this alike (difflib ratio of their folded text) are one line edited, not two widget values: a
# re-fetch showing the stored one back takes the first load's edit back (a lagging cache).
NEAR_LINE = 0.75

# --- typo classification -------------------------------------------------------------------------------------

# Words longer than this are never compared letter by letter: no misspelling is that long, and the distance is
# quadratic in the length.
MAX_TYPO_WORD = 40
MAX_TYPO_DISTANCE = 2
# On wordfreq's Zipf scale (log10 of uses per billion words): a word below MISSPELT_ZIPF is rare enough to be a
# misspelling, and its correction must be at least CORRECTION_GAIN more common. "goverment" 2.7 -> "government"
# 5.6 passes; "hire" 4.4 -> "fire" 5.3 (two real words) does not.
MISSPELT_ZIPF = 3.3
CORRECTION_GAIN = 1.0
DEFAULT_LANG = "en"

NEGATIONS = frozenset(
    {
        "no",
        "not",
        "nor",
        "never",
        "none",
        "nothing",
        "cannot",
        "can't",
        "cant",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "won't",
        "nicht",
        "kein",
        "ne",
        "pas",
        "nunca",
    }
)
# Prefixes that turn a word into its opposite: likely -> unlikely is one letter pair and the reverse meaning.
NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non", "mis", "a")
# Words that scale a number: 310 million -> 310 billion changes the figure a thousandfold.
MAGNITUDES = frozenset(
    {
        "hundred",
        "thousand",
        "million",
        "billion",
        "trillion",
        "hundreds",
        "thousands",
        "millions",
        "billions",
        "trillions",
        "mn",
        "bn",
        "tn",
        "k",
        "m",
        "b",
        "lakh",
        "crore",
        "tausend",
        "millionen",
        "milliarden",
        "mille",
        "milliard",
        "milliards",
        "mil",
        "millones",
        "百",
        "千",
        "萬",
        "万",
        "億",
        "亿",
        "兆",
    }
)

# --- folding ---------------------------------------------------------------------------------------------------

PUNCT_FOLD = str.maketrans(
    {
        "。": ".",
        "｡": ".",
        "、": ",",
        "､": ",",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "《": '"',
        "》": '"',
        "〈": '"',
        "〉": '"',
        "'": '"',
        "…": "...",
        "‧": "·",
        "・": "·",
        "〜": "~",
        "～": "~",
    }
)

# --- sentences -------------------------------------------------------------------------------------------------

SENTENCE_END = re.compile(r"(?:^|[.!?。！？:：;\"”»」』)\]\n])\s*$")
# Abbreviations ending in a full stop that do not end a sentence: the capital after them is a name.
TITLES = (
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "Sen",
    "Rep",
    "Gov",
    "Gen",
    "Col",
    "Lt",
    "St",
    "Mt",
    "Jr",
    "Sr",
    "Rev",
    "Hon",
)
TITLE_BEFORE = re.compile(r"\b(?:" + "|".join(TITLES) + r")\.\s*$")
# Abbreviations a full stop follows inside a sentence (besides TITLES, initials and dotted ones like U.S.):
# the sentence splitter never ends a sentence after them. Lower-case forms are matched as written.
ABBREVIATIONS = frozenset(
    {
        *TITLES,
        "No",
        "Nos",
        "Nr",
        "Vol",
        "Fig",
        "Art",
        "Sec",
        "Ave",
        "Blvd",
        "Corp",
        "Inc",
        "Ltd",
        "Co",
        "Bros",
        "Dept",
        "Univ",
        "Sgt",
        "Capt",
        "Cmdr",
        "Adm",
        "Supt",
        "Pres",
        "Mme",
        "Mlle",
        "Sra",
        "Dra",
        "Hr",
        "Fr",
        "vs",
        "approx",
        "est",
        "ca",
        "cf",
        "no",
        "nr",
        "vol",
        "pp",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Aug",
        "Sept",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    }
)

# --- inline diffs ----------------------------------------------------------------------------------------------

# Inside one run of changed sentences, below this share of unchanged text a word-by-word view is confetti: the
# run is shown as its old and new text whole (unchanged sentences around it stay unchanged).
REWRITE_SHARE = 0.35
