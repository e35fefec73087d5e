"""The model the running Rasa server serves: load a trained model into it through Rasa's HTTP
API (`PUT /model`), without a restart. `make train` calls it after training, so a trainer's
new example reaches the running service in one step."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

import httpx


class Outcome(str, enum.Enum):
    """What happened to the load request."""

    LOADED = "loaded"
    NOT_RUNNING = "not_running"  # nothing listens: the next start serves the file anyway
    REFUSED = "refused"  # wrong or missing token
    FAILED = "failed"  # Rasa answered with an error (e.g. a broken model file)


@dataclass(frozen=True)
class LoadResult:
    """The outcome, with the model Rasa reports serving afterwards."""

    outcome: Outcome
    detail: str = ""
    model_file: str = ""


def served_model(rasa_url: str, token: str = "", timeout: float = 5.0) -> str | None:
    """The model file the server at `rasa_url` serves, or None when it does not answer."""
    try:
        response = httpx.get(_url(rasa_url, "/status"), params=_token(token), timeout=timeout)
    except httpx.TransportError:
        return None
    if response.status_code != 200:
        return None
    return str(response.json().get("model_file") or "")


def load_model(rasa_url: str, model: Path, token: str = "", timeout: float = 300.0) -> LoadResult:
    """Ask the Rasa server to load `model` (a path it can read: same machine or shared)."""
    try:
        response = httpx.put(
            _url(rasa_url, "/model"),
            params=_token(token),
            json={"model_file": str(model.resolve())},
            timeout=timeout,
        )
    except httpx.TransportError as exc:
        return LoadResult(Outcome.NOT_RUNNING, f"{rasa_url}: {exc.__class__.__name__}")
    if response.status_code in (401, 403):
        return LoadResult(Outcome.REFUSED, "Rasa refused the token (RASA_AUTH_TOKEN)")
    if response.status_code != 204:
        return LoadResult(Outcome.FAILED, f"HTTP {response.status_code}: {response.text[:300]}")
    return LoadResult(Outcome.LOADED, model_file=served_model(rasa_url, token) or "")


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path


def _token(token: str) -> dict[str, str] | None:
    return {"token": token} if token else None
