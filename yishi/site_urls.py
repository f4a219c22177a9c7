from django.urls import path

from yishi import views

app_name = "yishi"
urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("communities/", views.communities, name="communities"),
    path("c/<str:code>/", views.community_page, name="community"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("manifest.webmanifest", views.web_manifest, name="manifest"),
]
