from django.urls import path

from wechat import views

app_name = "wechat"

urlpatterns = [
    path("<str:code>/", views.endpoint, name="endpoint"),
]
