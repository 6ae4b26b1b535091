from django.urls import path

from . import views

app_name = "workday"
urlpatterns = [
    path("work/<slug:key>/", views.queue, name="queue"),
    path("cohort/<int:pk>/chronology/", views.chronology, name="chronology"),
    path("cohort/<int:pk>/chronology.csv", views.chronology_csv, name="chronology_csv"),
]
