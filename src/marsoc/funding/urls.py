from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("", views.grants, name="grants"),
    path("grants/<int:pk>/", views.grant_detail, name="grant"),
    path("grants/<int:pk>/figures.pdf", views.grant_pdf, name="grant_pdf"),
    path("grants/<int:pk>/quarters.<str:fmt>", views.grant_quarters, name="grant_quarters"),
    path("grants/<int:pk>/claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/actuals/", views.claim_actuals, name="claim_actuals"),
    path("claims/<int:pk>/invoice.pdf", views.claim_invoice, name="claim_invoice"),
    path("claims/<int:pk>/<slug:action>/", views.claim_action, name="claim_action"),
    path("governance/", views.governance, name="governance"),
    path("governance/export.<str:fmt>", views.governance_export, name="governance_export"),
    path("governance/agreements/<int:pk>/sign-off/", views.agreement_sign_off, name="agreement_sign_off"),
    path("governance/dpias/new/", views.assessment_new, {"kind": "dpia"}, name="dpia_new"),
    path("governance/dpias/<int:pk>/", views.dpia_detail, name="dpia"),
    path("governance/equality/new/", views.assessment_new, {"kind": "equality"}, name="equality_new"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/export.<str:fmt>", views.decisions_export, name="decisions_export"),
    path("decisions/new/", views.decision_new, name="decision_new"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/form.pdf", views.decision_pdf, name="decision_pdf"),
    path("decisions/<int:pk>/<slug:action>/", views.decision_action, name="decision_action"),
]
