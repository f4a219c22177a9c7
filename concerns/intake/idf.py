"""The weight of a term: jieba's shipped word IDF table as the general prior (`prior_idf`) and
a district's own counts learnt online over it (`Idf`), with the reading's vectors weighed by
them for comparing with many issues."""

import functools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concerns.intake.evidence import Reading

PRIOR_DOCUMENTS = 1000


@functools.cache
def prior_table() -> tuple[dict[str, float], float]:
    """jieba's shipped word IDF table (ln of its corpus size over a word's document count)."""
    import jieba

    table: dict[str, float] = {}
    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, value = line.partition(" ")
        table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


def prior_idf(term: str) -> float:
    """A term's IDF by jieba's table: a word's ("_词") or a character gram's that is a word;
    for a gram that is not, the mean of its characters' (a gram of common characters such as
    "的业" is common); the table's median for anything else (rare words, concepts, places)."""
    known = _PRIORS.get(term)
    if known is None:
        table, median = prior_table()
        if term[0] == "_":
            known = table.get(term[1:], median)
        elif term[0] in "#@":
            known = median
        else:
            known = table.get(term) or sum(table.get(c, median) for c in term) / len(term)
        if len(_PRIORS) < 500_000:
            _PRIORS[term] = known
    return known


_PRIORS: dict[str, float] = {}


class Idf:
    """IDF weights from a district's counts, with jieba's table as PRIOR_DOCUMENTS
    pseudo-documents: while the district has few concerns the prior decides, then its own
    counts do (a city's name on every post of a board soon weighs nothing)."""

    def __init__(self, documents: int, frequencies: Mapping[str, int]) -> None:
        self.documents = documents
        self.frequencies = frequencies
        self._total = math.log(documents + PRIOR_DOCUMENTS + 1) + 1
        self._cache: dict[str, float] = {}
        self._sides: dict[int, tuple[Reading, dict[str, tuple[float, int]]]] = {}
        self._vectors: dict[int, tuple[Reading, dict[str, float]]] = {}

    def __call__(self, term: str) -> float:
        weight = self._cache.get(term)
        if weight is None:
            prior = PRIOR_DOCUMENTS * math.exp(-prior_idf(term))
            weight = self._total - math.log(self.frequencies.get(term, 0) + prior + 1)
            self._cache[term] = weight
        return weight

    def character_vector(self, reading: "Reading") -> dict[str, float]:
        """The reading's characters weighed by this IDF, of unit length (kept for the next
        candidate)."""
        kept = self._vectors.get(id(reading))
        if kept is None or kept[0] is not reading:
            weighted = {c: v * self(c) for c, v in reading.characters.items()}
            norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
            if len(self._vectors) > 64:
                self._vectors.clear()
            kept = self._vectors[id(reading)] = (
                reading,
                {c: v / norm for c, v in weighted.items()},
            )
        return kept[1]

    def lexical_side(self, reading: "Reading") -> dict[str, tuple[float, int]]:
        """The reading's terms weighed by this IDF, the character grams and the words each of
        unit length, kept for the next candidate: term → (its weight, 0 a character gram / 1
        a word of the general vocabulary / 2 another word)."""
        kept = self._sides.get(id(reading))
        if kept is None or kept[0] is not reading:
            vocabulary = prior_table()[0]
            weighted = {term: value * self(term) for term, value in reading.terms.items()}
            norms = [n or 1.0 for n in part_norms(weighted)]
            side = {}
            for term, value in weighted.items():
                word = term[0] == "_"
                part = 0 if not word else 1 if term[1:] in vocabulary else 2
                side[term] = (value / norms[word], part)
            if len(self._sides) > 64:
                self._sides.clear()
            kept = self._sides[id(reading)] = (reading, side)
        return kept[1]


def part_norms(terms: Mapping[str, float]) -> tuple[float, float]:
    """The lengths of the character-gram and the word parts of a term vector."""
    chars = words = 0.0
    for term, weighted in terms.items():
        if term[0] == "_":
            words += weighted * weighted
        else:
            chars += weighted * weighted
    return math.sqrt(chars), math.sqrt(words)
