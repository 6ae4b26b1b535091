"""The public register: no sign-in."""

from django.urls import path

from . import views

app_name = "register"
urlpatterns = [
    path("", views.public_register, name="home"),
    path("decisions/<int:pk>/", views.public_decision, name="decision"),
]
