"""Is a passthrough answer the JSON it says it is?

Translated answers are parsed to be mapped, so a broken one already answers 502 naming the
provider (``translation.translate_body``). A passthrough answer is not parsed: its bytes go to the
client as they came. When the gateway reads such a body whole anyway (a 2xx whose length is known
and small, ``upstream.SMALL_BODY``), checking it costs one ``json.loads`` (about 3 µs for a chat
answer), and a client is spared a 200 its SDK cannot parse: it gets the same 502 as on the
translated path.

The zero-copy path is not checked, on purpose: a body of unknown or large length (chunked JSON,
files, audio) and every SSE stream go out as they arrive, so the status line has left before the
end of the body is seen, and holding the body back to check it would cost the memory and latency
that zero-copy exists to save. There a broken body reaches the client as sent (its JSON parser
reports it), and a stream that breaks or stalls ends with the gateway's error event.
"""

from __future__ import annotations

import json
import logging

from .http import Headers
from .translation import Plan, bad_gateway

log = logging.getLogger("gateway.integrity")


def checked_answer(plan: Plan, status: int, headers: Headers, raw: bytes, content_type: str) -> tuple[int, bytes]:
    """(status, body) unchanged, or a 502 naming the provider when a non-empty 2xx body that
    claims JSON does not parse."""
    if not 200 <= status < 300 or not raw or "json" not in content_type.lower():
        return status, raw
    try:
        json.loads(raw)
    except RecursionError:
        return status, raw  # deep but JSON: the client's parser decides
    except ValueError:
        log.warning("%s answered %d with a body that is not JSON", plan.ctx.provider, status)
        headers["content-type"] = "application/json"
        return bad_gateway(plan, f"the body is not the JSON it claims to be: {raw[:200].decode('utf-8', 'replace')!r}")
    return status, raw
