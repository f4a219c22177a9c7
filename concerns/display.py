"""What may be shown to whom: the place a concern is filed under, the public story of a
concern. Residents' phones, names and addresses are masked by accounts.masking."""

from django.db.models import Q

from concerns.models import Concern, Issue, Photo
from timeline.public import PublicEvent, public_events


def place_name(building: str | None, building_compound: str | None, compound: str | None) -> str:
    """The building (with its compound) or the compound a concern is filed under, as text."""
    if building:
        return f"{building_compound or ''}{building}"
    return compound or ""


def concern_place(concern: Concern) -> str:
    building = concern.building
    return place_name(
        building.name if building else None,
        building.compound.name if building else None,
        concern.compound.name if concern.compound_id and concern.compound else None,
    )


def final_issue(issue: Issue) -> Issue:
    """Follow merges to the issue that now holds the matter."""
    seen = {issue.pk}
    while issue.status == Issue.Status.MERGED and issue.merged_into_id:
        nxt = Issue.objects.select_related("category").get(pk=issue.merged_into_id)
        if nxt.pk in seen:
            break
        seen.add(nxt.pk)
        issue = nxt
    return issue


def public_story(concern: Concern) -> tuple[Issue, list[PublicEvent]]:
    """The issue behind a tracking code and its public timeline (timeline.public's rule)."""
    issue = final_issue(concern.issue)
    subjects = [concern, issue]
    if issue.pk != concern.issue_id:
        subjects.append(concern.issue)
    return issue, public_events(subjects)


def public_photos(issue: Issue) -> list[Photo]:
    """The photos of a matter that staff published (a resident's or a site visit's): the only
    ones anyone outside the staff in scope may see."""
    return list(
        Photo.objects.filter(Q(concern__issue=issue) | Q(issue=issue), published=True)
        .order_by("uploaded_at", "pk")
        .distinct()
    )
