from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.messages_page, name="messages"),
    path("read/", views.mark_read, name="mark_read"),
    path("preference/", views.set_preference, name="preference"),
]
