"""A KYC provider's webhook: a status change, signed with the provider's secret.

Only what was signed is read: the HMAC-SHA256 of the exact body bytes is
checked before the body is parsed, and the provider's event id keys the
command, so a replay records nothing (docs/compliance.md).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response
from pydantic import ValidationError

from api.http.deps import ServicesDep
from api.http.routes.compliance import shown
from api.http.schemas.common import ErrorPublic, PathId
from api.http.schemas.compliance import KycEvent, StandingPublic
from domain.compliance.commands import KycWebhook
from domain.kernel.errors import InvalidInput

router = APIRouter(prefix="/v1", tags=["compliance"])


@router.post("/webhooks/kyc/{provider}", response_model=StandingPublic, responses={
    401: {"model": ErrorPublic, "description": "The signature does not verify"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": KycEvent.model_json_schema()}}}})
async def kyc_webhook(provider: PathId, request: Request, services: ServicesDep,
                      response: Response,
                      signature: Annotated[str, Header(alias="X-Signature")] = "",
                      ) -> StandingPublic:
    """A KYC provider's status change, signed `X-Signature: sha256=<hex HMAC-SHA256
    of the body>` with its configured secret; its eventId makes a replay harmless."""
    secret = services.settings.kyc_webhook_secrets.get(provider)
    body = await request.body()
    if secret is None or not hmac.compare_digest(signature, "sha256=" + hmac.new(
            secret.get_secret_value().encode(), body, hashlib.sha256).hexdigest()):
        raise HTTPException(401, "the signature does not verify")
    try:
        event = KycEvent.model_validate_json(body)
    except ValidationError as error:
        raise InvalidInput(f"body: {error.errors()[0]['msg']}") from None
    outcome = await services.ledger.execute_async(KycWebhook(
        event.event_id, provider, event.player_id, event.status, event.evidence))
    return shown(outcome, response)
