"""Operations endpoints: liveness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from ucauth.server.dependencies import Context

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/metrics", response_class=Response)
async def metrics(context: Context) -> Response:
    """Prometheus text format."""
    return Response(context.metrics.render(), media_type=CONTENT_TYPE_LATEST)
