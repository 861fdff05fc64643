"""SigV4 as AWS computes it, by botocore's own code: the AWS mocks check the gateway's signatures
against it, so the check does not share a line with the signer it checks."""

from __future__ import annotations

from aiohttp import web
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def botocore_signature(request: web.Request, raw_path: str, body: bytes, names: list[str], stamp: str,
                       credentials: Credentials, region: str, service: str) -> str:
    """The signature over what arrived: the path as sent (``raw_path``), its query, the headers
    ``names`` (as the request carried them) and the body, at ``stamp``."""
    query = request.raw_path.partition("?")[2]
    url = f"http://{request.headers.get('Host', '')}{raw_path}" + (f"?{query}" if query else "")
    headers = {name: ",".join(request.headers.getall(name, [])) for name in names}
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=body)
    aws_request.context["timestamp"] = stamp
    auth = SigV4Auth(credentials, service, region)
    canonical = auth.canonical_request(aws_request)
    return str(auth.signature(auth.string_to_sign(aws_request, canonical), aws_request))
