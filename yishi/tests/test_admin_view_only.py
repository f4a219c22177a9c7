"""Records that only the actions may change (each change guarded and on the timeline) are
shown in the back office, but even a superuser cannot add, change or delete them there."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from accountability.models import ActionItem
from concerns.models import Category, Concern, Issue
from consultations.models import Meeting, Resolution, Topic, Venue
from notifications.models import Delivery, Subscription
from timeline.models import Event

VIEW_ONLY = [Issue, Concern, Topic, Meeting, Resolution, Event, Delivery, ActionItem]
EDITABLE = [Category, Venue]


@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    return request


@pytest.mark.parametrize("model", VIEW_ONLY, ids=lambda model: model.__name__)
def test_view_only_records_are_read_but_never_changed(superuser_request, model):
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(superuser_request)
    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request)
    assert not model_admin.has_delete_permission(superuser_request)


@pytest.mark.parametrize("model", EDITABLE, ids=lambda model: model.__name__)
def test_reference_data_stays_editable(superuser_request, model):
    model_admin = admin.site._registry[model]
    assert model_admin.has_add_permission(superuser_request)
    assert model_admin.has_change_permission(superuser_request)


def test_a_follow_is_never_edited_but_an_administrator_may_erase_it(superuser_request):
    """A resident may ask for their phone to be erased: only a superuser deletes a follow."""
    model_admin = admin.site._registry[Subscription]
    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request)
    assert model_admin.has_delete_permission(superuser_request)
    superuser_request.user.is_superuser = False
    assert not model_admin.has_delete_permission(superuser_request)
