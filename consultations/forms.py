"""Forms that parse what people type; the actions decide what is allowed."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.permissions import visible_areas
from accounts.pickers import offer_organisations
from consultations.models import Meeting, Motion, Participant, Statement, Topic, Venue
from core.text import PlainTextField
from places.models import Area


def _limit(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def convenable_areas(user: Any) -> Any:
    """Communities and districts in the user's scope, for the area of a topic or meeting."""
    return (
        visible_areas(user)
        .filter(kind__in=[Area.Kind.COMMUNITY, Area.Kind.STREET, Area.Kind.DISTRICT])
        .order_by("path")
    )


class TopicForm(forms.Form):
    title = PlainTextField(label=_("Title"), max_length=120)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())
    description = PlainTextField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    public = forms.BooleanField(
        label=_("Residents may see and support it"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "area", convenable_areas(user))


class IssueTopicForm(forms.Form):
    # A text area, so that a long title is seen whole on a phone; it stays one line.
    title = PlainTextField(
        label=_("Topic title"),
        max_length=120,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Residents read it: name the place and the problem, without names, "
            "phone numbers or rooms."
        ),
    )
    description = PlainTextField(
        label=_("Background (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean_title(self) -> str:
        return " ".join(str(self.cleaned_data.get("title") or "").split())

    public = forms.BooleanField(
        label=_("Residents may see and support it"), required=False, initial=True
    )


class ShelveForm(forms.Form):
    reason = PlainTextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SupportForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        help_text=_("Only used to count each resident once; never shown."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class MeetingForm(forms.Form):
    title = PlainTextField(label=_("Title"), max_length=120)
    form = forms.ChoiceField(label=_("Form"), choices=Meeting.Form.choices)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput(), required=False)
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none(), required=False)
    place = PlainTextField(label=_("Or another place"), max_length=200, required=False)
    convener = forms.ModelChoiceField(
        label=_("Convener"), queryset=Organisation.objects.filter(active=True), required=False
    )
    notice_days = forms.IntegerField(label=_("Notice (days ahead)"), min_value=0, initial=3)
    quorum = forms.IntegerField(label=_("Quorum (voters signed in)"), min_value=0, initial=0)
    pass_rule = forms.ChoiceField(label=_("A vote passes with"), choices=Meeting.PassRule.choices)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics on the agenda"),
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    agenda = PlainTextField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    materials = PlainTextField(
        label=_("Materials"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Background, figures and documents residents should read beforehand."),
    )

    def __init__(self, *args: Any, user: Any, topics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = convenable_areas(user)
        _limit(self, "area", areas)
        paths = list(areas.values_list("path", flat=True))
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(community__path__startswith=path)
        _limit(self, "venue", Venue.objects.filter(condition).select_related("community"))
        _limit(self, "topics", topics)
        self.no_topics = not topics.exists()
        if len(paths) == 1 and not self.is_bound:
            self.fields["area"].initial = areas.first()
        # The convener is one of the organisations serving the meeting's area.
        chosen = self.data.get("area") if self.is_bound else self.initial.get("area")
        chosen = str(getattr(chosen, "pk", chosen) or self.fields["area"].initial or "")
        if getattr(self.fields["area"].initial, "pk", None) and not chosen.isdigit():
            chosen = str(self.fields["area"].initial.pk)
        area = areas.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if area is not None:
            offer_organisations(self, "convener", area)


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput(), required=False)


class ParticipantForm(forms.Form):
    party = forms.ChoiceField(label=_("Party"), choices=Participant.Party.choices)
    name = PlainTextField(label=_("Name"), max_length=50)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(active=True), required=False
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    may_vote = forms.BooleanField(label=_("May vote"), required=False, initial=True)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_organisations(self, "organisation", meeting.area)


class PartyCheckboxes(forms.CheckboxSelectMultiple):
    """Parties to tick; one with nobody to invite is shown but cannot be ticked."""

    empty: set[str] = set()

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if str(option["value"]) in self.empty:
            option["attrs"]["disabled"] = True
        return option


class BulkInviteForm(forms.Form):
    """Invite many at once: by party, by organisation, or every resident behind the agenda."""

    parties = forms.MultipleChoiceField(
        label=_("By party"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("By organisation"), queryset=Organisation.objects.none(), required=False
    )
    residents = forms.BooleanField(label=_("Residents"), required=False)

    def __init__(self, *args: Any, meeting: Meeting, counts: bool = True, **kwargs: Any) -> None:
        from consultations.invitations import BULK_PARTIES, count_residents_behind, of_party

        super().__init__(*args, **kwargs)
        labels = dict(Participant.Party.choices)
        choices = []
        empty: set[str] = set()
        for party in BULK_PARTIES:
            label = str(labels[party])
            if counts:
                n = len(of_party(meeting, party))
                label = _("%(party)s (%(n)s)") % {"party": label, "n": n}
                if not n:
                    empty.add(str(party))
            choices.append((str(party), label))
        field = self.fields["parties"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.widget = PartyCheckboxes()
        field.widget.empty = empty
        field.choices = choices
        offer_organisations(self, "organisations", meeting.area)
        self.residents_count = count_residents_behind(meeting) if counts else 0
        self.fields["residents"].label = _(
            "Everyone behind the issues on the agenda (%(n)s residents with a phone)"
        ) % {"n": self.residents_count}


class ReplyForm(forms.Form):
    participant = forms.IntegerField()
    reply = forms.ChoiceField(choices=Participant.Reply.choices)


class StaffSignInForm(forms.Form):
    participant = forms.IntegerField()


class SignInForm(forms.Form):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class StatementForm(forms.Form):
    participant = forms.ModelChoiceField(
        label=_("Speaker"), queryset=Participant.objects.none(), required=False
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Statement.Kind.choices)
    text = PlainTextField(
        label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "participant", meeting.participants.select_related("organisation"))
        _limit(self, "topic", meeting.topics.all())


class PhoneStatementForm(StatementForm):
    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, meeting=meeting, **kwargs)
        del self.fields["participant"]


class MotionForm(forms.Form):
    text = PlainTextField(label=_("What is decided"), widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.ChoiceField(label=_("Decided by"), choices=Motion.Method.choices)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = meeting.topics.all()
        _limit(self, "topic", topics)
        if len(topics) == 1 and not self.is_bound:
            self.fields["topic"].initial = topics[0].pk


class VoteForm(forms.Form):
    motion = forms.IntegerField()
    participant = forms.IntegerField()
    choice = forms.ChoiceField(
        choices=[("for", "for"), ("against", "against"), ("abstain", "abstain")]
    )


class CloseMotionForm(forms.Form):
    motion = forms.IntegerField()
    agreed = forms.BooleanField(required=False, initial=True)


class ResolutionForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Topic settled"), queryset=Topic.objects.none(), required=False
    )
    text = PlainTextField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Responsible organisations"),
        queryset=Organisation.objects.filter(active=True),
        required=False,
    )
    target_date = forms.DateField(label=_("Target date"), widget=DateInput(), required=False)
    motion = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = meeting.topics.all()
        _limit(self, "topic", topics)
        offer_organisations(self, "organisations", meeting.area)
        if len(topics) == 1 and not self.is_bound:
            self.fields["topic"].initial = topics[0].pk


class FieldVisitForm(forms.Form):
    place = PlainTextField(label=_("Place visited"), max_length=120)
    organisation = forms.ModelChoiceField(
        label=_("Organisation visited"),
        queryset=Organisation.objects.filter(active=True),
        required=False,
    )
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    findings = PlainTextField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_organisations(self, "organisation", meeting.area)


class PublishForm(forms.Form):
    summary = PlainTextField(
        label=_("Result notice"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
