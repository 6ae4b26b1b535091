from django.urls import path

from . import views
from .sso import views as sso_views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.sign_in_code, name="code"),
    path("sign-in/set-up/", views.sign_in_enrol, name="enrol"),
    path("sign-in/sso/<slug:slug>/", sso_views.sso_start, name="sso_start"),
    path("sign-in/sso/<slug:slug>/callback/", sso_views.sso_callback, name="sso_callback"),
    path("sign-in/sso/<slug:slug>/invitation/", sso_views.sso_invitation, name="sso_invitation"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/password/", views.ChangePassword.as_view(), name="password_change"),
]
