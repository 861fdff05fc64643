"""Scrubbing the gateway's own secrets out of answers (issue 12): a provider error may quote the
key it was sent (some echo a prefix, a misconfigured proxy may echo it whole), and a key the
server holds must never reach a client. Only error bodies, which are small and already buffered,
are scanned; a success body never carries the credentials."""

from __future__ import annotations

from .routing.context import Outcome

MASK = b"[redacted]"


def redact(outcome: Outcome, secrets: tuple[str, ...]) -> Outcome:
    if outcome.status < 400 or not isinstance(outcome.body, bytes):
        return outcome
    body = outcome.body
    for secret in secrets:
        if len(secret) >= 8:  # shorter values are not keys and would mangle ordinary text
            body = body.replace(secret.encode(), MASK)
    outcome.body = body
    return outcome
