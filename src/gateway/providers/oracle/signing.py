"""OCI request signing (draft-cavage HTTP signatures, ``rsa-sha256``), as OCI documents it: the
signing string lists ``(request-target)``, ``date`` and ``host``, plus for a body
``x-content-sha256`` (base64 SHA-256 of the body), ``content-type`` and ``content-length``; the
``Authorization`` header names the key as ``<tenancy>/<user>/<fingerprint>``.

The RSA work is ``gateway.rsa`` (pure Python, about a millisecond a request). The key is read
from the options on every request; an encrypted key is refused with a 400 that never quotes it.
"""

from __future__ import annotations

import base64
import hashlib
from email.utils import formatdate
from urllib.parse import urlsplit

from ... import rsa
from ...errors import GatewayError
from ...transform.params import Options
from ..base import SignRequest
from .api import SLUG

_IDENTITY = ("oracle_tenancy", "oracle_user", "oracle_fingerprint", "oracle_private_key")


def key_id(options: Options) -> str:
    missing = [name for name in _IDENTITY if not options.get(name)]
    if missing:
        raise GatewayError(f"{SLUG} needs {', '.join(missing)} to sign requests "
                           f"(x-portkey-{', x-portkey-'.join(n.replace('_', '-') for n in missing)})", 400,
                           exception=False)
    return f"{options['oracle_tenancy']}/{options['oracle_user']}/{options['oracle_fingerprint']}"


def private_key(options: Options) -> rsa.PrivateKey:
    if options.get("oracle_key_passphrase"):
        raise GatewayError(f"{SLUG}: encrypted private keys (oracle_key_passphrase) are not supported; "
                           "pass the key unencrypted (openssl rsa -in key.pem -out plain.pem)", 400,
                           exception=False)
    try:
        return rsa.load_pem(str(options.get("oracle_private_key") or ""))
    except rsa.InvalidKey as error:
        raise GatewayError(f"{SLUG}: oracle_private_key is unusable: {error}", 400, exception=False) from None


def signing_string(method: str, url: str, date: str, body: bytes | None, content_type: str) -> tuple[str, str,
                                                                                                   dict[str, str]]:
    """(the string to sign, the ``headers=`` list, the headers to send). A request without a body
    signs ``(request-target) date host`` only."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"(request-target): {method.lower()} {target}", f"date: {date}", f"host: {parts.netloc}"]
    names = ["(request-target)", "date", "host"]
    sent = {"date": date}
    if body is not None and method.upper() in ("POST", "PUT", "PATCH"):
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        sent["x-content-sha256"] = digest
        lines += [f"x-content-sha256: {digest}", f"content-type: {content_type}", f"content-length: {len(body)}"]
        names += ["x-content-sha256", "content-type", "content-length"]
    return "\n".join(lines), " ".join(names), sent


def sign(request: SignRequest) -> dict[str, str]:
    """The ``date``, ``x-content-sha256`` and ``authorization`` headers for the request as sent
    (the transport sends ``host`` and ``content-length`` itself, with the values signed here)."""
    options = request.options
    identity = key_id(options)
    key = private_key(options)
    content_type = request.headers.get("content-type") or "application/json"
    text, names, sent = signing_string(request.method, request.url, formatdate(request.now, usegmt=True),
                                       request.body, content_type)
    signature = base64.b64encode(rsa.sign_sha256(key, text.encode())).decode()
    sent["authorization"] = (f'Signature version="1",keyId="{identity}",algorithm="rsa-sha256",'
                             f'headers="{names}",signature="{signature}"')
    return sent
