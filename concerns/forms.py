"""Forms of the concerns pages. They parse input; the checks that matter live in actions.py,
whose ActionError is shown beside the field it names."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerns.intake.submit import MAX_CONTENT, normalise_phone
from concerns.models import Category, Concern, Issue
from core.errors import ActionError
from core.text import PlainTextField, plain_text
from places.models import Area, Building, Compound

STAFF_CHANNELS = [
    (Concern.Channel.PHONE, Concern.Channel.PHONE.label),
    (Concern.Channel.WECHAT, Concern.Channel.WECHAT.label),
    (Concern.Channel.GRID_PHONE, Concern.Channel.GRID_PHONE.label),
    (Concern.Channel.LETTER, Concern.Channel.LETTER.label),
    (Concern.Channel.VISIT, Concern.Channel.VISIT.label),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos; each is checked by actions.check_photo (type and size)."""

    widget = MultipleFileInput(attrs={"accept": "image/*"})

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


def building_choices(community: Area | None, grid: Area | None = None) -> list[tuple[str, str]]:
    """The community's buildings; with `grid`, only those in that grid (a grid worker's own)."""
    choices: list[tuple[str, str]] = [("", "—")]
    if community is None:
        return choices
    buildings = Building.objects.filter(compound__grid__parent=community).select_related("compound")
    if grid is not None:
        buildings = buildings.filter(Q(grid=grid) | Q(grid__isnull=True, compound__grid=grid))
    choices += [(str(b.pk), f"{b.compound.name} {b.name}") for b in buildings]
    return choices


class _PlaceMixin(forms.Form):
    building = forms.TypedChoiceField(
        label=_("Building"), required=False, coerce=int, empty_value=None
    )

    def set_community(self, community: Area | None, grid: Area | None = None) -> None:
        self.fields["building"].choices = building_choices(community, grid)  # type: ignore[attr-defined]

    def cleaned_building(self) -> Building | None:
        pk = self.cleaned_data.get("building")
        return Building.objects.select_related("compound").filter(pk=pk).first() if pk else None


def _checked(check: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return check(*args, **kwargs)
    except ActionError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None


class ResidentConcernForm(_PlaceMixin):
    """A resident's own form, on a phone: no account, a phone number for the call-back."""

    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("path"),
        to_field_name="code",
    )
    # Chosen already when the resident comes from the QR code of a compound's contact card.
    compound = forms.TypedChoiceField(
        label=_("Compound"), required=False, coerce=int, empty_value=None
    )
    content = PlainTextField(
        label=_("The matter"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_CONTENT}),
        help_text=_("Say what, where and since when. At most 20,000 characters."),
        required=False,
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Only staff handling your concern see it, to call you back."),
    )
    name = PlainTextField(label=_("Name (optional)"), max_length=50, required=False)
    address = PlainTextField(
        label=_("Address or room"),
        max_length=200,
        required=False,
        help_text=_("For example: unit 2, room 501."),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Photos in JPEG, PNG or WebP, at most 10 MB each."),
    )
    field_order = [
        "community",
        "compound",
        "content",
        "building",
        "address",
        "phone",
        "name",
        "photos",
    ]

    def set_community(self, community: Area | None, grid: Area | None = None) -> None:
        super().set_community(community, grid)
        choices: list[tuple[str, str]] = [("", "—")]
        if community is not None:
            compounds = Compound.objects.filter(grid__parent=community).order_by("name")
            choices += [(str(c.pk), c.name) for c in compounds]
        self.fields["compound"].choices = choices  # type: ignore[attr-defined]

    def cleaned_compound(self) -> Compound | None:
        pk = self.cleaned_data.get("compound")
        return Compound.objects.filter(pk=pk).first() if pk else None

    # The same checks as the action, here so that every wrong field is shown at once.
    def clean_content(self) -> str:
        return _checked(
            plain_text, self.cleaned_data["content"], "content", limit=MAX_CONTENT, required=True
        )

    def clean_phone(self) -> str:
        return _checked(normalise_phone, self.cleaned_data["phone"])

    def clean_name(self) -> str:
        return _checked(plain_text, self.cleaned_data["name"], "name", limit=50)

    def clean_address(self) -> str:
        return _checked(plain_text, self.cleaned_data["address"], "address", limit=200)


class StaffConcernForm(_PlaceMixin):
    """来信来访登记表: what staff write down from a phone call, a message, a letter or a visit."""

    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    name = PlainTextField(label=_("Reporter"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Contact number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    address = PlainTextField(label=_("Address"), max_length=200, required=False)
    content = PlainTextField(
        label=_("Content"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_CONTENT}),
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Concern.Urgency.choices, initial=Concern.Urgency.NORMAL
    )
    photos = PhotosField(label=_("Photos"), required=False)
    field_order = [
        "channel",
        "received_at",
        "name",
        "phone",
        "building",
        "address",
        "content",
        "category",
        "urgency",
        "photos",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class PatrolForm(_PlaceMixin):
    """网格排查: what a grid worker finds on a round, entered on a phone in seconds."""

    content = PlainTextField(
        label=_("What you found"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_CONTENT}),
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), required=False
    )
    photos = PhotosField(label=_("Photos"), required=False)
    field_order = ["content", "building", "category", "photos"]


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


class IssueFilterForm(forms.Form):
    """The community board's filters; every field optional."""

    SORTS = [
        ("residents", _("Most residents")),
        ("oldest", _("Oldest first")),
        ("newest", _("Newest first")),
    ]
    q = PlainTextField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("e.g. 电梯, 3号楼 漏水"),
                "enterkeyhint": "search",
            }
        ),
    )
    grid = forms.ModelChoiceField(
        label=_("Grid"), queryset=Area.objects.none(), required=False, to_field_name="code"
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), ("open", _("All open")), *Issue.Status.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "—"), *Concern.Channel.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)

    def __init__(self, *args: Any, grids: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if grids is not None:
            self.fields["grid"].queryset = grids  # type: ignore[attr-defined]


class CardContactsForm(forms.Form):
    """A community's lines on its compounds' contact cards (checked in concerns.cards)."""

    public_phone = forms.CharField(
        label=_("Public phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        help_text=_("For example: 0951-5012345."),
    )
    office_hours = PlainTextField(
        label=_("Office hours"),
        max_length=100,
        required=False,
        help_text=_("For example: Monday to Friday 8:30–12:00, 14:30–18:00."),
    )
    wechat_name = PlainTextField(label=_("WeChat official account"), max_length=50, required=False)
    wechat_link = forms.CharField(
        label=_("WeChat QR code link"),
        max_length=200,
        required=False,
        help_text=_(
            "Scan the official account's QR code and paste the address it holds "
            "(http://weixin.qq.com/r/…); the card prints it as a QR code."
        ),
    )
    wechat_qr = forms.FileField(
        label=_("WeChat QR code picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
        help_text=_(
            "Or upload the QR code picture from the official account's back office: it is "
            "printed instead."
        ),
    )
    remove_wechat_qr = forms.BooleanField(label=_("Remove the picture"), required=False)


class GridContactForm(forms.Form):
    grid_worker = PlainTextField(label=_("Grid worker"), max_length=50, required=False)
    grid_phone = forms.CharField(
        label=_("Grid phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
