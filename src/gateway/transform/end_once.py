"""The end of a translated stream, once: for stream mappers whose upstream may end its stream with
OpenAI's ``data: [DONE]`` (or, for the ``text`` framing, the body's clean end), and which end it
themselves at a finish chunk or an error. Whatever comes after the end is dropped, so a client
never sees a chunk after ``DONE`` or after an error event (which ``DONE`` never follows)."""

from __future__ import annotations

from .events import DONE, Event


class EndOnceMapper:
    """Base of such a ``StreamMapper``: ``feed`` drops everything after the end, turns the
    upstream's ``DONE`` into ``upstream_done()`` (by default ``DONE`` itself) and hands every other
    event to ``map_event``, which calls ``ended()`` when the event it maps ends the stream."""

    __slots__ = ("_done",)

    def __init__(self) -> None:
        self._done = False

    def feed(self, event: Event) -> list[Event]:
        if self._done:
            return []
        if event.data == DONE:
            self._done = True
            return self.upstream_done()
        return self.map_event(event)

    def end(self) -> list[Event]:
        return []

    def ended(self, *events: Event) -> list[Event]:
        """The stream's last events (a finish chunk and ``DONE``, or an error event): nothing follows."""
        self._done = True
        return list(events)

    def upstream_done(self) -> list[Event]:
        """What the upstream's own ``[DONE]`` becomes (a subclass may add a finish chunk first)."""
        return [Event(DONE)]

    def map_event(self, event: Event) -> list[Event]:
        raise NotImplementedError
