"""State changes of topics and meetings (民事民议、民事民决).

Each function checks who acts, changes state inside one transaction (locking the row where two
people can race) and records a timeline event. Views, the JSON API, the demo loader and tests
all call these. A bad request raises ActionError (400), Conflict (409), Http404 or
PermissionDenied, and nothing is written.

Participants act without an account: `speaker=` is the participant who signed in with their
code on their own phone; staff act as `actor=` (a user) for the convener.

One module a part of the workflow: topics, meetings (plan, announce, close, publish),
participants (invitations and sign-in), statements (and field visits), votes (motions and
votes), resolutions. Callers use this package: `actions.create_topic(...)`.
"""

from consultations.actions.common import SIGN_IN_OPENS, resident_key, voter_key
from consultations.actions.meetings import (
    LONGEST_MEETING,
    PLANNING_HORIZON,
    close_meeting,
    publish_notice,
    publish_result,
    reschedule_meeting,
    schedule_meeting,
)
from consultations.actions.participants import (
    hold_meeting,
    invite_many,
    invite_participant,
    record_reply,
    sign_in_with_code,
    staff_sign_in,
)
from consultations.actions.resolutions import record_resolution
from consultations.actions.statements import add_field_visit, add_statement
from consultations.actions.topics import accept_topic, create_topic, shelve_topic, support_topic
from consultations.actions.votes import cast_vote, close_motion, open_motion, vote_carried

__all__ = [
    "LONGEST_MEETING",
    "PLANNING_HORIZON",
    "SIGN_IN_OPENS",
    "accept_topic",
    "add_field_visit",
    "add_statement",
    "cast_vote",
    "close_meeting",
    "close_motion",
    "create_topic",
    "hold_meeting",
    "invite_many",
    "invite_participant",
    "open_motion",
    "publish_notice",
    "publish_result",
    "record_reply",
    "record_resolution",
    "reschedule_meeting",
    "resident_key",
    "schedule_meeting",
    "shelve_topic",
    "sign_in_with_code",
    "staff_sign_in",
    "support_topic",
    "vote_carried",
    "voter_key",
]
