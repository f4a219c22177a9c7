from django.urls import path

from opinions import views

app_name = "opinions"
urlpatterns = [
    path("", views.report_list, name="reports"),
    path("new/", views.new_report, name="new"),
    path("record/", views.record, name="my_record"),
    path("record/<str:username>/", views.record, name="record"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/edit/", views.edit_report, name="edit"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/return/", views.return_for_detail, name="return"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/topic/", views.to_topic, name="topic"),
    path("replies/<int:pk>/", views.reply, name="reply"),
    path("replies/<int:pk>/rating/", views.rate, name="rate"),
]
