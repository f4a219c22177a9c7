"""Grouping judged on streams of messages: pairwise precision, recall and F1 of a set file.

A set file holds communities (`@@ name | place names`), each with clusters
(`== cluster-id category: what the matter is`) of messages, one a line (`主题 ‖ 正文` is a
subject and a body); a cluster is one concrete matter at one place, a cluster of one must stay
alone. Each community's messages arrive interleaved in several seeded orders (each cluster in
its own order, its first report first) and go through the production decision, without the
database: `model.read`, candidates by `model.lookup_keys` from an inverted index of the
community's open issues, `model.decide`, `model.fold`; the IDF is learnt online from the
messages of the file seen so far (the message itself included), as a district's counts are.

    PYTHONPATH=. .venv/bin/python -m concerns.intake.evaluate FILE [FILE...] [-v]
        [--baseline lexical] [--board]

`--baseline lexical` scores the same streams with issue #17's plain lexical baseline instead
(`LexicalBaseline`), so that any set can be read beside the model. `--board` posts every
message of every file to one community in one stream, as the benchmark from outside posts a
whole city board of several thousand posts, and scores each file on its own pairs only
(`evaluate_board`): the other files are the board's unlabelled history, their posts are
candidates and their words are counted in the IDF.
"""

import argparse
import heapq
import math
import random
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from concerns.intake import model
from concerns.intake.evidence import Reading

SEEDS = (1, 2, 3)


@dataclass(frozen=True)
class Message:
    cluster: str
    category: str
    text: str


@dataclass
class Community:
    name: str
    places: tuple[str, ...]
    messages: list[Message] = field(default_factory=list)


def load(path: Path | str) -> list[Community]:
    communities: list[Community] = []
    cluster = category = ""
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("@@"):
            title, _, places = line[2:].partition("|")
            communities.append(Community(title.strip(), (title.strip(), *places.split())))
        elif line.startswith("=="):
            head = line[2:].split()
            cluster = head[0]
            category = head[1].rstrip(":") if len(head) > 1 else ""
        else:
            if not communities or not cluster:
                raise ValueError(f"{path}:{number}: a message before @@ community / == cluster")
            text = "\n".join(part.strip() for part in line.split("‖"))
            communities[-1].messages.append(
                Message(f"{communities[-1].name}/{cluster}", category, text)
            )
    return communities


def arrival_order(community: Community, seed: int) -> list[Message]:
    """The messages shuffled, keeping each cluster's own order (its first report first)."""
    rng = random.Random(f"{community.name}-{seed}")
    queues: dict[str, list[Message]] = {}
    for message in community.messages:
        queues.setdefault(message.cluster, []).append(message)
    slots = [c for c, messages in queues.items() for _ in messages]
    rng.shuffle(slots)
    return [queues[c].pop(0) for c in slots]


_READINGS: dict[tuple[str, tuple[str, ...]], Reading] = {}


def reading_of(message: Message, places: tuple[str, ...]) -> Reading:
    key = (message.text, places)
    reading = _READINGS.get(key)
    if reading is None:
        reading = _READINGS[key] = model.read(message.text, places)
    return reading


class District:
    """Document frequencies learnt online, as the store keeps them per district."""

    def __init__(self) -> None:
        self.documents = 0
        self.frequencies: dict[str, int] = {}

    def idf(self, reading: Reading) -> model.Idf:
        """The IDF as the store gives it: the counts of the reading's own terms only."""
        terms = model.document_terms(reading)
        seen = self.frequencies
        return model.idf(self.documents, {t: seen[t] for t in terms if t in seen})

    def count(self, reading: Reading) -> None:
        self.documents += 1
        for term in model.document_terms(reading):
            self.frequencies[term] = self.frequencies.get(term, 0) + 1


# As the store reads candidates (concerns.intake.store.candidates, the same numbers:
# test_intake_model checks): per key, the newest POSTINGS_PER_KEY issues filed under it; of
# those, the issues sharing the greatest weight of lookup keys (model.key_weights, every key
# they have counted), newest first among equals, at most MAX_CANDIDATES.
MAX_CANDIDATES = 50
POSTINGS_PER_KEY = 100


class Board:
    """A community's open issues (stored profiles) and its term → issues index."""

    def __init__(self) -> None:
        self.issues: list[str] = []
        self.index: dict[str, set[int]] = {}

    def candidates(
        self, reading: Reading, weights: model.Idf, limit: int = MAX_CANDIDATES
    ) -> dict[int, str]:
        keys = model.lookup_keys(reading, weights)
        points = model.key_weights(keys, weights)
        rare = model.rare_keys(keys, weights, POSTINGS_PER_KEY)

        def newest(key: str) -> list[int]:
            return heapq.nlargest(POSTINGS_PER_KEY, self.index.get(key, ()))

        found: dict[int, int] = {}
        for key in rare:
            for number in newest(key):
                found[number] = found.get(number, 0) + points[key]
        best = set(sorted(found, key=lambda n: (found[n], n), reverse=True)[:limit])
        shared = dict(found)
        for key in points.keys() - rare:
            # The best found through rare keys are credited with every common key they have;
            # the others with the common keys' newest postings only, as the store reads them.
            for number in best:
                if number in self.index.get(key, ()):
                    shared[number] += points[key]
            for number in newest(key):
                if number not in best:
                    shared[number] = shared.get(number, 0) + points[key]
        ranked = sorted(shared, key=lambda n: (shared[n], n), reverse=True)[:limit]
        return {number: self.issues[number] for number in ranked}

    def file(self, number: int | None, reading: Reading, weights: model.Idf | None = None) -> int:
        """Fold the reading into issue `number`, or a new issue; index it; its number."""
        if number is None:
            self.issues.append("")
            number = len(self.issues) - 1
        self.issues[number] = model.fold(self.issues[number], reading, weights)
        for key in model.index_keys(reading):
            self.index.setdefault(key, set()).add(number)
        return number


def group_stream(
    stream: Sequence[Message],
    places: tuple[str, ...],
    district: District | None = None,
    fitted: "model.Weights | None" = None,
) -> list[int]:
    """The issue each message lands in, decided as production decides."""
    district = district or District()
    board = Board()
    landed = []
    for message in stream:
        reading = reading_of(message, places)
        district.count(reading)  # as the store counts a concern before deciding
        weights = district.idf(reading)
        offered = board.candidates(reading, weights, model.DECIDE_CANDIDATES)
        joined, _ = model.decide(reading, offered, weights, fitted)
        landed.append(board.file(joined, reading, weights))
    return landed


class LexicalBaseline:
    """Issue #17's reference: character 2–3-gram TF-IDF with sublinear TF and an IDF learnt
    online from the messages seen so far, cosine against each open issue's centroid (the sum
    of its messages' unit vectors), candidates every issue sharing a gram (an inverted index
    over all open issues), join the best at cosine > JOIN_COSINE. No model, no vocabulary."""

    JOIN_COSINE = 0.10
    _RUNS = re.compile(r"[\u4e00-\u9fffa-z0-9]+")

    def __init__(self) -> None:
        self.documents = 0
        self.frequencies: dict[str, int] = {}
        self.centroids: list[dict[str, float]] = []
        self.index: dict[str, set[int]] = {}

    def grams(self, text: str) -> dict[str, float]:
        counts: dict[str, int] = {}
        for run in self._RUNS.findall(unicodedata.normalize("NFKC", text).lower()):
            for size in (2, 3):
                for start in range(len(run) - size + 1):
                    gram = run[start : start + size]
                    counts[gram] = counts.get(gram, 0) + 1
        return {gram: 1 + math.log(count) for gram, count in counts.items()}

    def vector(self, tf: dict[str, float]) -> dict[str, float]:
        self.documents += 1
        for gram in tf:
            self.frequencies[gram] = self.frequencies.get(gram, 0) + 1
        n = self.documents
        weighted = {
            g: v * (math.log((n + 1) / (self.frequencies[g] + 1)) + 1) for g, v in tf.items()
        }
        norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
        return {g: v / norm for g, v in weighted.items()}

    def place(self, text: str) -> int:
        vector = self.vector(self.grams(text))
        candidates = set().union(*(self.index.get(g, set()) for g in vector))
        best, best_cosine = None, self.JOIN_COSINE
        for number in sorted(candidates):
            centroid = self.centroids[number]
            norm = math.sqrt(sum(v * v for v in centroid.values()))
            cosine = sum(v * centroid.get(g, 0.0) for g, v in vector.items()) / norm
            if cosine > best_cosine:
                best, best_cosine = number, cosine
        if best is None:
            self.centroids.append({})
            best = len(self.centroids) - 1
        centroid = self.centroids[best]
        for gram, value in vector.items():
            centroid[gram] = centroid.get(gram, 0.0) + value
            self.index.setdefault(gram, set()).add(best)
        return best


def baseline_stream(stream: Sequence[Message], baseline: LexicalBaseline) -> list[int]:
    """The issue each message lands in under the lexical baseline (its IDF shared by the
    file's communities, as the model's district counts are)."""
    board = LexicalBaseline()
    board.documents, board.frequencies = baseline.documents, baseline.frequencies
    landed = [board.place(message.text) for message in stream]
    baseline.documents = board.documents
    return landed


@dataclass
class Figures:
    together: int = 0  # pairs put in one issue
    truly: int = 0  # pairs of one matter
    both: int = 0
    wrong_joins: list[tuple[str, str]] = field(default_factory=list)
    splits: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.both / self.together if self.together else 1.0

    @property
    def recall(self) -> float:
        return self.both / self.truly if self.truly else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Figures") -> None:
        self.together += other.together
        self.truly += other.truly
        self.both += other.both
        self.wrong_joins += other.wrong_joins
        self.splits += other.splits

    def __str__(self) -> str:
        return f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}"


def score(stream: Sequence[Message], landed: Sequence[int], figures: Figures) -> None:
    for (a, issue_a), (b, issue_b) in combinations(zip(stream, landed, strict=True), 2):
        same_issue, same_matter = issue_a == issue_b, a.cluster == b.cluster
        figures.together += same_issue
        figures.truly += same_matter
        figures.both += same_issue and same_matter
        if same_issue and not same_matter:
            figures.wrong_joins.append((a.text, b.text))
        elif same_matter and not same_issue:
            figures.splits.append((a.text, b.text))


def streams(
    communities: Iterable[Community], seeds: Sequence[int]
) -> Iterator[tuple[int, Community, list[Message]]]:
    for seed in seeds:
        for community in communities:
            yield seed, community, arrival_order(community, seed)


def evaluate(
    path: Path | str,
    seeds: Sequence[int] = SEEDS,
    fitted: "model.Weights | None" = None,
    baseline: str = "",
) -> Figures:
    """The set's figures under the model (`fitted` weights, else the file's), or under
    `baseline` ("lexical": `LexicalBaseline`)."""
    figures = Figures()
    communities = load(path)
    districts: dict[int, District] = {}
    lexical: dict[int, LexicalBaseline] = {}
    for seed, community, stream in streams(communities, seeds):
        if baseline == "lexical":
            landed = baseline_stream(stream, lexical.setdefault(seed, LexicalBaseline()))
        elif baseline:
            raise ValueError(f"no baseline {baseline!r}")
        else:
            district = districts.setdefault(seed, District())
            landed = group_stream(stream, community.places, district, fitted)
        score(stream, landed, figures)
    return figures


def evaluate_board(
    paths: Sequence[Path | str],
    seeds: Sequence[int] = SEEDS,
    fitted: "model.Weights | None" = None,
    baseline: str = "",
) -> list[Figures]:
    """Each file's figures when the messages of all of them arrive in one community (every
    file's place names its own), interleaved: only pairs of one file are scored."""
    board = Community("board", ())
    for number, path in enumerate(paths):
        for community in load(path):
            board.places = tuple(dict.fromkeys([*board.places, *community.places]))
            board.messages += [
                Message(f"{number}:{m.cluster}", m.category, m.text) for m in community.messages
            ]
    figures = [Figures() for _ in paths]
    for seed in seeds:
        stream = arrival_order(board, seed)
        if baseline == "lexical":
            landed = baseline_stream(stream, LexicalBaseline())
        elif baseline:
            raise ValueError(f"no baseline {baseline!r}")
        else:
            landed = group_stream(stream, board.places, District(), fitted)
        for number, file_figures in enumerate(figures):
            mine = [
                (m, n)
                for m, n in zip(stream, landed, strict=True)
                if m.cluster.startswith(f"{number}:")
            ]
            score([m for m, _ in mine], [n for _, n in mine], file_figures)
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="print wrong joins, splits")
    parser.add_argument(
        "--baseline", choices=["lexical"], default="", help="score a baseline instead of the model"
    )
    parser.add_argument(
        "--board", action="store_true", help="post all files to one community, score each file"
    )
    args = parser.parse_args(argv)
    overall = Figures()
    if args.board:
        each = evaluate_board(args.files, baseline=args.baseline)
    else:
        each = [evaluate(path, baseline=args.baseline) for path in args.files]
    for path, figures in zip(args.files, each, strict=True):
        overall.add(figures)
        print(f"{path.name:32} {figures}")
        if args.verbose:
            for a, b in sorted(set(figures.wrong_joins))[:40]:
                print(f"  WRONG  {a[:60]!r}\n         {b[:60]!r}")
            for a, b in sorted(set(figures.splits))[:40]:
                print(f"  SPLIT  {a[:60]!r}\n         {b[:60]!r}")
    if len(args.files) > 1:
        print(f"{'overall':32} {overall}")


if __name__ == "__main__":
    main(sys.argv[1:])
