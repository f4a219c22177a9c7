"""What may be shown to whom: the place a concern is filed under, the public story of a
concern. Residents' phones, names and addresses are masked by accounts.masking."""

from dataclasses import dataclass
from datetime import datetime

from concerns.models import Concern, Issue
from timeline.services import events_for

# Events whose note the public may read (written by staff for residents).
PUBLIC_NOTE_VERBS = {"issue.settled", "issue.resolved", "issue.escalated", "issue.handed_back"}


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


@dataclass
class PublicEvent:
    when: datetime
    label: str
    by: str
    note: str


def public_story(concern: Concern) -> tuple[Issue, list[PublicEvent]]:
    """The issue behind a tracking code and its public timeline: no names, no phones."""
    issue = final_issue(concern.issue)
    subjects = [concern, issue]
    if issue.pk != concern.issue_id:
        subjects.append(concern.issue)
    story = [
        PublicEvent(
            when=event.created_at,
            label=event.label,
            by=event.actor_label,
            note=event.note if event.verb in PUBLIC_NOTE_VERBS else "",
        )
        for event in events_for(subjects, public_only=True)
    ]
    return issue, story
