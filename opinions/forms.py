"""Forms of the report pages; every choice is limited to what the user may pick."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from consultations.models import Topic
from core.text import PlainTextField
from opinions import permissions
from opinions.models import Forwarding, Report
from places.models import Area


class ReportForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("Where"))
    place = PlainTextField(label=_("Compound or place (optional)"), max_length=120, required=False)
    title = PlainTextField(label=pgettext_lazy("opinion", "Title"), max_length=120)
    observation = PlainTextField(
        label=_("What you saw, and where"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    affected = PlainTextField(
        label=_("Who it affects"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    suggestions = PlainTextField(
        label=_("Suggestions"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts = list(permissions.member_districts(user))
        areas = Area.objects.none()
        for district in districts:
            areas = areas | Area.objects.filter(path__startswith=district.path)
        # Down to communities: a grid is too fine for a report to the CPPCC.
        field: Any = self.fields["area"]
        field.queryset = areas.exclude(kind=Area.Kind.GRID).order_by("path")


class NoteForm(forms.Form):
    note = PlainTextField(
        label=_("Note to the member"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Report.objects.none(), label=_("Keep it with"))
    note = PlainTextField(label=_("Note"), max_length=2000, required=False)

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["into"]
        field.queryset = (
            Report.objects.filter(district_id=report.district_id)
            .exclude(pk=report.pk)
            .exclude(status__in=(Report.Status.MERGED, Report.Status.RETURNED))
            .order_by("-submitted_at")
        )


class ForwardForm(forms.Form):
    # A short list of the district's departments, ticked one by one (not a list box).
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Departments concerned"),
        widget=forms.CheckboxSelectMultiple,
    )
    due_on = forms.DateField(
        label=_("Written reply due"),
        # An <input type="date"> reads and writes ISO dates, whatever the language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        already = report.forwardings.values("organisation_id")
        field: Any = self.fields["organisations"]
        field.queryset = permissions.departments_for(report.district).exclude(pk__in=already)


class TopicForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.none(),
        label=_("Link a topic already set"),
        required=False,
        empty_label=_("— make a new thematic topic —"),
    )
    title = PlainTextField(label=_("Title of the new topic"), max_length=120, required=False)

    def __init__(self, *args: Any, report: Report, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from consultations.permissions import visible_topics

        field: Any = self.fields["topic"]
        field.queryset = (
            visible_topics(user)
            .filter(area__path__startswith=report.district.path)
            .order_by("-created_at")
        )


class ReplyForm(forms.Form):
    text = PlainTextField(
        label=_("Written reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Your rating"), choices=Forwarding.Rating.choices, widget=forms.RadioSelect
    )
    comment = PlainTextField(label=_("Comment (optional)"), max_length=1000, required=False)
