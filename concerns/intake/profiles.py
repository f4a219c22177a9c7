"""An open issue's grouping profile and index keys, folded anew from its concerns: after staff
moved concerns about, and for every open issue after the model changed
(`manage.py refresh_grouping_terms`)."""

from django.db import transaction

from concerns.intake import model, store
from concerns.intake.store import first, place_names
from concerns.models import Issue

__all__ = ["profile", "refresh_open_terms"]


def profile(issue: Issue) -> tuple[str, set[str]]:
    """The issue's stored profile and its index keys, folded from its concerns' texts under
    the district's IDF of today (one read), as each concern's was when it came."""
    names = place_names(issue.community)
    contents = issue.concerns.values_list("content", flat=True)[:200]
    readings = [model.read(content, names) for content in contents]
    counted = frozenset().union(*map(model.document_terms, readings))
    weights = model.idf(*store.term_counts(store.district_id(issue.community), counted))
    terms, keys = "", set()
    for reading in readings:
        terms = model.fold(terms, reading, weights)
        keys.update(model.index_keys(reading))
    return terms, keys


def refresh_open_terms(*, batch: int = 500) -> int:
    """Recompute the profile and the index keys of every open issue from its concerns, e.g.
    after the model changed or to fill the term index; returns how many profiles changed.
    Each issue is rewritten under its row lock, so submits carry on."""
    changed = 0
    last = 0
    while True:
        ids = list(
            Issue.objects.filter(status__in=Issue.OPEN_STATUSES, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return changed
        last = ids[-1]
        for pk in ids:
            with transaction.atomic():
                issue = first(
                    Issue.objects.select_for_update().select_related("community").filter(pk=pk)
                )
                if issue is None or issue.status not in Issue.OPEN_STATUSES:
                    continue
                terms, keys = profile(issue)
                store.reindex(issue, keys)
                if issue.terms != terms:
                    issue.terms = terms
                    issue.save(update_fields=["terms"])
                    changed += 1
