"""Public pages of a meeting: the notice (提前公告) and the published result (公示)."""

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import Organisation
from consultations.models import Meeting, Motion, Participant, Statement
from consultations.permissions import existing_pk


def _public_meeting(pk: int, statuses: tuple[str, ...]) -> Meeting:
    meeting = (
        Meeting.objects.select_related("area", "venue", "convener")
        .filter(pk=existing_pk(pk), status__in=statuses)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """提前公告: the public notice of a meeting, with agenda and materials."""
    meeting = _public_meeting(
        pk,
        (
            Meeting.Status.ANNOUNCED,
            Meeting.Status.HELD,
            Meeting.Status.CLOSED,
            Meeting.Status.PUBLISHED,
        ),
    )
    parties = meeting.participants.values("party").annotate(n=Count("id")).order_by("party")
    labels = dict(Participant.Party.choices)
    return render(
        request,
        "consultations/notice.html",
        {
            "meeting": meeting,
            "topics": meeting.topics.all(),
            "parties": [(labels.get(row["party"], row["party"]), row["n"]) for row in parties],
        },
    )


def result(request: HttpRequest, pk: int) -> HttpResponse:
    """公示: the published result — resolutions with owners and dates, decisions, visits.
    Parties and organisations are named; private persons are not."""
    meeting = _public_meeting(pk, (Meeting.Status.PUBLISHED,))
    resolutions = meeting.resolutions.select_related("topic").prefetch_related(
        "responsible_organisations"
    )
    statements = [
        (public_statement_speaker(statement), statement)
        for statement in meeting.statements.select_related("participant__organisation", "topic")
    ]
    return render(
        request,
        "consultations/result.html",
        {
            "meeting": meeting,
            "topics": meeting.topics.all(),
            "resolutions": resolutions,
            "motions": meeting.motions.filter(status=Motion.Status.CLOSED).select_related("topic"),
            "statements": statements,
            "field_visits": meeting.field_visits.select_related("organisation"),
            "organisations": Organisation.objects.filter(
                meeting_participations__meeting=meeting
            ).distinct(),
        },
    )


def public_statement_speaker(statement: Statement) -> str:
    """How a public page names a speaker: their party and organisation, never a resident's name."""
    person = statement.participant
    if person is None:
        return _("Community")
    if person.organisation_id:
        return person.organisation.short_name or person.organisation.name
    return str(person.get_party_display())
