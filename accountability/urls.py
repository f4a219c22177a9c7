from django.urls import path

from accountability import views

app_name = "accountability"
urlpatterns = [
    path("", views.item_list, name="items"),
    path("new/", views.publish_item, name="publish_item"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/progress/", views.report_progress, name="progress"),
    path("<int:pk>/done/", views.mark_done, name="done"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("photos/<int:pk>/<str:name>", views.progress_photo, name="photo"),
    path("board/<str:code>/", views.board, name="board"),
    path("rule/<str:code>/", views.set_rule, name="rule"),
    path("rate/<str:code>/", views.rate, name="rate"),
    path("story/", views.story_lookup, name="story_lookup"),
    path("story/code/<str:code>/", views.story_by_code, name="story_code"),
    path("story/m/<str:token>/", views.story_public, name="story_public"),
    # Staff only (404 to anyone else): the public reach stories by token, never by id.
    path("story/<str:kind>/<int:pk>/", views.story, name="story"),
]
