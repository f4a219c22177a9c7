"""The grouping model: is a new concern about an open issue's matter?

`read` reads a concern once; `lookup_keys` are the keys to find candidate issues by in the term
index (`index_keys` those an issue is indexed under); `probability` weighs the evidence of
`evidence.pair_evidence` with the fitted weights of `weights.json` (written by
`manage.py fit_grouping`, see `fitting.py`) into P(same matter); a concern joins its best
candidate at or above JOIN_PROBABILITY, else opens an issue, and the issue's stored profile
becomes `fold(stored, reading)`. IDF weights come from the district's own counts of
`document_terms` (`idf`).

The evaluation harness (`evaluate.py`) and the tests call these functions; they do not copy
the decision.
"""

import functools
import json
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from concerns.intake import evidence
from concerns.intake.evidence import Idf, Reading

__all__ = [
    "JOIN_PROBABILITY",
    "SHOW_PROBABILITY",
    "Idf",
    "Reading",
    "WeightsFileError",
    "decide",
    "document_terms",
    "fold",
    "idf",
    "index_keys",
    "load_weights",
    "lookup_keys",
    "probability",
    "read",
]

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
# A key's ranking weight (key_weights) in thousandths of its IDF.
KEY_POINTS = 1000
# The decision weighs the best candidates by the keys they share, this many (staff are shown
# more): on every set in concerns/tests/data the joins are the same as with 50 (not with 10).
DECIDE_CANDIDATES = 20


class WeightsFileError(ValueError):
    """The weights file is malformed: the model refuses to start on it."""


@dataclass(frozen=True)
class Weights:
    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    join_probability: float
    show_probability: float


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WeightsFileError(f"{what} is not a finite number: {value!r}")
    return float(value)


def load_weights(path: Path = WEIGHTS_FILE) -> Weights:
    """The fitted weights of a file, checked: its features must be exactly the features
    `evidence` computes (in order), every number finite, the probabilities in (0, 1)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise WeightsFileError(f"{path}: {error}") from None
    if not isinstance(data, dict):
        raise WeightsFileError(f"{path}: not an object")
    features = data.get("features")
    coefficients = data.get("coefficients")
    if features != list(evidence.FEATURES):
        raise WeightsFileError(f"{path}: features {features!r} are not {evidence.FEATURES!r}")
    if not isinstance(coefficients, list) or len(coefficients) != len(features):
        raise WeightsFileError(f"{path}: one coefficient a feature expected")
    weights = Weights(
        features=tuple(features),
        coefficients=tuple(_number(c, "a coefficient") for c in coefficients),
        intercept=_number(data.get("intercept"), "intercept"),
        join_probability=_number(data.get("join_probability"), "join_probability"),
        show_probability=_number(data.get("show_probability"), "show_probability"),
    )
    for name in ("join_probability", "show_probability"):
        if not 0 < getattr(weights, name) < 1:
            raise WeightsFileError(f"{path}: {name} must lie strictly between 0 and 1")
    if weights.show_probability > weights.join_probability:
        raise WeightsFileError(f"{path}: show_probability above join_probability")
    return weights


@functools.cache
def fitted_weights() -> Weights:
    """The weights file's weights, loaded on first use (so that `fit_grouping` can run while
    the file is stale or missing; everything else refuses a malformed file)."""
    return load_weights()


if TYPE_CHECKING:
    JOIN_PROBABILITY: float  # join the best candidate at or above this
    SHOW_PROBABILITY: float  # candidates shown to staff at or above this


def __getattr__(name: str) -> float:
    if name == "JOIN_PROBABILITY":
        return fitted_weights().join_probability
    if name == "SHOW_PROBABILITY":
        return fitted_weights().show_probability
    raise AttributeError(name)


def read(text: str, place_names: Sequence[str] = (), category: str = "") -> Reading:
    return evidence.read(text, place_names, category)


def document_terms(reading: Reading) -> frozenset[str]:
    return frozenset(
        [*reading.terms, *reading.characters, *(f"#{c}" for c in reading.concepts), *reading.places]
    )


def idf(documents: int, frequencies: Mapping[str, int]) -> Idf:
    """The district's IDF: `documents` concerns counted, `frequencies[term]` of them with the
    term, this concern included. Only the concern's own `document_terms` are looked up."""
    return Idf(documents, frequencies)


def index_keys(reading: Reading) -> list[str]:
    """The reading's most specific words by the general prior, its places and concepts."""
    words = {t: v for t, v in reading.terms.items() if t[0] == "_"}
    ranked = sorted(words, key=lambda t: (-words[t] * evidence.prior_idf(t), t))
    return [
        *ranked[: evidence.INDEX_TERMS],
        *sorted(reading.places),
        *(f"#{c}" for c in sorted(reading.concepts)),
    ]


def lookup_keys(reading: Reading, weights: Idf) -> list[str]:
    """The reading's rarest indexed words and places that an earlier concern of the district
    had too (a key no other concern had finds nothing; the counts include this concern's own,
    as the store counts a concern before deciding), and its concepts."""
    seen = weights.frequencies
    keys = [k for k in index_keys(reading) if k[0] != "#" and seen.get(k, 0) > 1]
    keys.sort(key=lambda k: (-reading.terms.get(k, 1.0) * weights(k), k))
    return [*keys[: evidence.LOOKUP_TERMS], *(f"#{c}" for c in sorted(reading.concepts))]


def key_weights(keys: Sequence[str], weights: Idf) -> dict[str, int]:
    """What sharing each lookup key counts for when candidates are ranked, in thousandths: a word
    or a place its IDF (at least one), a concept one. A rare shared name then outranks several
    common words, so an old issue of a crowded community, found through its own place, stays a
    candidate. Whole numbers, so that the store's sums and the evaluation's are exact and equal
    weights tie (the newest issue first) on both."""
    return {
        key: KEY_POINTS
        if key.startswith("#")
        else max(KEY_POINTS, round(KEY_POINTS * weights(key)))
        for key in keys
    }


def rare_keys(keys: Sequence[str], weights: Idf, postings: int) -> set[str]:
    """The lookup keys so few of the district's concerns had (this one included) that no
    community of it has more than `postings` open issues filed under them: all their postings
    are read, and the issues found through them are looked up under the other keys."""
    seen = weights.frequencies
    return {key for key in keys if seen.get(key, 0) <= postings}


def fold(stored: str, reading: Reading, weights: Idf | None = None) -> str:
    """The issue's profile with the concern's reading added, under the district's IDF when the
    concern came (`weights`; the general prior alone when not given)."""
    return evidence.fold_profile(stored, reading, weights)


def _logistic(values: Sequence[float], weights: Weights) -> float:
    if len(values) != len(weights.coefficients):
        raise ValueError("one value a feature expected")
    z = weights.intercept + sum(map(operator.mul, weights.coefficients, values))
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def probability(
    reading: Reading, stored: str, weights: Idf, fitted: Weights | None = None
) -> float:
    """P(same matter) of a concern and an open issue's stored profile (`fitted`: other
    weights than the file's, while fitting)."""
    profile = evidence.parse_profile(stored)
    if not profile.count:
        return 0.0  # an unreadable or empty profile (an older format) is no evidence at all
    values = evidence.pair_evidence(reading, profile, weights)
    return _logistic(values, fitted or fitted_weights())


def decide(
    reading: Reading, candidates: Mapping[int, str], weights: Idf, fitted: Weights | None = None
) -> tuple[int | None, dict[int, float]]:
    """The candidate (issue id → stored profile) the concern joins, or None for a new issue,
    with every candidate's probability. Ties go to the oldest issue."""
    fitted = fitted or fitted_weights()
    scores = {n: probability(reading, stored, weights, fitted) for n, stored in candidates.items()}
    best = max(scores, key=lambda n: (scores[n], -n), default=None)
    if best is None or scores[best] < fitted.join_probability:
        return None, scores
    return best, scores
