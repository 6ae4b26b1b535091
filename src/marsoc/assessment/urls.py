from django.urls import path

from .views import assessments, calibration, equality, methods, priority

app_name = "assessment"
urlpatterns = [
    path("priority/", priority.priority, name="priority"),
    path("priority/export.<str:fmt>", priority.priority_export, name="priority_export"),
    path("reviews/", priority.reviews, name="reviews"),
    path("methods/", methods.method_list, name="methods"),
    path("methods/<int:pk>/", methods.method_detail, name="method_detail"),
    path("methods/<int:pk>/dry-runs/", methods.method_dry_runs, name="dry_runs"),
    path("methods/dry-runs/<int:run_id>/", methods.dry_run_detail, name="dry_run"),
    path("cohort/<int:pk>/assessments/", assessments.nominal_assessments, name="history"),
    path("cohort/<int:pk>/assessments/new/", assessments.assessment_new, name="new"),
    path("cohort/<int:pk>/assessments/<int:assessment_id>/", assessments.assessment_detail, name="detail"),
    path("cohort/<int:pk>/tier/", assessments.tier_decision, name="tier"),
    path("equality/", equality.equality, name="equality"),
    path("equality/export.csv", equality.equality_export, name="equality_export"),
    path("equality/populations/", equality.population_list, name="populations"),
    path("equality/populations/<int:pk>/", equality.population_detail, name="population_detail"),
    # Calibration
    path("calibration/", calibration.calibration_list, name="calibration_list"),
    path("calibration/new/", calibration.calibration_new, name="calibration_new"),
    path("calibration/<int:pk>/", calibration.calibration_detail, name="calibration_detail"),
    path(
        "calibration/<int:pk>/vignettes/add/",
        calibration.calibration_vignette_add,
        name="calibration_vignette_add",
    ),
    path("calibration/<int:pk>/assessors/", calibration.calibration_assessors, name="calibration_assessors"),
    path("calibration/<int:pk>/status/", calibration.calibration_status, name="calibration_status"),
    path(
        "calibration/<int:pk>/vignettes/<int:vignette_id>/score/",
        calibration.calibration_score,
        name="calibration_score",
    ),
    path("calibration/<int:pk>/submit/", calibration.calibration_submit, name="calibration_submit"),
    path("calibration/<int:pk>/results/", calibration.calibration_results, name="calibration_results"),
    path(
        "calibration/<int:pk>/results.csv", calibration.calibration_results_export, name="calibration_export"
    ),
]
