"""Small helpers for the consultations tests: issues with residents behind them, and a
meeting that has been announced and is about to start."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from concerns.models import Concern, Issue
from consultations import actions
from consultations.models import Meeting, Participant, Venue

_codes = count(1)


def make_issue(community, title, *, residents=1, grid=None, days_old=0):
    received = timezone.now() - timedelta(days=days_old)
    issue = Issue.objects.create(
        community=community,
        grid=grid,
        title=title,
        status=Issue.Status.ACCEPTED,
        level=Issue.Level.COMMUNITY,
        residents_count=residents,
        concerns_count=residents,
        first_received_at=received,
    )
    for n in range(residents):
        Concern.objects.create(
            tracking_code=f"T{next(_codes):07d}",
            issue=issue,
            community=community,
            grid=grid,
            channel=Concern.Channel.PHONE,
            content=title,
            resident_key=f"{title}-{n}",
            received_at=received,
        )
    return issue


def plan_meeting(world, *, starts_in=timedelta(hours=1), **fields):
    """A draft meeting planned by the first community's staff: by default a council of that
    community (楼道杂物议事会) in an hour; `fields` are any other arguments of
    schedule_meeting (a venue or place is needed)."""
    planned = {
        "area": world.c1,
        "title": "楼道杂物议事会",
        "form": Meeting.Form.COUNCIL,
        "starts_at": timezone.now() + starts_in,
    }
    return actions.schedule_meeting(world.staff, **{**planned, **fields})


@pytest.fixture
def venue(world):
    return Venue.objects.create(
        community=world.c1, kind=Venue.Kind.HALL, name="一号社区议事厅", address="一号社区二楼"
    )


@pytest.fixture
def topic(world):
    issue = make_issue(world.c1, "楼道堆放杂物", residents=3, grid=world.g1)
    return actions.create_topic(world.staff, title="楼道杂物清理", issues=[issue])


@pytest.fixture
def announced(world, topic, venue):
    """A council meeting in an hour, announced, with a resident and a property company."""
    meeting = plan_meeting(world, venue=venue, notice_days=0, quorum=2, topics=[topic])
    actions.publish_notice(world.staff, meeting)
    return meeting


@pytest.fixture
def invited(world, announced):
    """The announced meeting with a resident (with a phone) and the property company invited."""
    actions.invite_participant(
        world.staff, announced, party=Participant.Party.RESIDENT, name="王大爷", phone="13800001111"
    )
    actions.invite_participant(
        world.staff,
        announced,
        party=Participant.Party.PROPERTY_COMPANY,
        name="物业经理",
        organisation=world.property_company,
    )
    return announced


@pytest.fixture
def held(world, invited):
    """The meeting in session: both voting participants signed in, the resident by code."""
    resident = invited.participants.get(party=Participant.Party.RESIDENT)
    company = invited.participants.get(party=Participant.Party.PROPERTY_COMPANY)
    actions.sign_in_with_code(invited, resident.sign_in_code)
    actions.staff_sign_in(world.staff, company)
    invited.refresh_from_db()
    return invited
