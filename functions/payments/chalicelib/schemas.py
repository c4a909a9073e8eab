"""What the payments API reads and answers (pydantic models, also its OpenAPI schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from keneya.openapi import example

from .intents import Intent
from .ledger import PeriodEarnings

BAMAKO = ZoneInfo("Africa/Bamako")
Phone = Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$", description="E.164, e.g. +22376123456")]

STATUS_TEXT = {
    "pending": ("En attente de paiement", "Awaiting payment"),
    "succeeded": ("Paiement reçu", "Payment received"),
    "failed": ("Paiement refusé", "Payment refused"),
    "expired": ("Paiement expiré", "Payment expired"),
    "refunded": ("Remboursé", "Refunded"),
}


class IntentRequest(BaseModel):
    model_config = example(
        {
            "consultation_id": "01JB8X7Q5M3ZK2V4W6Y8N0P1R3",
            "provider": "orange_money",
            "phone": "+22376123456",
            "language": "fr",
        },
        extra="forbid",
    )

    consultation_id: Annotated[str, Field(min_length=1, max_length=64)]
    provider: Literal["orange_money", "moov_money"]
    phone: Phone
    language: Literal["fr", "en"] = "fr"


class NextAction(BaseModel):
    type: Literal["redirect", "confirm_on_phone"]
    url: str | None = None


class IntentView(BaseModel):
    id: str
    consultation_id: str
    provider: str
    amount_xof: int
    currency: Literal["XOF"] = "XOF"
    status: str
    status_text: dict[str, str]
    failure_reason: str | None
    next_action: NextAction | None
    refund_status: str | None = Field(
        description="queued: an administrator sends it; refunded: the money went back"
    )
    refund_reference: str | None = Field(
        None, description="The provider's reference of the refund, once paid out"
    )
    refunded_at: datetime | None = Field(None, description="When the refund was paid out")
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    expires_at_local: str = Field(description="Africa/Bamako wall-clock time, for people")


class IntentPage(BaseModel):
    items: list[IntentView]


class EarningsQuery(BaseModel):
    period: Literal["month", "day"] = "month"


class PeriodView(BaseModel):
    period: str
    earned_xof: int
    refunded_xof: int
    net_xof: int
    payments: int


class EarningsView(BaseModel):
    doctor_id: str
    period: str
    time_zone: str = "Africa/Bamako"
    totals: list[PeriodView]
    net_xof: int


class RefundPaid(BaseModel):
    model_config = example({"reference": "OM-REFUND-0001"}, extra="forbid")

    reference: Annotated[str, Field(min_length=1, max_length=100)]


class NotificationAnswer(BaseModel):
    status: str


def intent_view(intent: Intent) -> IntentView:
    fr, en = STATUS_TEXT[intent.status]
    action = None
    if intent.live and intent.action:
        action = NextAction(type=intent.action, url=intent.payment_url)  # type: ignore[arg-type]
    return IntentView(
        id=intent.id,
        consultation_id=intent.consultation_id,
        provider=intent.provider,
        amount_xof=intent.amount_xof,
        status=intent.status,
        status_text={"fr": fr, "en": en},
        failure_reason=intent.failure_reason,
        next_action=action,
        refund_status=intent.refund_status,
        refund_reference=intent.refund_reference,
        # Refunded is final: the intent's last change is the refund.
        refunded_at=intent.updated_at if intent.status == "refunded" else None,
        created_at=intent.created_at,
        updated_at=intent.updated_at,
        expires_at=intent.expires_at,
        expires_at_local=intent.expires_at.astimezone(BAMAKO).strftime("%d/%m/%Y %H:%M"),
    )


def earnings_view(doctor_id: str, period: str, totals: list[PeriodEarnings]) -> EarningsView:
    return EarningsView(
        doctor_id=doctor_id,
        period=period,
        totals=[PeriodView(**t.__dict__) for t in totals],
        net_xof=sum(t.net_xof for t in totals),
    )


class QueuedRefund(BaseModel):
    """A refund a provider cannot pay by API (Orange Money): an administrator sends it."""

    payment_id: str
    payer_id: str
    payer_phone: str
    provider: Literal["orange_money", "moov_money"]
    amount_xof: int
    consultation_id: str
    queued_at: str = Field(description="UTC, ISO-8601")


class RefundQueue(BaseModel):
    items: list[QueuedRefund]
