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
urlpatterns += [
    path("network/communities/", views.communities, name="communities"),
    path("network/charts/", views.chart_list, name="charts"),
    path("network/charts/new/", views.chart_new, name="chart_new"),
    path("network/charts/<int:chart_id>/", views.chart_detail, name="chart"),
    path("network/charts/<int:chart_id>/change/", views.chart_change, name="chart_change"),
    path("network/charts/<int:chart_id>/export.<str:fmt>", views.chart_export, name="chart_export"),
]
