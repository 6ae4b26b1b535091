from django.contrib import admin
from django.urls import include, path

from .api import api

admin.site.site_header = "MARSOC Hub administration"
admin.site.site_title = "MARSOC Hub administration"

urlpatterns = [
    path("", include("marsoc.ops.urls")),
    path("", include("marsoc.accounts.urls")),
    path("", include("marsoc.web.urls")),
    path("cohort/", include("marsoc.nominals.urls")),
    path("cohort/", include("marsoc.casework.urls")),
    path("", include("marsoc.workday.urls")),
    path("", include("marsoc.network.urls")),
    path("audit/", include("marsoc.core.urls")),
    path("", include("marsoc.assessment.urls")),
    path("", include("marsoc.plans.urls")),
    path("linkage/", include("marsoc.linkage.urls")),
    path("intelligence/", include("marsoc.intelligence.urls")),
    path("funding/", include("marsoc.funding.urls")),
    path("register/", include("marsoc.funding.public_urls")),
    path("reporting/", include("marsoc.reporting.urls")),
    path("rights/", include("marsoc.rights.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
