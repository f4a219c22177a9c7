"""Human labels for timeline verbs. Each app registers its own at import time (apps.ready)."""

from django.utils.functional import Promise

_LABELS: dict[str, str | Promise] = {}


def register(labels: dict[str, str | Promise]) -> None:
    _LABELS.update(labels)


def label_for(verb: str) -> str:
    return str(_LABELS.get(verb, verb))
