"""The anonymisation scanner: find identifying data in the public text of a story.

Pure functions: no network, no database, no models (DESIGN.md §5; security-requirements R32–R35).
The publish gate hands in every public text of a page in every locale as ``PublicText`` items and
the storyteller's identifying terms as ``Term`` items, and gets back ``Finding`` items:

- ``TermMatcher`` compares the texts with the storyteller's own terms (real names in every script,
  nicknames, village, employer, trafficker, phone, address…).
- ``scan_text`` looks for personal data that needs no list: phone numbers, e-mail addresses, web
  addresses, social handles, ID and passport numbers, long digit runs, day-precise dates, street
  addresses and map coordinates.
- ``scan`` runs both and reports each (field, kind, severity) once.

Findings never carry the term or the matched text, not even in an attribute: they are shown to
reviewers who must not learn the real name, and they may be logged. A finding names the field, the
kind of finding and, for terms, the kind of term ("name", "place"…). For the same reason
``Term.value`` and ``PublicText.text`` are left out of their ``repr``.

Matching rules for identifying terms (both sides go through ``normalise`` first):

1. Exact match — **blocking**.
   - Latin and other spaced scripts: the term's words in order, each a whole word (letters on
     either side break the match, so "Ana" is not found in "banana"; digits and "_" do not, so
     "testchai1985" is found), with any punctuation or none between the words ("Testchai  Fakesert",
     "Testchai-Fakesert", "TestchaiFakesert").
   - Scripts written without spaces (Thai, Lao, Khmer, Burmese, Chinese, Japanese, and Korean,
     whose particles attach to names): plain substring match after removing spaces and punctuation
     from both sides, so "สมมติ ปลอมแปลง" is found in "…ว่าสมมติปลอมแปลงออกไป…".
   - Names of people ("name" and "trafficker" terms) of two or three words are also searched in
     the other word orders (family name first or last), because stories are translated between
     languages that order names differently.
   - Terms that are mostly digits (phones, ID numbers) match on their digits with any separators;
     a phone number is also found with or without its country code or trunk zero.
2. A part of a "name" term — **warning** by default (``name_part_severity``). Each word of a
   multi-word name with at least 4 letters (``NAME_PART_MIN_LENGTH``) is searched on its own with
   the rules above: a given or family name alone can identify someone, but name parts are often
   ordinary words too (many Thai names are: ประเสริฐ means "excellent"), so a reviewer decides.
   A case worker who wants a given name to block enters it as a term of its own.
3. Fuzzy match — **warning**. Compared in the term's own script with ``rapidfuzz.fuzz.ratio``
   (threshold 85 by default: one wrong letter in a 7-letter name scores 85.7), and never where
   the whole term was found exactly.
   - Spaced scripts, word by word, so that common words cannot add up to a name: consecutive
     words of the text match a term when each equals the term's word or, for words of at least
     4 letters (``FUZZY_MIN_LENGTH``), scores at least the threshold against it ("Testchay
     Fakesert", "Testchai Fakesoet"). A multi-word term is also compared whole with each single
     word ("Testchayfakesert"). Each distinct word of the texts is compared once with each word of
     the terms, in one ``rapidfuzz.process.cdist`` call.
   - Unspaced scripts, for terms and parts of at least 6 characters
     (``FUZZY_MIN_LENGTH_UNSPACED``; shorter ones resemble pieces of ordinary words): windows of
     the term's length ± 2 around the places that share at least 40 % of the term's character
     pairs ("สมมติปลอมแปรง").

Pattern checks (``scan_text``) are blocking except: web addresses and social handles; 8-digit runs
(often a date or an amount); a day and month without a year; a numbered street without a house
number; a 13-digit number laid out like a Thai ID but with a wrong check digit. A number
recognised as a phone, ID or passport number is not reported again as a digit run.

Findings are deduplicated to one per (field, kind, severity): a reviewer needs to know what to look
for in which field, not how often it occurs, and counting would hint at the text.

The rules were chosen with the measurements in reference/tooling.md §3 ("Matching a real name
across scripts"). Transliteration (anyascii) is not used: there, a Thai name romanised by it
scored 76 against the English spelling of the same name, below any useful threshold, so it
adds noise and no recall; case workers enter each name in every script it is written in.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy
import phonenumbers
from django.core.exceptions import ImproperlyConfigured
from rapidfuzz import fuzz, process
from stdnum.my import nric as my_nric
from stdnum.th import pin as th_pin

__all__ = [
    "DEFAULT_PHONE_REGIONS",
    "FINDING_KINDS",
    "TERM_KINDS",
    "Finding",
    "PublicText",
    "Severity",
    "Term",
    "TermMatcher",
    "normalise",
    "scan",
    "scan_text",
]

TERM_KINDS = ("name", "nickname", "place", "employer", "trafficker", "phone", "address", "other")

# Each kind of finding and how a message names it, in the order findings of one field are listed.
FINDING_KINDS: dict[str, str] = {
    "identifying_term": "an identifying term of the storyteller",
    "similar_to_identifying_term": "text similar to an identifying term of the storyteller",
    "phone_number": "a phone number",
    "email_address": "an e-mail address",
    "national_id": "a national ID number",
    "passport_number": "a passport-like number",
    "long_digit_run": "a long run of digits, such as an ID or account number",
    "exact_date": "a day-precise date",
    "street_address": "a street address",
    "coordinates": "map coordinates",
    "url": "a web address",
    "social_handle": "a social-media handle or messaging ID",
}

# Thailand and its neighbours, where the storytellers live, plus the main donor countries.
# Overridden by settings.ANONYMISATION_PHONE_REGIONS.
DEFAULT_PHONE_REGIONS = ("TH", "KH", "MM", "VN", "LA", "MY", "US", "GB")

NAME_PART_KINDS = ("name",)
NAME_ORDER_KINDS = ("name", "trafficker")
NAME_PART_MIN_LENGTH = 4
FUZZY_MIN_LENGTH = 4
# Without word boundaries a short Thai or Khmer name resembles pieces of ordinary words
# (a five-letter name like สมมติ is one letter away from สมมุติ, the other spelling of
# "suppose").
FUZZY_MIN_LENGTH_UNSPACED = 6


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


@dataclass(frozen=True)
class PublicText:
    """One public text of a page: ``field`` says where it is ("title", "body[2].quote"…)."""

    field: str
    # Left out of repr: the text may hold the very name the scanner is looking for.
    text: str = dataclasses.field(repr=False)


@dataclass(frozen=True)
class Term:
    """One identifying term of a storyteller; ``kind`` is one of ``TERM_KINDS``."""

    value: str = dataclasses.field(repr=False)  # never in a repr, a log line or a traceback
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in TERM_KINDS:
            raise ValueError(f"Unknown term kind {self.kind!r}; expected one of {TERM_KINDS}.")


@dataclass(frozen=True)
class Finding:
    """Something in ``field`` that must not be published (blocking) or that a reviewer must check.

    Deliberately holds no matched text, term, or position of either.
    """

    field: str
    kind: str
    severity: Severity
    message: str


# --- Normalisation ----------------------------------------------------------------------------

# Invisible characters that can hide a name from a plain comparison: zero-width space, non-joiner
# and joiner, word joiner, BOM, soft hyphen, plus direction marks, isolates and the grapheme joiner.
_INVISIBLE = dict.fromkeys(
    [
        0x00AD,
        0x034F,
        0x180E,
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        0xFEFF,
    ]
)

# Only the generic diacritics used by Latin, Greek and Cyrillic are stripped. Thai, Lao, Khmer and
# Burmese vowel and tone marks are combining characters too, but they are letters of the word:
# stripping them would make different names equal.
_DIACRITIC = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)

# Letters with a stroke have no decomposition, so stripping marks leaves them alone.
_LETTER_FOLD = str.maketrans(
    {"đ": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i", "ŧ": "t", "ƀ": "b", "æ": "ae", "œ": "oe"}
    | {"þ": "th", "ð": "d"}
)

# Decimal digits of the scripts in use, folded to ASCII so "๐๘๑" and "081" compare equal.
_DIGIT_ZEROS = (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0)
_DIGIT_FOLD = {zero + n: ord("0") + n for zero in _DIGIT_ZEROS for n in range(10)}

_HAS_INVISIBLE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_HAS_FOLDABLE = re.compile("[" + re.escape("".join(map(chr, [*_LETTER_FOLD, *_DIGIT_FOLD]))) + "]")

_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return ``text`` in the form both terms and texts are compared in.

    Removes invisible characters, applies NFKC (full-width letters, ligatures), case-folds,
    strips Latin/Greek/Cyrillic diacritics, folds letters with a stroke ("đ" → "d") and native
    digits ("๑" → "1"), and collapses whitespace. Thai, Lao, Khmer and Burmese marks are kept.
    """
    # str.translate is slow on long texts; the searches skip it when there is nothing to do.
    if _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKC", _DIACRITIC.sub("", unicodedata.normalize("NFD", text)))
    if _HAS_FOLDABLE.search(text):
        text = text.translate(_LETTER_FOLD).translate(_DIGIT_FOLD)
    return _WHITESPACE.sub(" ", text).strip()


# Scripts written without spaces between words (and Hangul, whose particles attach to names).
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"  # Myanmar
    "\u1780-\u17ff\u19e0-\u19ff"  # Khmer
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Kana, CJK
)
_IS_UNSPACED = re.compile(f"[{_UNSPACED}]")
# Letters (and letters or digits) of the spaced scripts: what breaks a whole-word match.
_LETTER = f"[^\\W\\d_{_UNSPACED}]"
_ALNUM = f"[^\\W_{_UNSPACED}]"
_SQUASH = re.compile(f"[^\\w{_UNSPACED}]+")
_WORD = re.compile(r"[^\W_]+")
_LETTERS = re.compile(_LETTER + "+")


def _squash(normalised: str) -> str:
    """Drop spaces, punctuation and symbols, keeping every mark of the unspaced scripts."""
    return _SQUASH.sub("", normalised)


# --- Identifying terms ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    """One way of finding a term: the term itself, another word order of it, or a name part."""

    term_kind: str
    severity: Severity
    parent: int  # index of the term it comes from
    is_part: bool  # a part is not reported in a text where its whole term was found
    regex: re.Pattern[str] | None = None  # spaced scripts and digits, in normalised text
    needles: tuple[str, ...] = ()  # what the regex cannot match without: a cheap test first
    digits: str = ""  # digit terms: the digits the regex cannot match without
    squashed: str = ""  # unspaced scripts: a substring of the squashed text
    words: tuple[str, ...] = ()  # spaced scripts: the words, letters only, for fuzzy matching
    fuzzy: bool = False  # long enough to be compared fuzzily


_DIGIT_SEP = r"[\s\-.()/]*"
_MOSTLY_DIGITS = re.compile(r"[\d\s+\-.()/]+")
_NON_DIGIT = re.compile(r"\D+")


def _word_regex(words: Sequence[str]) -> re.Pattern[str]:
    """Whole words in this order, any punctuation or none between them."""
    start = _ALNUM if words[0][0].isdigit() else _LETTER
    end = _ALNUM if words[-1][-1].isdigit() else _LETTER
    # The first character comes before the look-behind so that `re` can scan for it quickly.
    first = re.escape(words[0][0])
    body = r"[\W_]*".join(re.escape(word) for word in words)[len(first) :]
    return re.compile(f"{first}(?<!{start}{first}){body}(?!{end})")


def _digit_pattern(normalised: str, kind: str, parent: int) -> _Pattern | None:
    """Digits with any separators; a phone also with or without its country code or zero."""
    digits = _NON_DIGIT.sub("", normalised)
    if len(digits) < 6:
        return None
    core, prefix = digits, ""
    if kind == "phone":
        core = digits.lstrip("0") or digits
        if normalised.startswith("+"):
            try:
                core = phonenumbers.national_significant_number(phonenumbers.parse(normalised))
            except phonenumbers.NumberParseException:
                core = digits
        if len(core) >= 6:
            # An optional "+CC", "(0)" or trunk "0" before the national number.
            prefix = rf"(?:\+?\d{{1,3}}{_DIGIT_SEP})?(?:\(?0\)?{_DIGIT_SEP})?"
        else:
            core = digits
    regex = re.compile(rf"(?<!\d){prefix}{_DIGIT_SEP.join(core)}(?!\d)")
    return _Pattern(kind, Severity.BLOCKING, parent, is_part=False, regex=regex, digits=core)


def _name_orders(words: list[str]) -> list[list[str]]:
    """Other word orders of a two- or three-word name: swapped, or family name moved."""
    if len(words) == 2:
        return [words[::-1]]
    if len(words) == 3:
        return [words[1:] + words[:1], words[-1:] + words[:-1]]
    return []


def _text_patterns(
    normalised: str, *, term_kind: str, severity: Severity, parent: int, is_part: bool
) -> Iterator[_Pattern]:
    """The patterns of one normalised term (or name part): as written and in other orders."""
    unspaced = bool(_IS_UNSPACED.search(normalised))
    words = normalised.split(" ") if unspaced else _WORD.findall(normalised)
    if not words:
        return
    orders = [words]
    if term_kind in NAME_ORDER_KINDS:
        orders += _name_orders(words)
    for order in orders:
        common = {"term_kind": term_kind, "severity": severity, "parent": parent}
        if unspaced:
            squashed = _squash("".join(order))
            if squashed:
                fuzzy = len(squashed) >= FUZZY_MIN_LENGTH_UNSPACED
                yield _Pattern(**common, is_part=is_part, squashed=squashed, fuzzy=fuzzy)
            continue
        letters = tuple(_LETTERS.findall(" ".join(order)))
        yield _Pattern(
            **common,
            is_part=is_part,
            regex=_word_regex(order),
            needles=tuple(order),
            words=letters,
            fuzzy=len("".join(letters)) >= FUZZY_MIN_LENGTH,
        )


class TermMatcher:
    """A storyteller's identifying terms, compiled once and reusable across many texts.

    ``name_part_severity`` is how a part of a name found on its own is reported (see the module
    docstring, rule 2).
    """

    def __init__(
        self,
        terms: Iterable[Term],
        *,
        fuzzy_threshold: float = 85.0,
        name_part_severity: Severity = Severity.WARNING,
    ) -> None:
        self.fuzzy_threshold = fuzzy_threshold
        patterns: list[_Pattern] = []
        parts: list[_Pattern] = []
        for index, term in enumerate(terms):
            normalised = normalise(term.value)
            if not normalised:
                continue
            is_number = term.kind == "phone" or _MOSTLY_DIGITS.fullmatch(normalised)
            if is_number and (pattern := _digit_pattern(normalised, term.kind, index)):
                patterns.append(pattern)
                continue
            patterns += _text_patterns(
                normalised,
                term_kind=term.kind,
                severity=Severity.BLOCKING,
                parent=index,
                is_part=False,
            )
            words = normalised.split(" ")
            if term.kind in NAME_PART_KINDS and len(words) > 1:
                for word in words:
                    if len(_squash(word)) >= NAME_PART_MIN_LENGTH:
                        parts += _text_patterns(
                            word,
                            term_kind=term.kind,
                            severity=name_part_severity,
                            parent=index,
                            is_part=True,
                        )
        # A part that is also a term, or a part of two names, is searched for once, at the
        # highest severity it has.
        seen = {(p.regex.pattern if p.regex else p.squashed) for p in patterns}
        for part in sorted(parts, key=lambda p: p.severity != Severity.BLOCKING):
            key = part.regex.pattern if part.regex else part.squashed
            if key not in seen:
                seen.add(key)
                patterns.append(part)
        self._patterns = patterns
        self._has_unspaced = any(p.squashed for p in patterns)
        self._has_digits = any(p.digits for p in patterns)

        # Fuzzy matching in spaced scripts works word by word: each word of the text is compared
        # with each word of the terms (and with multi-word terms written as one word), once.
        self._fuzzy_spaced = [p for p in patterns if p.fuzzy and p.words]
        queries = {w for p in self._fuzzy_spaced for w in p.words if len(w) >= FUZZY_MIN_LENGTH}
        queries |= {"".join(p.words) for p in self._fuzzy_spaced if len(p.words) > 1}
        self._queries = sorted(queries)
        self._term_words = {w for p in self._fuzzy_spaced for w in p.words}

    def findings(self, item: PublicText) -> list[Finding]:
        """What in ``item`` is or resembles one of the terms, one finding per kind and severity."""
        return _render(self._hits([(item.field, normalise(item.text))]))

    def _hits(self, items: Sequence[tuple[str, str]]) -> list[_Hit]:
        """Hits in (field, normalised text) pairs; fuzzy comparisons are batched across them."""
        hits: list[_Hit] = []
        spaced_pending: list[tuple[str, list[str], list[_Pattern]]] = []
        for field, normalised in items:
            squashed = _squash(normalised) if self._has_unspaced else ""
            digits = _NON_DIGIT.sub("", normalised) if self._has_digits else ""
            found = [_found(p, normalised, squashed, digits) for p in self._patterns]
            pairs = list(zip(self._patterns, found, strict=True))
            # A term found whole: its parts and variants add nothing to that finding.
            whole = {p.parent for p, hit in pairs if hit and not p.is_part}
            hits += [
                _Hit(field, "identifying_term", p.severity, p.term_kind)
                for p, hit in pairs
                if hit and not (p.is_part and p.parent in whole)
            ]
            pending = [p for p, hit in pairs if p.fuzzy and not hit and p.parent not in whole]
            unspaced = [p for p in pending if p.squashed]
            if unspaced and _IS_UNSPACED.search(squashed):
                pair_index = _pair_index(squashed)
                hits += [
                    _Hit(field, _SIMILAR, Severity.WARNING, p.term_kind)
                    for p in unspaced
                    if self._similar_unspaced(p.squashed, squashed, pair_index)
                ]
            spaced = [p for p in pending if p.words]
            if spaced:
                spaced_pending.append((field, _LETTERS.findall(normalised), spaced))
        if spaced_pending:
            similar = self._similar_words(
                list(dict.fromkeys(w for _, words, _ in spaced_pending for w in words))
            )
            for field, words, patterns in spaced_pending:
                positions = _term_word_positions(words, similar, self._term_words)
                hits += [
                    _Hit(field, _SIMILAR, Severity.WARNING, p.term_kind)
                    for p in patterns
                    if _similar_run(p.words, positions)
                ]
        return hits

    def _similar_words(self, words: list[str]) -> dict[str, set[str]]:
        """For each word of the texts that is similar to a word of the terms: those words."""
        candidates = [w for w in words if len(w) >= FUZZY_MIN_LENGTH - 1]
        if not candidates or not self._queries:
            return {}
        scores = process.cdist(
            self._queries, candidates, scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold
        )
        similar: dict[str, set[str]] = {}
        for query, candidate in zip(*numpy.nonzero(scores), strict=True):
            similar.setdefault(candidates[candidate], set()).add(self._queries[query])
        return similar

    def _similar_unspaced(self, query: str, text: str, pair_index: dict[str, list[int]]) -> bool:
        """Fuzzy match in unspaced text, only where the text shares character pairs with the term.

        Each pair of the term found in the text votes for where the term would start there;
        places with votes from at least 40 % of the pairs (about what survives a ratio of 85) are
        then compared with windows of the term's length ± 2.
        """
        length = len(query)
        votes: Counter[int] = Counter()
        for offset in range(length - 1):
            for found in pair_index.get(query[offset : offset + 2], ()):
                votes[found - offset] += 1
        needed = max(2, int(0.4 * length))
        for start in sorted(votes):
            # An inserted or deleted letter shifts the later pairs by one.
            if votes[start] + votes.get(start - 1, 0) + votes.get(start + 1, 0) < needed:
                continue
            candidates = [
                text[begin : begin + size]
                for begin in range(max(0, start - 2), start + 3)
                for size in range(max(1, length - 2), length + 3)
            ]
            if process.extractOne(
                query, candidates, scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold
            ):
                return True
        return False


_SIMILAR = "similar_to_identifying_term"


def _pair_index(text: str) -> dict[str, list[int]]:
    """Where each pair of consecutive characters of ``text`` starts."""
    index: dict[str, list[int]] = {}
    for position in range(len(text) - 1):
        index.setdefault(text[position : position + 2], []).append(position)
    return index


def _found(pattern: _Pattern, normalised: str, squashed: str, digits: str) -> bool:
    """Whether ``pattern`` matches exactly; cheap substring tests rule most texts out first."""
    if pattern.squashed:
        return pattern.squashed in squashed
    if pattern.digits:
        return pattern.digits in digits and bool(pattern.regex.search(normalised))
    return all(n in normalised for n in pattern.needles) and bool(pattern.regex.search(normalised))


def _term_word_positions(
    words: list[str], similar: dict[str, set[str]], term_words: set[str]
) -> dict[str, set[int]]:
    """Where each word of the terms is, or a word resembling it, in a text's ``words``."""
    positions: dict[str, set[int]] = {}
    for index, word in enumerate(words):
        for term_word in similar.get(word, ()):
            positions.setdefault(term_word, set()).add(index)
        if word in term_words:
            positions.setdefault(word, set()).add(index)
    return positions


def _similar_run(term_words: tuple[str, ...], positions: dict[str, set[int]]) -> bool:
    """Whether consecutive words of a text each equal or resemble the term's words, in order.

    A multi-word term written as one word with a typo ("Testchayfakesert") counts too.
    """
    if len(term_words) > 1 and "".join(term_words) in positions:
        return True
    rest = list(enumerate(term_words[1:], start=1))
    return any(
        all(index + offset in positions.get(word, ()) for offset, word in rest)
        for index in positions.get(term_words[0], ())
    )


# --- Patterns of personal data ----------------------------------------------------------------

_ANY_DIGIT = re.compile(r"\d")
# Not glued to a Latin letter: "N01234567" is a passport number (Thai text runs into numbers).
_PHONE_CANDIDATE = re.compile(f"(?<!{_ALNUM})" + r"\+?\(?\d[\d\s\-.()/]{5,}\d")
_EMAIL = re.compile(
    r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    # The usual disguises: "name [at] example [dot] org", "name (at) example.org".
    r"|[\w.+\-]+\s*[\[(]\s*at\s*[\])]\s*[\w\-]+(?:\s*(?:[\[(]\s*dot\s*[\])]|\.)\s*[\w\-]+)+"
)
_URL = re.compile(
    r"\b(?:https?://|www\.)\S+"
    # Bare domains: "facebook.com/…", "example.co.th". Top-level domains that are also English
    # words ("me", "to", "us", "my") only with a path, so "…home.my friend" is not a web address.
    r"|(?<![@.\-])\b[a-z0-9][\w\-]*(?:\.[\w\-]+)*"
    r"(?:\.(?:com|org|net|info|io|app|ly|gl|gd|th|kh|vn|mm|sg|uk)\b(?![\-.]\w)(?:/\S*)?"
    r"|\.(?:me|to|us|la|my|page|link)/\S*)"
)
_HANDLE = re.compile(
    r"(?<![\w.@+\-])@[\w](?:[\w.]*\w)?"
    # Messaging IDs written out, common in Thailand and Cambodia.
    r"|\b(?:line\s*id|facebook|fb|instagram|ig|tiktok|telegram|whatsapp|wechat|zalo|viber|signal)"
    r"\s*(?:id)?\s*[:=]\s*@?[\w.\-]{3,}"
    # "Line: …" only with an ID-like value: "her favourite line: the…" is not an ID.
    r"|\bline\s*[:=]\s*@?(?=[\w.\-]*[\d_.])[\w.\-]{3,}"
    r"|ไลน์(?:ไอดี)?\s*[:=]\s*@?[\w.\-]{3,}"
)
# Thirteen digits, run together or laid out as on the card: 1-1017-00123-45-6.
_THAI_PIN = re.compile(
    r"(?<![\d\-])(?:\d{13}|\d[\s\-]\d{4}[\s\-]\d{5}[\s\-]\d{2}[\s\-]\d)(?![\d\-])"
)
_MY_NRIC = re.compile(r"(?<!\d)\d{6}-?\d{2}-?\d{4}(?!\d)")
_PASSPORT = re.compile(r"(?<![^\W\d_])[a-z]{1,2}\d{7,9}(?!\d)")
_DIGIT_RUN = re.compile(r"(?<!\d)\d{8,}(?!\d)")

_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?!\d)"
_EN_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_YEAR = r"(?:\d{4}|'\d{2})(?!\d)"


def _alternation(words: str) -> str:
    """A regex alternation of space-separated words, normalised as the text will be."""
    return "(?:" + "|".join(re.escape(normalise(w)) for w in words.split()) + ")"


_TH_MONTH = _alternation(
    "มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน "
    "ธันวาคม ม.ค. ก.พ. มี.ค. เม.ย. พ.ค. มิ.ย. ก.ค. ส.ค. ก.ย. ต.ค. พ.ย. ธ.ค."
)
_KM_MONTH = _alternation("មករា កុម្ភៈ កុម្ភ មីនា មេសា ឧសភា មិថុនា កក្កដា សីហា កញ្ញា តុលា វិច្ឆិកា ធ្នូ")
_LO_MONTH = _alternation("ມັງກອນ ກຸມພາ ມີນາ ເມສາ ພຶດສະພາ ມິຖຸນາ ກໍລະກົດ ສິງຫາ ກັນຍາ ຕຸລາ ພະຈິກ ທັນວາ")
_MY_MONTH = _alternation("ဇန်နဝါရီ ဖေဖော်ဝါရီ မတ် ဧပြီ မေ ဇွန် ဇူလိုင် ဩဂုတ် စက်တင်ဘာ အောက်တိုဘာ နိုဝင်ဘာ ဒီဇင်ဘာ")
_NATIVE_MONTH = f"(?:{_TH_MONTH}|{_KM_MONTH}|{_LO_MONTH}|{_MY_MONTH})"
_NATIVE_YEAR = r"(?:\s*(?:พ\.ศ\.|ค\.ศ\.|ឆ្នាំ|ປີ|ခုနှစ်)?\s*\d{2,4}(?!\d))"

# Each date pattern has a group named "year": with a year the date is blocking, without one it
# still gives a day of the year (a birthday, the day of an escape) and is a warning.
_DATES = [
    # 12 March 2021, 12th of March, 12-Mar-21
    re.compile(
        rf"(?<!\d){_DAY}(?:st|nd|rd|th)?(?:\s+of)?[\s\-/.,]*{_EN_MONTH}(?P<year>[\s\-/.,]*{_YEAR})?"
    ),
    # March 12, 2021; March 12th
    re.compile(
        rf"\b(?P<month>{_EN_MONTH})[\s\-.,]*{_DAY}(?:st|nd|rd|th)?\b(?P<year>\s*,?\s*{_YEAR})?"
    ),
    # 12 มีนาคม 2564; ថ្ងៃទី១២ ខែមីនា ឆ្នាំ២០២១ (digits are folded to ASCII by normalise)
    re.compile(rf"(?<!\d){_DAY}\s*(?:ខែ|ເດືອນ)?\s*{_NATIVE_MONTH}(?P<year>{_NATIVE_YEAR})?"),
    # ngày 12 tháng 3 năm 2021 (Vietnamese, diacritics stripped)
    re.compile(
        rf"\b(?:ngay\s+)?{_DAY}\s+thang\s+(?:1[0-2]|0?[1-9])\b(?P<year>\s+(?:nam\s+)?\d{{4}})?"
    ),
]
# 2021-03-12, 2564/03/12
_ISO_DATE = re.compile(r"(?<![\d.])(\d{4})([\-/.])(\d{1,2})\2(\d{1,2})(?![\d.]?\d)")
# 12/03/2021, 12.03.2021, 3/12/21 (a two-digit year only with slashes: "1.2.21" is a version)
_NUMERIC_DATE = re.compile(
    r"(?<![\d./\-])(\d{1,2})([\-/.])(\d{1,2})\2(\d{4}|(?<=/)\d{2})(?![\d.]?\d)"
)

# Words that end a street name. "dr", "drive", "close" and "way" are left out: "5 close friends".
_STREET_WORD = (
    r"(?:street|st|road|rd|lane|ln|avenue|ave|alley|boulevard|blvd|highway|hwy|soi|thanon|trok"
    r"|moo|crescent|terrace)\b\.?"
)
# Words that show a number is a quantity, not a house number ("5 km down the road").
_NOT_A_STREET_NAME = (
    r"(?:a|an|the|of|on|in|at|to|from|by|for|down|up|along|across|into|onto|near|off|and|or|with"
    r"|over|under|around|past|through|behind|beside|km|kilometres|kilometers|miles|metres|meters"
    r"|minutes|hours|days|weeks|months|years|times|people|steps|more|other)\b"
)
_HOUSE_NUMBER = r"(?<![\d/])\d{1,5}(?:/\d{1,4})?[a-z]?\b"
_STREET_ADDRESSES = [
    # 45 Main Street, 12 Soi Sukhumvit 22, 99/12 Moo 4
    re.compile(
        rf"{_HOUSE_NUMBER},?\s+(?:(?!{_NOT_A_STREET_NAME})[^\W\d_][\w'.\-]*\s+){{0,3}}{_STREET_WORD}"
    ),
    # Moo 4 (a village group: it pins down a village), house no. 12
    re.compile(r"\b(?:moo|mu)\.?\s*\d+\b|\bhouse\s+(?:no\.?|number)\s*\d+"),
    re.compile(r"\bso\s+nha\s+\d+"),  # Vietnamese "số nhà 12"
    # Thai: house number, village group, number before soi/road; Khmer: house number
    re.compile(
        rf"(?:{_alternation('บ้านเลขที่ เลขที่')}|{_alternation('หมู่ที่ หมู่')})\s*\d+"
        rf"|\d+(?:/\d+)?\s*{_alternation('ซอย ซ. ถนน ถ. ตรอก หมู่')}"
        rf"|{_alternation('ផ្ទះលេខ')}\s*\d+"
    ),
]
# A numbered street without a house number narrows a place to one street: a reviewer checks it.
_NUMBERED_STREET = re.compile(
    rf"\b(?:street|st|soi|road|rd)\.?\s+(?:no\.?\s*)?\d+\b"
    rf"|{_alternation('ซอย ซ.')}\s*[^\s\d]*\s*\d+"  # ซอยสุขุมวิท 22
    rf"|{_alternation('ផ្លូវលេខ ផ្លូវ')}\s*\d+"  # ផ្លូវលេខ ២៧១; ផ្លូវ alone is also "way"
)

_COORDINATE_NUMBER = r"[\-+]?\d{1,3}\.\d{3,}\s*°?\s*[nsew]?"
_COORDINATES = re.compile(
    rf"(?<![\d.])(?P<lat>{_COORDINATE_NUMBER})\s*[,;/ ]\s*(?P<lon>{_COORDINATE_NUMBER})(?!\d)"
    # Degrees, minutes and optional seconds with a hemisphere: 13°45′22″N
    r"|\d{1,3}\s*°\s*\d{1,2}\s*['′]\s*(?:\d{1,2}(?:\.\d+)?\s*(?:\"|″|′′|'')\s*)?[nsew]\b"
)


def _default_phone_regions() -> tuple[str, ...]:
    """settings.ANONYMISATION_PHONE_REGIONS when Django is configured, else the built-in list."""
    from django.conf import settings

    try:
        return tuple(getattr(settings, "ANONYMISATION_PHONE_REGIONS", DEFAULT_PHONE_REGIONS))
    except ImproperlyConfigured:
        return DEFAULT_PHONE_REGIONS


def _overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)


def _phone_spans(
    normalised: str, regions: Sequence[str]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where phone numbers valid in any of ``regions`` are, and where other numbers look like one.

    ``PhoneNumberMatcher`` is pure Python and slow, so it only reads runs of seven or more digits
    and separators (with one character of context on each side), not the whole text. A number
    that is not valid (an unallocated range, a typo, metadata out of date) but starts like a
    phone number ("+", "(" or a trunk "0") and has a phone number's length is a warning; amounts
    such as "30 000 000" have a phone number's length too, hence the start.
    """
    valid, possible = [], []
    for candidate in _PHONE_CANDIDATE.finditer(normalised):
        text = candidate.group()
        if sum(c.isdigit() for c in text) < 7:
            continue
        if _NUMERIC_DATE.fullmatch(text) or _ISO_DATE.fullmatch(text):
            continue  # "12.03.2021" is a valid number somewhere, but it is a date
        begin = max(0, candidate.start() - 1)
        snippet = normalised[begin : candidate.end() + 1]
        found = [
            (begin + match.start, begin + match.end)
            for region in regions
            for match in phonenumbers.PhoneNumberMatcher(snippet, region)
        ]
        valid += found
        if not found and text[0] in "+(0" and sum(c.isdigit() for c in text) >= 8:
            leniency = phonenumbers.Leniency.POSSIBLE
            if any(
                True
                for region in (*regions, "ZZ")  # "ZZ": only numbers with "+CC"
                for _ in phonenumbers.PhoneNumberMatcher(snippet, region, leniency=leniency)
            ):
                possible.append(candidate.span())
    return valid, possible


def _date_hits(normalised: str) -> Iterator[Severity]:
    for pattern in _DATES:
        for match in pattern.finditer(normalised):
            has_year = bool(match.group("year"))
            month = match.groupdict().get("month")
            if not has_year and month and month.rstrip(".") == "may":
                continue  # "you may 2 …": "May 12" without a year is too often not a date
            yield Severity.BLOCKING if has_year else Severity.WARNING
    for match in _ISO_DATE.finditer(normalised):
        year, _, month, day = match.groups()
        if 1900 <= int(year) <= 2700 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            yield Severity.BLOCKING
    for match in _NUMERIC_DATE.finditer(normalised):
        first, _, second, _ = match.groups()
        a, b = int(first), int(second)
        if (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31):
            yield Severity.BLOCKING


def _pattern_hits(field: str, normalised: str, regions: Sequence[str]) -> list[_Hit]:
    """Personal data found by its shape alone, in a normalised text."""
    hits: list[_Hit] = []

    def add(kind: str, severity: Severity = Severity.BLOCKING) -> None:
        hits.append(_Hit(field, kind, severity, None))

    if not normalised:
        return hits
    has_digit = _ANY_DIGIT.search(normalised)
    recognised: list[tuple[int, int]] = []  # numbers already reported as what they are
    if has_digit:
        phones, possible_phones = _phone_spans(normalised, regions)
        recognised += phones + possible_phones
        if phones:
            add("phone_number")
        if possible_phones:
            add("phone_number", Severity.WARNING)
        for match in _THAI_PIN.finditer(normalised):
            digits = re.sub(r"\D", "", match.group())
            if th_pin.is_valid(digits):
                add("national_id")
                recognised.append(match.span())
            elif not match.group().isdigit():
                add("national_id", Severity.WARNING)  # laid out as an ID, wrong check digit
                recognised.append(match.span())
        for match in _MY_NRIC.finditer(normalised):
            if my_nric.is_valid(match.group()):
                add("national_id")
                recognised.append(match.span())
        for match in _PASSPORT.finditer(normalised):
            add("passport_number")
            recognised.append(match.span())
        for match in _DIGIT_RUN.finditer(normalised):
            if not _overlaps(match.span(), recognised):
                # Nine digits or more is an ID, account or phone number; eight is often a date
                # or an amount, so a reviewer looks at it.
                add(
                    "long_digit_run",
                    Severity.BLOCKING if len(match.group()) >= 9 else Severity.WARNING,
                )
        for severity in _date_hits(normalised):
            add("exact_date", severity)
        if any(p.search(normalised) for p in _STREET_ADDRESSES):
            add("street_address")
        elif _NUMBERED_STREET.search(normalised):
            add("street_address", Severity.WARNING)
        for match in _COORDINATES.finditer(normalised):
            if match.group("lat") is None or (
                abs(float(re.sub(r"[^\d.\-+]", "", match.group("lat")))) <= 90
                and abs(float(re.sub(r"[^\d.\-+]", "", match.group("lon")))) <= 180
            ):
                add("coordinates")
    # The regex is slow on long texts; most texts have no "@" and no "(at)" at all.
    has_at = "@" in normalised or "(at)" in normalised or "[at]" in normalised
    if has_at and _EMAIL.search(normalised):
        add("email_address")
    if _URL.search(normalised):
        add("url", Severity.WARNING)
    if _HANDLE.search(normalised):
        add("social_handle", Severity.WARNING)
    return hits


# --- Findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    field: str
    kind: str
    severity: Severity
    term_kind: str | None


def _message(field: str, kind: str, severity: Severity, term_kinds: list[str]) -> str:
    """What an editor or reviewer reads. Names the field and the kinds, never the text."""
    what = FINDING_KINDS[kind]
    if term_kinds:
        label = "kind" if len(term_kinds) == 1 else "kinds"
        what += f" ({label}: {', '.join(term_kinds)})"
        if kind == "identifying_term" and severity == Severity.WARNING:
            what = f"part of an identifying name ({label}: {', '.join(term_kinds)})"
    if severity == Severity.BLOCKING:
        return f"{field}: contains {what}. Remove it before this can be published."
    return f"{field}: may contain {what}. A reviewer must check it before publishing."


_KIND_ORDER = {kind: position for position, kind in enumerate(FINDING_KINDS)}


def _render(hits: Iterable[_Hit], fields: Iterable[str] = ()) -> list[Finding]:
    """One finding per (field, kind, severity), blocking ones first within a field.

    Fields come in the order of ``fields``, then in the order of their first hit. A field with
    several kinds of identifying term gets one finding that lists the term kinds.
    """
    grouped: dict[tuple[str, str, Severity], list[str]] = {}
    field_order = {field: position for position, field in enumerate(dict.fromkeys(fields))}
    for hit in hits:
        field_order.setdefault(hit.field, len(field_order))
        term_kinds = grouped.setdefault((hit.field, hit.kind, hit.severity), [])
        if hit.term_kind and hit.term_kind not in term_kinds:
            term_kinds.append(hit.term_kind)
    keys = sorted(
        grouped,
        key=lambda k: (field_order[k[0]], k[2] != Severity.BLOCKING, _KIND_ORDER[k[1]]),
    )
    return [
        Finding(
            field=field,
            kind=kind,
            severity=severity,
            message=_message(field, kind, severity, sorted(grouped[field, kind, severity])),
        )
        for field, kind, severity in keys
    ]


def scan_text(item: PublicText, *, phone_regions: Sequence[str] | None = None) -> list[Finding]:
    """Personal data in ``item`` recognisable by its shape: phones, e-mails, IDs, dates…

    ``phone_regions`` are the regions whose national numbers (written without "+CC") are
    recognised; international numbers are recognised whatever the regions.
    """
    regions = _default_phone_regions() if phone_regions is None else phone_regions
    return _render(_pattern_hits(item.field, normalise(item.text), regions))


def scan(
    texts: Iterable[PublicText],
    terms: Iterable[Term],
    *,
    phone_regions: Sequence[str] | None = None,
) -> list[Finding]:
    """Everything ``scan_text`` and a ``TermMatcher`` of ``terms`` find in ``texts``.

    One finding per (field, kind, severity), in the order of the texts.
    """
    regions = _default_phone_regions() if phone_regions is None else phone_regions
    normalised = [(item.field, normalise(item.text)) for item in texts]
    hits = TermMatcher(terms)._hits(normalised)
    for field, text in normalised:
        hits += _pattern_hits(field, text, regions)
    return _render(hits, fields=(field for field, _ in normalised))
