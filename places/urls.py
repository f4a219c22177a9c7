from django.urls import path

from places import views

app_name = "places"
urlpatterns = [
    path("a/<str:code>/profile/", views.profile, name="profile"),
    path("a/<str:code>/profile/edit/", views.edit_profile, name="edit_profile"),
]
