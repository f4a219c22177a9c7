"""Every interface text has its Simplified Chinese translation (Chinese is the default)."""

import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
sys.path.insert(0, str(ROOT / "scripts"))
import po  # noqa: E402

CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 5


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_fully_translated(path):
    missing = po.untranslated(path)
    assert not missing, f"untranslated or fuzzy in {path}: {missing[:10]}"


@pytest.mark.django_db
def test_home_is_chinese_by_default_and_english_on_request(client):
    assert "有事好商量" in client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Whatever comes up" in english


def test_form_labels_end_with_a_full_width_colon_in_chinese():
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        name = forms.CharField(label="姓名")

    with translation.override("zh-hans"):
        assert Form()["name"].label_tag().endswith("姓名：</label>")
    with translation.override("en"):
        assert Form()["name"].label_tag().endswith("姓名:</label>")
