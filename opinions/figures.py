"""Figures of 社情民意 for an area and a period, read by the insights dashboard and ledger.

The cohort is the reports submitted in the period about places in the area (merged ones
included: they were submitted). Of those: adopted, forwarded to at least one department;
of their forwardings: replied by the date set (among those replied or already past their
date), and the member's satisfaction (满意 or 基本满意 among the replies rated).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from opinions.models import Forwarding, Report, today
from places.models import Area


@dataclass(frozen=True)
class OpinionFigures:
    submitted: int
    adopted: int
    forwarded: int
    replies_due: int
    replied_on_time: int
    replied: int
    rated: int
    satisfied: int

    @staticmethod
    def percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def on_time_rate(self) -> float | None:
        return self.percent(self.replied_on_time, self.replies_due)

    @property
    def satisfaction_rate(self) -> float | None:
        return self.percent(self.satisfied, self.rated)


def reports_in(area: Area, start_at: datetime, end_at: datetime) -> QuerySet[Report]:
    return Report.objects.filter(
        area__path__startswith=area.path, submitted_at__gte=start_at, submitted_at__lt=end_at
    )


def figures_for(
    area: Area, start_at: datetime, end_at: datetime, *, now: datetime | None = None
) -> OpinionFigures:
    reports = reports_in(area, start_at, end_at)
    counts = reports.aggregate(
        submitted=Count("pk"),
        adopted=Count("pk", filter=Q(status__in=Report.ADOPTED_STATUSES)),
        forwarded=Count("pk", filter=Q(forwardings__isnull=False), distinct=True),
    )
    day = today(now or timezone.now())
    replies = Forwarding.objects.filter(report__in=reports).aggregate(
        due=Count("pk", filter=Q(status=Forwarding.Status.REPLIED) | Q(due_on__lt=day)),
        replied=Count("pk", filter=Q(status=Forwarding.Status.REPLIED)),
        # A reply on its due date counts as on time, whatever the hour (dates are local).
        on_time=Count(
            "pk",
            filter=Q(status=Forwarding.Status.REPLIED, replied_at__date__lte=F("due_on")),
        ),
        rated=Count("pk", filter=~Q(rating="")),
        satisfied=Count(
            "pk",
            filter=Q(rating__in=[Forwarding.Rating.SATISFIED, Forwarding.Rating.BASICALLY]),
        ),
    )
    return OpinionFigures(
        submitted=counts["submitted"],
        adopted=counts["adopted"],
        forwarded=counts["forwarded"],
        replies_due=replies["due"],
        replied_on_time=replies["on_time"],
        replied=replies["replied"],
        rated=replies["rated"],
        satisfied=replies["satisfied"],
    )
