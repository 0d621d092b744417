"""Accounts API (mounted at /api/v1/accounts/): the signed-in person, role requests, API tokens.

Tokens are listed and revoked here with a token or the session; they are created with the signed-in session
only, so a leaked token cannot make more of itself."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from arrival.accounts import selectors, services
from arrival.accounts.models import ApiToken, User
from arrival.accounts.schemas import (
    ApiTokenCreated,
    ApiTokenIn,
    ApiTokenOut,
    MeOut,
    RoleRequestIn,
    RoleRequestOut,
)
from arrival.actors.selectors import actor_list
from arrival.core.api import Problem, RecordId, session_only_auth, write_auth

router = Router(tags=["accounts"], auth=write_auth)

_ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


def _user(request: HttpRequest) -> User:
    # Every route here has write_auth, which lets only a signed-in person or a valid token through.
    return cast(User, request.user)


@router.get("/me", response={200: MeOut, **_ERRORS}, summary="The signed-in person, their roles and pending requests")
def me(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "public_name": user.public_name,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "time_zone": selectors.user_time_zone(user),
        "is_staff": user.is_staff,
        "otp_enabled": selectors.otp_device_confirmed(user=user) is not None,
        "roles": list(selectors.role_list_for_user(user=user)),
        "pending_role_requests": list(selectors.role_request_list_for_user(user=user, pending_only=True)),
    }


@router.post("/role-requests", response={201: RoleRequestOut, **_ERRORS}, summary="Ask to act for an actor")
def role_request_create(request: HttpRequest, payload: RoleRequestIn) -> Status[Any]:
    actor = get_object_or_404(actor_list(), pk=payload.actor_id)
    role_request = services.role_request_create(
        user=_user(request), actor=actor, kind=payload.kind, message=payload.message
    )
    return Status(201, role_request)


@router.get("/tokens", response={200: list[ApiTokenOut], **_ERRORS}, summary="Your API tokens (keys are never shown again)")
def token_list(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.api_token_list_for_user(user=_user(request)))


@router.post("/tokens", response={201: ApiTokenCreated, **_ERRORS}, auth=session_only_auth,
             summary="Create an API token (signed-in session only: a token never creates tokens)")
def token_create(request: HttpRequest, payload: ApiTokenIn) -> Status[Any]:
    token, raw_key = services.api_token_create(
        user=_user(request), name=payload.name, scope=payload.scope, days_valid=payload.days_valid
    )
    return Status(201, {**ApiTokenOut.model_validate(token).model_dump(), "key": raw_key})


@router.post("/tokens/{token_id}/revoke", response={200: ApiTokenOut, **_ERRORS}, summary="Revoke an API token")
def token_revoke(request: HttpRequest, token_id: RecordId) -> ApiToken:
    token = get_object_or_404(selectors.api_token_list_for_user(user=_user(request)), pk=token_id)
    return services.api_token_revoke(user=_user(request), token=token)
