from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("priority/", views.priority, name="priority"),
    path("priority/export.<str:fmt>", views.priority_export, name="priority_export"),
    path("reviews/", views.reviews, name="reviews"),
    path("methods/", views.method_list, name="methods"),
    path("methods/<int:pk>/", views.method_detail, name="method_detail"),
    path("methods/<int:pk>/dry-runs/", views.method_dry_runs, name="dry_runs"),
    path("methods/dry-runs/<int:run_id>/", views.dry_run_detail, name="dry_run"),
    path("cohort/<int:pk>/assessments/", views.nominal_assessments, name="history"),
    path("cohort/<int:pk>/assessments/new/", views.assessment_new, name="new"),
    path("cohort/<int:pk>/assessments/<int:assessment_id>/", views.assessment_detail, name="detail"),
    path("cohort/<int:pk>/tier/", views.tier_decision, name="tier"),
    path("equality/", views.equality, name="equality"),
    path("equality/export.csv", views.equality_export, name="equality_export"),
    path("equality/populations/", views.population_list, name="populations"),
    path("equality/populations/<int:pk>/", views.population_detail, name="population_detail"),
    # Calibration
    path("calibration/", views.calibration_list, name="calibration_list"),
    path("calibration/new/", views.calibration_new, name="calibration_new"),
    path("calibration/<int:pk>/", views.calibration_detail, name="calibration_detail"),
    path(
        "calibration/<int:pk>/vignettes/add/", views.calibration_vignette_add, name="calibration_vignette_add"
    ),
    path("calibration/<int:pk>/assessors/", views.calibration_assessors, name="calibration_assessors"),
    path("calibration/<int:pk>/status/", views.calibration_status, name="calibration_status"),
    path(
        "calibration/<int:pk>/vignettes/<int:vignette_id>/score/",
        views.calibration_score,
        name="calibration_score",
    ),
    path("calibration/<int:pk>/submit/", views.calibration_submit, name="calibration_submit"),
    path("calibration/<int:pk>/results/", views.calibration_results, name="calibration_results"),
    path("calibration/<int:pk>/results.csv", views.calibration_results_export, name="calibration_export"),
]
