from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("network/groups/", views.group_list, name="groups"),
    path("network/paths/", views.path_finder, name="paths"),
    path("network/priority/", views.group_priority, name="priority"),
    path("network/groups/<int:group_id>/", views.group_detail, name="group"),
    path("network/associates/<int:associate_id>/", views.associate_detail, name="associate"),
    path("cohort/<int:pk>/network/", views.person_network, name="person"),
    path("cohort/<int:pk>/network.<str:fmt>", views.person_network_export, name="person_export"),
]
