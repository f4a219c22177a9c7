"""Public statistics on a community's page: counts and rates only, no personal data."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from insights import metrics
from places.models import Area


def community_section(request: HttpRequest, community: Area) -> str:
    """The last twelve months' figures for the community (the dashboard's definitions)."""
    period = metrics.Period.parse(None, None)
    scope = metrics.Scope.of(community)
    counts = metrics.issue_counts(scope, period)
    return render_to_string(
        "insights/public_section.html",
        {
            "community": community,
            "period": period,
            "concerns": metrics.received_concerns(scope, period).count(),
            "issues": counts["received"],
            "solved": counts["solved"],
            "rates": metrics.rates(scope, period).values(),
        },
        request=request,
    )
