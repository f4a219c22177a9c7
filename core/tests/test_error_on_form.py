from django import forms

from core.errors import ActionError


class TitleForm(forms.Form):
    title = forms.CharField()


def test_a_refusal_naming_a_field_of_the_form_stands_beside_that_field():
    form = TitleForm({"title": "路灯"})
    assert form.is_valid()
    ActionError("Too long.", code="too_long", field="title").show_on(form)
    assert form.errors == {"title": ["Too long."]}


def test_a_refusal_naming_no_field_of_the_form_stands_at_its_top():
    for field in (None, "issue"):  # no field, or one this form does not have
        form = TitleForm({"title": "路灯"})
        assert form.is_valid()
        ActionError("Closed.", code="issue_closed", field=field).show_on(form)
        assert form.non_field_errors() == ["Closed."]
        assert "title" not in form.errors
