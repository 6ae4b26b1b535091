from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("cohort/<int:pk>/plan/", views.plan, name="plan"),
    path("cohort/<int:pk>/plan/create/", views.plan_create, name="create"),
    path("cohort/<int:pk>/plan/objectives/add/", views.objective_add, name="objective_add"),
    path("cohort/<int:pk>/plan/actions/add/", views.action_add, name="action_add"),
    path("cohort/<int:pk>/plan/actions/<int:action_id>/", views.action_update, name="action"),
    path("cohort/<int:pk>/plan/actions/<int:action_id>/outcome/", views.outcome_claim, name="outcome"),
    path("cohort/<int:pk>/plan/request-agreement/", views.request_agreement, name="request_agreement"),
    path("cohort/<int:pk>/plan/agree/", views.agree, name="agree"),
    path("cohort/<int:pk>/orders/add/", views.order_add, name="order_add"),
    path("cohort/<int:pk>/orders/<int:order_id>/breach/", views.breach_add, name="breach"),
    path("plans/catalogue/", views.catalogue, name="catalogue"),
    path("plans/catalogue/add/", views.tactic_edit, name="tactic_add"),
    path("plans/catalogue/<int:tactic_id>/", views.tactic_edit, name="tactic_edit"),
    path("plans/meetings/", views.meetings, name="meetings"),
    path("plans/meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("plans/meetings/<int:meeting_id>/pack.pdf", views.meeting_pack, name="meeting_pack"),
    path("plans/meetings/<int:meeting_id>/minutes.pdf", views.meeting_minutes, name="meeting_minutes"),
    path("plans/alerts/", views.inbox, name="inbox"),
    path("plans/actions/", views.agency_actions, name="agency_actions"),
    path("plans/reports/", views.report, name="reports"),
    path("plans/reports/export.csv", views.report_export, name="report_export"),
]
