from django.urls import path

from insights import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("a/<str:code>/", views.dashboard, name="dashboard"),
    path("a/<str:code>/report/", views.monthly_report, name="report"),
    path("a/<str:code>/ledger/<str:kind>.xlsx", views.ledger, name="ledger"),
    path("a/<str:code>/import/", views.import_register, name="import"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("import-template.xlsx", views.import_template, name="import_template"),
]
