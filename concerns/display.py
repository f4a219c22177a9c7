"""What may be shown to whom: masked phones, the public story of a concern."""

from concerns.models import Concern, Issue
from timeline.public import PublicEvent, public_events


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:2] + "*" * (len(phone) - 2)
    return phone[:3] + "****" + phone[-4:]


def mask_name(name: str) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


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
