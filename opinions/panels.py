"""What the opinions app adds to other pages: the workbench panel (replies a department owes,
reports waiting for the office) and the 写社情民意 link on a staff issue page."""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from concerns.models import Issue
from consultations.models import Topic
from opinions import permissions
from opinions.models import Report, today


def workbench_panel(request: HttpRequest) -> str:
    user = request.user
    owed = permissions.owed_replies(user, 10)
    waiting: list[Report] = []
    if permissions.is_office_anywhere(user):
        districts = [d.path for d in permissions.office_districts(user)]
        waiting = [
            r
            for r in permissions.visible_reports(user)
            .filter(status=Report.Status.SUBMITTED)
            .select_related("district", "member")
            .order_by("submitted_at")[:20]
            if any(r.district.path.startswith(p) for p in districts)
        ][:10]
    is_member = permissions.is_member(user)
    if not (owed or waiting or is_member):
        return ""
    mine = (
        list(Report.objects.filter(member_id=user.pk).order_by("-submitted_at")[:5])
        if is_member
        else []
    )
    return render_to_string(
        "opinions/panel.html",
        {
            "owed": owed,
            "waiting": waiting,
            "is_member": is_member,
            "mine": mine,
            "today": today(),
        },
        request=request,
    )


def issue_link(request: HttpRequest, issue: Issue) -> tuple[str, str] | None:
    """写社情民意 from an issue, for a CPPCC member of its district."""
    if permissions.district_of(request.user, issue.community) is None:
        return None
    url = reverse("opinions:new") + "?" + urlencode({"issue": issue.pk})
    return _("Write a public-opinion report"), url


def topic_link(request: HttpRequest, topic: Topic) -> tuple[str, str] | None:
    """The public-opinion report a thematic topic came from, for those who may read it."""
    report = (
        permissions.visible_reports(request.user)
        .filter(topic=topic)
        .order_by("submitted_at")
        .first()
    )
    if report is None:
        return None
    return _("From the public-opinion report “%(title)s”") % {"title": report.title}, reverse(
        "opinions:report", args=[report.pk]
    )
