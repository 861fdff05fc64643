"""``/v1/realtime``: a client's WebSocket bridged to the provider's realtime API (reference §9).

The core decides where a session goes, opens the upstream leg through the ``WebSocketConnector``
port and relays frames; it owns no socket. An adapter does three things::

    opened = await Realtime(settings, connector).open(request)
    if isinstance(opened, Response):      # refused before the upgrade: answer it as plain HTTP
        ...
    else:                                 # the provider accepted: accept the client, then relay
        summary = await opened.run(client_socket)

so a client is only ever upgraded once the provider has accepted, and every failure before that
is an HTTP status with a JSON body, never a 101 followed by a close.
"""

from .session import Realtime, Session
from .summary import Summary
from .target import upgrade_required

__all__ = ["Realtime", "Session", "Summary", "upgrade_required"]
