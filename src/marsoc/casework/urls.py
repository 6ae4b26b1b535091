from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("<int:pk>/notes/", views.note_list, name="list"),
    path("<int:pk>/notes/add/", views.note_add, name="add"),
    path("<int:pk>/notes/<int:note_id>/correct/", views.note_correct, name="correct"),
    path("<int:pk>/notes/<int:note_id>/addendum/", views.note_addendum, name="addendum"),
]
