from django.urls import path

from consultations import views

app_name = "consultations"
urlpatterns = [
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("topics/from-issue/<int:pk>/", views.topic_from_issue, name="topic_from_issue"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/<slug:action>/", views.topic_action, name="topic_action"),
    path("t/<int:pk>/", views.topic_public, name="topic_public"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/do/<slug:action>/", views.meeting_action, name="meeting_action"),
    path("m/<int:pk>/join/", views.join, name="join"),
    path("m/<int:pk>/notice/", views.notice, name="notice"),
    path("m/<int:pk>/result/", views.result, name="result"),
]
