from django import forms

from marsoc.core.forms import short_text


class SignInForm(forms.Form):
    username = short_text("Username", required=True, max_length=150)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={
            "min_length": "Enter the 6-digit security code",
            "required": "Enter the security code",
        },
    )


class EnrolForm(CodeForm):
    enrolment_code = short_text(
        "Enrolment code",
        missing="Enter the enrolment code from your administrator",
        help_text="The one-time code your administrator gave you, like 1A2B-3C4D-5E6F",
        max_length=20,
    )
    field_order = ["enrolment_code", "code"]


class InvitationCodeForm(forms.Form):
    code = short_text(
        "Invitation code",
        missing="Enter the invitation code from your administrator",
        help_text="The one-time code your MARSOC Hub administrator gave you, like 1A2B-3C4D-5E6F-7A8B",
        max_length=40,
    )
