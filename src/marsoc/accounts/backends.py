"""Loads the signed-in user with what every page needs (hub, agency, roles) in one go."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = (
            User.objects.select_related("hub", "agency")
            .prefetch_related("role_grants")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
