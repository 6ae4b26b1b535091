from django.urls import path

from . import views

app_name = "intelligence"
urlpatterns = [
    path("", views.item_search, name="list"),
    path("export.csv", views.item_export, name="export"),
    path("new/", views.item_new, name="new"),
    path("requests/", views.requests_inbox, name="requests"),
    path("requests/consent/<int:request_id>/", views.consent_decide, name="consent_decide"),
    path("requests/access/new/", views.access_request_new, name="access_request_new"),
    path("requests/access/<int:request_id>/", views.access_request_decide, name="access_request_decide"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("retention/", views.retention_queue, name="retention"),
    path("subject-access/<int:nominal_id>/", views.subject_access, name="subject_access"),
    path("<int:pk>/review/", views.item_review, name="review"),
    path("<int:pk>/restrict/", views.item_restrict, name="restrict"),
    path("<int:pk>/rectify/", views.item_rectify, name="rectify"),
    path("summaries/", views.summaries, name="summaries"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary"),
    path("summaries/<int:pk>/purpose/", views.summary_purpose, name="summary_purpose"),
    path("people/<int:pk>/", views.person_intelligence, name="person"),
    path("people/<int:pk>/share-summary/", views.summary_share, name="summary_share"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/purpose/", views.purpose, name="purpose"),
    path("<int:pk>/share/", views.item_share, name="share"),
    path("<int:pk>/sanitise/", views.item_sanitise, name="sanitise"),
    path("<int:pk>/approve/", views.sanitisation_decide, name="sanitisation_decide"),
]
