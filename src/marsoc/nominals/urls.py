from django.urls import path

from . import views

app_name = "nominals"
urlpatterns = [
    path("", views.cohort_list, name="list"),
    path("refer/", views.refer, name="refer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/purpose/", views.purpose, name="purpose"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/identifiers/add/", views.identifier_add, name="identifier_add"),
    path("<int:pk>/aliases/add/", views.alias_add, name="alias_add"),
    path("<int:pk>/custody/add/", views.custody_event_add, name="custody_event_add"),
    path("<int:pk>/membership/", views.membership_change, name="membership_change"),
    path("<int:pk>/agencies/add/", views.participation_add, name="participation_add"),
    path("<int:pk>/agencies/<int:participation_id>/end/", views.participation_end, name="participation_end"),
]
