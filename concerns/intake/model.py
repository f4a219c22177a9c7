"""The grouping model's interface, over the vocabulary of concerns/grouping.py.

An adapter: it gives the store and the submit their interface (read a text, the keys to index
and look it up by, fold it into an issue's stored profile, the probability that a concern
and an issue are one matter) while the learnt model is written; that model replaces this file.

Its probability is the old similarity (0–1, not calibrated), its bars the old thresholds.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from concerns import grouping

# A concern joins the best candidate at or above this; staff are shown those at or above SHOW.
JOIN_PROBABILITY: float = grouping.JOIN_THRESHOLD
SHOW_PROBABILITY: float = grouping.CANDIDATE_THRESHOLD

# An explicit category other than the makes a match less likely, not impossible.
_OTHER_CATEGORY_FACTOR = 0.8
_CATEGORY = "~category="
# The keys a concern is looked up by: its strongest, weighed by how rare they are.
_LOOKUP_KEYS = 8


@dataclass(frozen=True)
class Reading:
    """What the model reads from one concern's text."""

    weights: dict[str, float] = field(hash=False)
    norm: float
    category: str = ""


@dataclass(frozen=True)
class Idf:
    """IDF weights learnt from a district's counts (all 1 while it has no history)."""

    documents: int
    frequencies: Mapping[str, int] = field(hash=False)

    def weight(self, term: str) -> float:
        if self.documents <= 0:
            return 1.0
        return math.log((self.documents + 1) / (self.frequencies.get(term, 0) + 1)) + 1.0


def read(text: str, place_names: Sequence[str] = (), category: str = "") -> Reading:
    weights = grouping.features(text, place_names).weights
    return Reading(weights, grouping._norm(weights), category)


def _specific(key: str) -> bool:
    # Bigrams are many per text and building numbers shared by every compound.
    return not key.startswith(("b:", "@"))


def document_terms(reading: Reading) -> frozenset[str]:
    return frozenset(key for key in reading.weights if _specific(key))


def idf(documents: int, frequencies: Mapping[str, int]) -> Idf:
    return Idf(documents, dict(frequencies))


def index_keys(reading: Reading) -> list[str]:
    # Concepts, words and places (bigrams only for a text that has none of them): few keys
    # per concern, each telling more than a bigram does.
    keys = sorted(document_terms(reading))
    return keys or sorted(key for key in reading.weights if not key.startswith("@"))


def lookup_keys(reading: Reading, weights: Idf) -> list[str]:
    keys = index_keys(reading)
    keys.sort(key=lambda k: (-reading.weights[k] * weights.weight(k), k))
    return keys[:_LOOKUP_KEYS]


def _split(stored: str) -> tuple[str, str]:
    """The profile without its category token, and the category."""
    terms, _, category = stored.partition(_CATEGORY)
    return terms.strip(), category.strip()


def fold(stored: str, reading: Reading) -> str:
    terms, category = _split(stored)
    folded = grouping.add_terms(terms, reading.weights)
    category = category or reading.category
    return f"{folded} {_CATEGORY}{category}" if category else folded


def probability(reading: Reading, stored: str, weights: Idf) -> float:
    terms, category = _split(stored)
    score = grouping.similarity_to(reading.weights, reading.norm, terms)
    if reading.category and category and reading.category != category:
        score *= _OTHER_CATEGORY_FACTOR
    return score


def warm_up() -> None:
    grouping.warm_up()
