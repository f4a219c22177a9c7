from django import forms
from django.utils.translation import gettext_lazy as _

from accountability.models import ActionItem, Evaluation, Milestone
from accounts.models import Organisation, Role, User
from accounts.pickers import offer_organisations, offer_representatives
from core.text import PlainTextField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotosField(forms.FileField):
    """Several files; whether each is a photo is decided by actions.report_progress
    (core.uploads.clean_image), with the same message on every upload path."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultiplePhotosField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class PublishItemForm(forms.Form):
    title = PlainTextField(label=_("What will be done"), max_length=160)
    description = PlainTextField(
        label=_("Details"), widget=forms.Textarea, required=False, max_length=2000
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.filter(active=True)
    )
    owner = forms.ModelChoiceField(
        label=_("Person in charge"),
        queryset=User.objects.filter(roles__kind=Role.Kind.ORG_REPRESENTATIVE).distinct(),
        required=False,
        help_text=_("Optional: a representative of the owner organisation."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    milestones = PlainTextField(
        label=_("Milestones"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One a line: date, then what, e.g. 2027-03-01 design approved."),
    )

    def clean_milestones(self) -> list:
        from datetime import date

        result = []
        for line in (self.cleaned_data.get("milestones") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            when, _sep, what = line.partition(" ")
            try:
                due = date.fromisoformat(when)
            except ValueError:
                raise forms.ValidationError(
                    _("Start each line with a date such as 2027-03-01.")
                ) from None
            result.append((what.strip(), due))
        return result

    def __init__(self, *args, community=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if community is not None:
            offer_organisations(self, "owner_organisation", community)
            offer_representatives(self, "owner", community)


class ProgressForm(forms.Form):
    text = PlainTextField(label=_("Progress"), widget=forms.Textarea, max_length=2000)
    photos = MultiplePhotosField(label=_("Photos"), required=False)
    milestone = forms.ModelChoiceField(
        label=_("Milestone reached"), queryset=Milestone.objects.none(), required=False
    )

    def __init__(self, *args, item: ActionItem | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if item is not None:
            open_milestones = item.milestones.filter(reached_at__isnull=True)
            self.fields["milestone"].queryset = open_milestones  # type: ignore[attr-defined]
            if not open_milestones.exists():
                del self.fields["milestone"]
        else:
            del self.fields["milestone"]


class NoteForm(forms.Form):
    note = PlainTextField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReopenForm(forms.Form):
    note = PlainTextField(label=_("Why reopen"), widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"),
        choices=Evaluation.Rating.choices,
        widget=forms.RadioSelect,
    )
    comment = PlainTextField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )
