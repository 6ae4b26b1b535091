from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pack.pdf", views.export, {"fmt": "pdf"}, name="pack"),
    path("pack/commentary/", views.commentary, name="commentary"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
]
