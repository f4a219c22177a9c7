from django.urls import path

from notifications import follow_views, views

app_name = "notifications"
urlpatterns = [
    path("", views.messages_page, name="messages"),
    path("read/", views.mark_read, name="mark_read"),
    path("preference/", views.set_preference, name="preference"),
    path("follow/<str:code>/", follow_views.follow, name="follow"),
    path("follow/<str:code>/confirm/", follow_views.follow_confirm, name="follow_confirm"),
    path("stop/<str:token>/", follow_views.stop, name="stop"),
]
