"""Observability: request traces, Prometheus metrics, the live log, OTLP spans and the console's routes.

The pipeline reports through ``Observability`` (``begin`` / ``end`` / ``Trace.attempt``); sinks read
finished traces. See ``hub`` for the port and README "Console and observability" for the settings.
"""

from .hub import Observability, Sink
from .trace import Trace

__all__ = ["Observability", "Sink", "Trace"]
