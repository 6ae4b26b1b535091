from django.urls import path

from . import views

app_name = "linkage"
urlpatterns = [
    path("", views.home, name="home"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:import_id>/", views.import_detail, name="import"),
    path("review/", views.queue, name="queue"),
    path("review/<int:pair_id>/", views.pair_review, name="pair"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
    path("run/", views.run_start, name="run"),
]
