from django.urls import path

from concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("t/<str:code>/", views.track_code, name="track_code"),
    path("register/", views.register, name="register"),
    path("patrol/", views.patrol, name="patrol"),
    path("queue/", views.queue, name="queue"),
    path("issues/", views.issues, name="issues"),
    path("issues/<int:pk>/", views.issue_detail, name="issue"),
    path("issues/<int:pk>/<slug:action>/", views.issue_action, name="issue_action"),
    path("photos/<int:pk>/<str:name>", views.photo, name="photo"),
    path("concern/<int:pk>/candidates/", views.concern_candidates, name="concern_candidates"),
]
