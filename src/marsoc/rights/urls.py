from django.urls import path

from . import views

app_name = "rights"
urlpatterns = [
    path("", views.home, name="home"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/requests/new/", views.request_new, name="request_new"),
    path("people/<int:pk>/restrict/", views.restrict, name="restrict"),
    path("people/<int:pk>/correction/", views.correction, name="correction"),
    path("people/<int:pk>/review/", views.review, name="review"),
    path(
        "people/<int:pk>/records/<slug:kind>/<int:record_id>/review/",
        views.record_review,
        name="record_review",
    ),
    path("records/<slug:kind>/<int:record_id>/review/", views.partner_review, name="partner_review"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/identity/", views.request_identity, name="identity"),
    path("requests/<int:pk>/extend/", views.request_extend, name="extend"),
    path("requests/<int:pk>/search/", views.request_search, name="search"),
    path("requests/<int:pk>/approve/", views.request_approve, name="approve"),
    path("requests/<int:pk>/records/<int:record_id>/", views.record_decide, name="record"),
    path("requests/<int:pk>/response.<str:fmt>", views.request_export, name="export"),
    path("notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="acknowledge"),
]
