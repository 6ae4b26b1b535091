"""Token endpoints: a partner system rotates the token it calls with (issue 15). The new secret is shown
once; the old token keeps working for the grace period asked for, then expires. Only a bearer token
can be rotated this way: a browser session has none (401)."""

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from marsoc.core.api_errors import ApiError

from .api_auth import TokenAuth
from .models import TokenScope
from .services import api_token_rotate

router = Router(tags=["tokens"])


class RotateIn(Schema):
    grace_hours: int = Field(24, ge=0, le=168, description="How long the old token keeps working (0 to 168)")


class RotateOut(Schema):
    token: str = Field(description="The new secret: shown once, store it now")
    prefix: str
    previous_prefix: str
    previous_expires_at: datetime
    rate_per_minute: int | None


@router.post(
    "/tokens/rotate",
    auth=[TokenAuth(TokenScope.FEED)],  # any token, a feed account's included
    response={201: RotateOut, 401: ApiError},
    summary="Rotate the token you call with: a new one now, the old one ends after the grace period",
)
def rotate_token(request: HttpRequest, payload: RotateIn) -> Any:
    current = request.auth.api_token  # type: ignore[attr-defined]  # set by api_token_authenticate
    new, raw, old = api_token_rotate(token=current, grace=timedelta(hours=payload.grace_hours))
    return Status(
        201,
        {
            "token": raw,
            "prefix": new.prefix,
            "previous_prefix": old.prefix,
            "previous_expires_at": old.expires_at,
            "rate_per_minute": new.rate_per_minute,
        },
    )
