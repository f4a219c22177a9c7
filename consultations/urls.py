from django.urls import path

from consultations.views import join, meeting_actions, meetings, public, topics

app_name = "consultations"
urlpatterns = [
    path("topics/", topics.topics, name="topics"),
    path("topics/new/", topics.topic_create, name="topic_create"),
    path("topics/from-issue/<int:pk>/", topics.topic_from_issue, name="topic_from_issue"),
    path("topics/<int:pk>/", topics.topic_detail, name="topic"),
    path("topics/<int:pk>/<slug:action>/", topics.topic_action, name="topic_action"),
    path("t/<int:pk>/", topics.topic_public, name="topic_public"),
    path("meetings/", meetings.meetings, name="meetings"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", meetings.minutes, name="minutes"),
    path(
        "meetings/<int:pk>/do/<slug:action>/",
        meeting_actions.meeting_action,
        name="meeting_action",
    ),
    path("m/<int:pk>/join/", join.join, name="join"),
    path("m/<int:pk>/notice/", public.notice, name="notice"),
    path("m/<int:pk>/result/", public.result, name="result"),
]
