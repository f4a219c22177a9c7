"""Fitting the grouping model's weights from labelled pairs (`manage.py fit_grouping`).

Pairs come from the TUNING sets, generated as production would meet them: each set's messages
stream in (as in `evaluate.py`), each message is compared with every candidate issue the term
index offers at that moment, and the pair is labelled by whether the issue is the message's
true matter; the message then joins its true matter's issue (or opens it), so that the issues
are what they should be. A district's staff corrections (`store.labelled_pairs`) are added as
they are. A logistic regression (L2, fitted by iteratively reweighted least squares) weighs the
evidence; JOIN_PROBABILITY is then chosen on the VALIDATION sets as the bar with the best F1
(mean over the two styles of writing) among those whose precision is at least MIN_PRECISION
(among all, if none is),
SHOW_PROBABILITY as the bar above which SHOW_RECALL of the true issues still show among the
candidates.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from concerns.intake import evaluate, evidence, model
from concerns.intake.evaluate import Board, District

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
TUNING_SETS = (
    "grouping_tuning.txt",
    *(f"grouping_round{n}.txt" for n in range(2, 11)),
    "formal_tuning.txt",
    "colloquial_tuning2.txt",
    "formal_tuning2.txt",
    "formal_board_tuning.txt",
    # Round 7 (written as held-out sets, measured untouched on 3 December, then fitted on):
    # a board with one matter of 36 posts over six years, as real boards have.
    "holdout7/board_holdout7.txt",
    "holdout7/colloquial_holdout7.txt",
)
VALIDATION_SETS = (
    "grouping_heldout.txt",
    "grouping_fresh.txt",
    "formal_validation.txt",
    "formal_board_validation.txt",
)
MIN_PRECISION = 0.97
SHOW_RECALL = 0.95
RIDGE = 10.0
BARS = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))

Pairs = tuple[list[tuple[float, ...]], list[bool]]


def is_long(path: Path) -> bool:
    """A set of long formal posts (`formal_*`, `board_*`), else of short colloquial messages."""
    return path.name.startswith(("formal", "board"))


def style_weights(paths: Sequence[Path], counts: Sequence[int]) -> list[float]:
    """Pair weights under which the two styles of writing, long formal posts (`formal_*` sets)
    and short colloquial messages (the others), weigh alike however many pairs each gave."""
    formal = [is_long(p) for p in paths]
    totals = {
        style: sum(n for f, n in zip(formal, counts, strict=True) if f == style)
        for style in (True, False)
    }
    styles = sum(1 for t in totals.values() if t)
    weights: list[float] = []
    for f, n in zip(formal, counts, strict=True):
        weights += [sum(counts) / (styles * totals[f])] * n
    return weights


def pair_weights(paths: Sequence[Path], counts: Sequence[int], sizes: Sequence[int]) -> list[float]:
    """Each pair weighed by the pairs its decision makes or breaks (pairwise precision and
    recall count them): joining a concern to an issue of k concerns joins k pairs. Then the
    two styles of writing weigh alike (`style_weights`)."""
    styles = style_weights(paths, counts)
    long_rows: list[bool] = []
    for path, n in zip(paths, counts, strict=True):
        long_rows += [is_long(path)] * n
    weighted = [w * k for w, k in zip(styles, sizes, strict=True)]
    for style in (True, False):
        before = sum(w for w, f in zip(styles, long_rows, strict=True) if f == style)
        after = sum(w for w, f in zip(weighted, long_rows, strict=True) if f == style)
        if after:
            weighted = [
                w * before / after if f == style else w
                for w, f in zip(weighted, long_rows, strict=True)
            ]
    return weighted


def stream_pairs(
    paths: Iterable[Path],
    seeds: Sequence[int] = evaluate.SEEDS,
    counts: list[int] | None = None,
    sizes: list[int] | None = None,
) -> Pairs:
    """Every (message, candidate issue) pair the streams of the sets offer, labelled (and the
    number of pairs of each set appended to `counts`)."""
    rows: list[tuple[float, ...]] = []
    labels: list[bool] = []
    for path in paths:
        before = len(rows)
        districts: dict[int, District] = {}
        communities = evaluate.load(path)
        for seed, community, stream in evaluate.streams(communities, seeds):
            district = districts.setdefault(seed, District())
            board = Board()
            issue_of: dict[str, int] = {}
            matter_of: list[str] = []
            for message in stream:
                reading = evaluate.reading_of(message, community.places)
                district.count(reading)
                weights = district.idf(reading)
                for number, stored in board.candidates(reading, weights).items():
                    profile = evidence.parse_profile(stored)
                    rows.append(evidence.pair_evidence(reading, profile, weights))
                    labels.append(matter_of[number] == message.cluster)
                    if sizes is not None:
                        sizes.append(profile.count)
                number = board.file(issue_of.get(message.cluster), reading, weights)
                if number == len(matter_of):
                    matter_of.append(message.cluster)
                issue_of[message.cluster] = number
        if counts is not None:
            counts.append(len(rows) - before)
    return rows, labels


def correction_pairs(corrections: Iterable[tuple[str, list[str], bool]]) -> Pairs:
    """Staff corrections: (a concern's text, the texts of the issue's other concerns, same?)."""
    corrections = list(corrections)
    district = District()
    for text, others, _ in corrections:
        for written in [text, *others]:
            district.count(model.read(written))
    rows, labels = [], []
    for text, others, same in corrections:
        stored = ""
        for other in others:
            read_other = model.read(other)
            stored = model.fold(stored, read_other, district.idf(read_other))
        if stored:
            reading = model.read(text)
            profile = evidence.parse_profile(stored)
            rows.append(evidence.pair_evidence(reading, profile, district.idf(reading)))
            labels.append(same)
    return rows, labels


def logistic(
    rows: Sequence[Sequence[float]],
    labels: Sequence[bool],
    sample_weights: Sequence[float] | None = None,
) -> tuple[list[float], float]:
    """Coefficients and intercept of an L2-penalised logistic regression on standardised
    features (the intercept is not penalised), by iteratively reweighted least squares."""
    raw = np.asarray(rows, dtype=float)
    mean = raw.mean(axis=0)
    scale = raw.std(axis=0)
    scale[scale == 0] = 1.0
    x = np.hstack([np.ones((len(rows), 1)), (raw - mean) / scale])
    y = np.asarray(labels, dtype=float)
    s = np.ones(len(rows)) if sample_weights is None else np.asarray(sample_weights, dtype=float)
    penalty = np.full(x.shape[1], RIDGE)
    penalty[0] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (s * (y - p)) - penalty * w
        hessian = (x * (s * p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-9 * np.eye(x.shape[1]), gradient)
        w += step
        if np.max(np.abs(step)) < 1e-9:
            break
    coefficients = w[1:] / scale
    return [float(v) for v in coefficients], float(w[0] - coefficients @ mean)


def _precise_f(figures: evaluate.Figures) -> float:
    """F0.5: precision weighs twice recall (a wrong join miscounts residents and hides one
    matter inside another; a missed join leaves two issues staff can merge)."""
    p, r = figures.precision, figures.recall
    return 1.25 * p * r / (0.25 * p + r) if p + r else 0.0


def choose_bars(
    coefficients: list[float], intercept: float, validation: Sequence[Path]
) -> tuple[float, float, dict[float, evaluate.Figures]]:
    """The join bar: the best F1 (mean over the two styles of writing) among the bars whose
    precision reaches MIN_PRECISION in each style; when none does, the best F0.5 among all
    (precision first, but a bar that joins almost nothing is no answer to imprecision: it
    splits every matter and miscounts its residents as surely)."""
    figures: dict[float, evaluate.Figures] = {}
    by_style: dict[float, list[evaluate.Figures]] = {}
    for bar in BARS:
        fitted = model.Weights(evidence.FEATURES, tuple(coefficients), intercept, bar, bar / 2)
        styles: dict[bool, evaluate.Figures] = {}
        for path in validation:
            style = styles.setdefault(is_long(path), evaluate.Figures())
            style.add(evaluate.evaluate(path, fitted=fitted))
        by_style[bar] = list(styles.values())
        figures[bar] = evaluate.Figures()
        for style in styles.values():
            figures[bar].add(style)

    def mean(score: Callable[[evaluate.Figures], float], bar: float) -> float:
        return sum(score(f) for f in by_style[bar]) / len(by_style[bar])

    good = [b for b in BARS if all(f.precision >= MIN_PRECISION for f in by_style[b])]
    if good:
        join = max(good, key=lambda bar: (mean(lambda f: f.f1, bar), -bar))
    else:
        join = max(BARS, key=lambda bar: (mean(_precise_f, bar), -bar))
    rows, labels = stream_pairs(validation)
    fitted = model.Weights(evidence.FEATURES, tuple(coefficients), intercept, join, join)
    true_scores = sorted(
        model._logistic(row, fitted) for row, label in zip(rows, labels, strict=True) if label
    )
    show = true_scores[int(len(true_scores) * (1 - SHOW_RECALL))] if true_scores else join / 2
    return join, min(join, max(show, 0.01)), figures


def existing(names: Iterable[str], data: Path = DATA) -> list[Path]:
    return [data / name for name in names if (data / name).exists()]


def fit(
    tuning: Sequence[Path],
    validation: Sequence[Path],
    corrections: Iterable[tuple[str, list[str], bool]] = (),
) -> dict[str, object]:
    counts: list[int] = []
    sizes: list[int] = []
    rows, labels = stream_pairs(tuning, counts=counts, sizes=sizes)
    sample_weights = pair_weights(tuning, counts, sizes)
    extra_rows, extra_labels = correction_pairs(corrections)
    rows += extra_rows
    labels += extra_labels
    sample_weights += [1.0] * len(extra_rows)
    coefficients, intercept = logistic(rows, labels, sample_weights)
    join, show, figures = choose_bars(coefficients, intercept, validation)
    return {
        "features": list(evidence.FEATURES),
        "coefficients": [round(c, 6) for c in coefficients],
        "intercept": round(intercept, 6),
        "join_probability": join,
        "show_probability": round(show, 4),
        "fitted_on": [p.name for p in tuning]
        + ([f"{len(extra_rows)} staff pairs"] if extra_rows else []),
        "pairs": len(rows),
        "positive_pairs": sum(labels),
        "validation": {
            "sets": [p.name for p in validation],
            "precision": round(figures[join].precision, 4),
            "recall": round(figures[join].recall, 4),
            "f1": round(figures[join].f1, 4),
        },
    }


def dumps(fitted: dict[str, object]) -> str:
    return json.dumps(fitted, ensure_ascii=False, indent=1) + "\n"


def write(fitted: dict[str, object], path: Path = model.WEIGHTS_FILE) -> None:
    path.write_text(dumps(fitted), encoding="utf-8")
    model.load_weights(path)  # refuse to leave a file the model would refuse
