from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.sign_in_code, name="code"),
    path("sign-in/set-up/", views.sign_in_enrol, name="enrol"),
    path("sign-out/", views.sign_out, name="logout"),
    path("account/password/", views.ChangePassword.as_view(), name="password_change"),
]
