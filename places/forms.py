from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import PlainTextField
from places.models import AreaFacility, AreaFigure


class FigureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Figure"), choices=AreaFigure.Kind.choices)
    value = forms.IntegerField(label=_("Value"), min_value=0, max_value=100_000_000)
    qualifier = forms.ChoiceField(
        label=_("Precision"),
        choices=AreaFigure.Qualifier.choices,
        initial=AreaFigure.Qualifier.EXACT,
        required=False,
        help_text=_("As the source gives it: 近2万 is “nearly” 20000."),
    )
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    source = PlainTextField(
        label=_("Source"),
        max_length=100,
        help_text=_("Who counted it: a census, the police station, the district's committee…"),
    )

    def clean_qualifier(self) -> str:
        return self.cleaned_data.get("qualifier") or AreaFigure.Qualifier.EXACT


class FacilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AreaFacility.Kind.choices)
    name = PlainTextField(label=_("Name"), max_length=100)
    note = PlainTextField(label=_("Note"), max_length=200, required=False)
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    source = PlainTextField(label=_("Source"), max_length=100)


class DescribeForm(forms.Form):
    covers = PlainTextField(
        label=_("Also known as"),
        max_length=100,
        required=False,
        help_text=_("The name residents use for the area, such as a business district."),
    )
    summary = PlainTextField(
        label=_("Summary"), max_length=2000, required=False, widget=forms.Textarea
    )
