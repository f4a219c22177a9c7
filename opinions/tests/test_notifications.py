"""Each step reaches the people it concerns in the workbench (in-app), never a resident."""

from datetime import date, datetime

from django.utils import timezone

from notifications.models import Delivery
from notifications.services import deliver_event
from opinions import actions
from opinions.tests.conftest import submit
from timeline.models import Event


def told(report, verb):
    event = Event.objects.filter(subject_id=report.pk, verb=verb).latest("id")
    deliver_event(event)
    return {
        d.user.username
        for d in Delivery.objects.filter(event=event, channel=Delivery.Channel.IN_APP)
    }


def test_who_hears_of_each_step(cppcc):
    w = cppcc
    report = submit(w)
    assert told(report, "opinion.submitted") == {"office"}
    actions.return_report(w.office, report, note="请补充")
    assert told(report, "opinion.returned") == {"cppcc"}
    actions.revise_report(
        w.cppcc, report, title="t", observation="o", affected="a", suggestions="s"
    )
    actions.adopt_report(w.office, report)
    assert told(report, "opinion.adopted") == {"cppcc"}
    monday = timezone.make_aware(datetime(2026, 11, 2, 9))
    (f,) = actions.forward_report(
        w.office, report, organisations=[w.water], due_on=date(2026, 11, 6), now=monday
    )
    assert told(report, "opinion.forwarded") == {"cppcc", "water_rep"}
    actions.remind_overdue(timezone.make_aware(datetime(2026, 11, 9, 9)))
    assert told(report, "opinion.reply_overdue") == {"water_rep", "office"}
    delivery = Delivery.objects.filter(event__verb="opinion.reply_overdue").first()
    assert delivery.url == f"/opinions/{report.pk}/"
    actions.reply_to_report(w.water_rep, f, text="已答复")
    assert told(report, "opinion.replied") == {"cppcc"}
    # Another district's office hears of nothing.
    assert not Delivery.objects.filter(user=w.other_office).exists()
    assert not Delivery.objects.filter(channel=Delivery.Channel.SMS).exists()
