"""Fitting the grouping model's weights from labelled pairs (`manage.py fit_grouping`).

Pairs come from the TUNING sets, generated as production would meet them: each set's messages
stream in (as in `evaluate.py`), each message is compared with every candidate issue the term
index offers at that moment, and the pair is labelled by whether the issue is the message's
true matter; the message then joins its true matter's issue (or opens it), so that the issues
are what they should be. A district's staff corrections (`store.labelled_pairs`) are added as
they are. A logistic regression (L2, fitted by iteratively reweighted least squares) weighs the
evidence. The join bars are then chosen on the VALIDATION sets, one for each style of writing
(messages, and posts with a subject line: `model.join_bar`), as the bar with the best F1 among
those whose precision is at least MIN_PRECISION (the best F0.5 among all, if none is:
precision first);
SHOW_PROBABILITY as the bar above which SHOW_RECALL of the true issues still show among the
candidates.
"""

import json
from collections.abc import Iterable, Sequence
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
)
VALIDATION_SETS = (
    "grouping_heldout.txt",
    "grouping_fresh.txt",
    "formal_validation.txt",
    "formal_board_validation.txt",
    # The held-out sets of earlier rounds, measured once untouched (README), now validation.
    "holdout/formal_holdout.txt",
    "holdout/colloquial_holdout.txt",
    "holdout2/formal_holdout2.txt",
    "holdout2/colloquial_holdout2.txt",
)
BOARD_SETS = "formal_board"
MIN_PRECISION = 0.97
SHOW_RECALL = 0.95
RIDGE = 10.0
BARS = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))

Pairs = tuple[list[tuple[float, ...]], list[bool]]


def style_weights(paths: Sequence[Path], counts: Sequence[int]) -> list[float]:
    """Pair weights under which the two styles of writing, long formal posts (`formal_*` sets)
    and short colloquial messages (the others), weigh alike however many pairs each gave."""
    formal = [p.name.startswith("formal") for p in paths]
    totals = {
        style: sum(n for f, n in zip(formal, counts, strict=True) if f == style)
        for style in (True, False)
    }
    styles = sum(1 for t in totals.values() if t)
    weights: list[float] = []
    for f, n in zip(formal, counts, strict=True):
        weights += [sum(counts) / (styles * totals[f])] * n
    return weights


def stream_pairs(
    paths: Iterable[Path], seeds: Sequence[int] = evaluate.SEEDS, counts: list[int] | None = None
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
                number = board.file(issue_of.get(message.cluster), reading)
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
            stored = model.fold(stored, model.read(other))
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


def _best_bar(by_bar: dict[float, evaluate.Figures]) -> float:
    """The best F1 among the bars whose precision reaches MIN_PRECISION; when none does, the
    best F0.5 among all (precision first, but a bar that joins almost nothing is no answer to
    imprecision: it splits every matter and miscounts its residents as surely)."""
    good = [bar for bar in BARS if by_bar[bar].precision >= MIN_PRECISION]
    if good:
        return max(good, key=lambda bar: (by_bar[bar].f1, -bar))
    return max(BARS, key=lambda bar: (_precise_f(by_bar[bar]), -bar))


def _weights(
    coefficients: list[float], intercept: float, join: float, post: float
) -> model.Weights:
    return model.Weights(
        evidence.FEATURES, tuple(coefficients), intercept, join, min(join, post) / 2, post
    )


def choose_bars(
    coefficients: list[float], intercept: float, validation: Sequence[Path]
) -> tuple[float, float, float, evaluate.Figures]:
    """The join bars of messages and of posts, the show bar, and the validation figures under
    them. The messages' bar is chosen on the sets of messages; the posts' bar on the sets of
    posts written like a city's message board (`formal_board_*`: matters at the rate a board
    has them), not on the formal sets written to be hard (two matters of one place in every
    other group), which would choose a bar for traps rather than for boards."""
    by_style: dict[bool, dict[float, evaluate.Figures]] = {True: {}, False: {}}
    for bar in BARS:
        fitted = _weights(coefficients, intercept, bar, bar)
        for path in validation:
            if path.name.startswith("formal") and not path.name.startswith(BOARD_SETS):
                continue
            style = by_style[path.name.startswith("formal")]
            style.setdefault(bar, evaluate.Figures()).add(evaluate.evaluate(path, fitted=fitted))
    join = _best_bar(by_style[False]) if by_style[False] else BARS[0]
    post = _best_bar(by_style[True]) if by_style[True] else join
    fitted = _weights(coefficients, intercept, join, post)
    figures = evaluate.Figures()
    for path in validation:
        figures.add(evaluate.evaluate(path, fitted=fitted))
    rows, labels = stream_pairs(validation)
    true_scores = sorted(
        model._logistic(row, fitted) for row, label in zip(rows, labels, strict=True) if label
    )
    show = true_scores[int(len(true_scores) * (1 - SHOW_RECALL))] if true_scores else join / 2
    return join, post, min(join, post, max(show, 0.01)), figures


def existing(names: Iterable[str], data: Path = DATA) -> list[Path]:
    return [data / name for name in names if (data / name).exists()]


def fit(
    tuning: Sequence[Path],
    validation: Sequence[Path],
    corrections: Iterable[tuple[str, list[str], bool]] = (),
) -> dict[str, object]:
    counts: list[int] = []
    rows, labels = stream_pairs(tuning, counts=counts)
    sample_weights = style_weights(tuning, counts)
    extra_rows, extra_labels = correction_pairs(corrections)
    rows += extra_rows
    labels += extra_labels
    sample_weights += [1.0] * len(extra_rows)
    coefficients, intercept = logistic(rows, labels, sample_weights)
    join, post, show, figures = choose_bars(coefficients, intercept, validation)
    return {
        "features": list(evidence.FEATURES),
        "coefficients": [round(c, 6) for c in coefficients],
        "intercept": round(intercept, 6),
        "join_probability": join,
        "show_probability": round(show, 4),
        "post_join_probability": post,
        "fitted_on": [p.name for p in tuning]
        + ([f"{len(extra_rows)} staff pairs"] if extra_rows else []),
        "pairs": len(rows),
        "positive_pairs": sum(labels),
        "validation": {
            "sets": [p.name for p in validation],
            "precision": round(figures.precision, 4),
            "recall": round(figures.recall, 4),
            "f1": round(figures.f1, 4),
        },
    }


def dumps(fitted: dict[str, object]) -> str:
    return json.dumps(fitted, ensure_ascii=False, indent=1) + "\n"


def write(fitted: dict[str, object], path: Path = model.WEIGHTS_FILE) -> None:
    path.write_text(dumps(fitted), encoding="utf-8")
    model.load_weights(path)  # refuse to leave a file the model would refuse
