"""State changes of concerns and issues. Each checks permission where a person acts, changes
state atomically and records a timeline event. Views, the API, later workflow steps and
management commands all call these functions.

The functions at the end are called by later steps of the workflow (consultations,
accountability) when they take an issue further; they never import those apps.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerns.models import Issue
from timeline.services import record
from yishi.errors import Conflict


def _locked(issue: Issue) -> Issue:
    return Issue.objects.select_for_update().get(pk=issue.pk)


@transaction.atomic
def mark_issue_in_consultation(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """A topic has taken the issue up for consultation (民事民议)."""
    issue = _locked(issue)
    if issue.status in (Issue.Status.MERGED, Issue.Status.RESOLVED):
        raise Conflict(_("This issue is closed and cannot be taken to a consultation."))
    if issue.status != Issue.Status.IN_CONSULTATION:
        issue.status = Issue.Status.IN_CONSULTATION
        issue.save(update_fields=["status", "updated_at"])
        record(issue, "issue.in_consultation", actor=actor, actor_label="社区", note=note)
    return issue


@transaction.atomic
def mark_issue_in_action(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """What was agreed about the issue is listed as action items (挂牌)."""
    issue = _locked(issue)
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."))
    if issue.status != Issue.Status.IN_ACTION:
        issue.status = Issue.Status.IN_ACTION
        issue.save(update_fields=["status", "updated_at"])
        record(issue, "issue.in_action", actor=actor, actor_label="社区", note=note)
    return issue


@transaction.atomic
def resolve_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """Every action item of the issue is closed (销号): the issue is resolved."""
    issue = _locked(issue)
    if issue.status == Issue.Status.RESOLVED:
        return issue
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."))
    issue.status = Issue.Status.RESOLVED
    issue.settled_at = issue.settled_at or timezone.now()
    if note:
        issue.outcome = note
    issue.save(update_fields=["status", "settled_at", "outcome", "updated_at"])
    record(issue, "issue.resolved", actor=actor, actor_label="社区", note=note)
    return issue


@transaction.atomic
def reopen_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """Residents were not satisfied: the issue goes back to being handled."""
    issue = _locked(issue)
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."))
    issue.status = Issue.Status.IN_ACTION
    issue.save(update_fields=["status", "updated_at"])
    record(issue, "issue.reopened", actor=actor, actor_label="居民", note=note)
    return issue
