"""Small helpers for the consultations tests: issues with residents behind them, and a
meeting that has been announced and is about to start."""

from datetime import timedelta

import pytest
from django.utils import timezone

from concerns.tests.conftest import make_issue
from consultations import actions
from consultations.models import Meeting, Participant, Venue


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
    issue = make_issue(world.c1, "楼道堆放杂物", residents=3, grid=world.g1, phones=False)
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
