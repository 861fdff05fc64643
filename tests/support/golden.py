"""The golden-fixture harness every translated provider's unit tests use.

A fixture (``tests/fixtures/<folder>/*.json``) is one JSON object. ``endpoint`` (default
``chatComplete``), ``strict`` (default true), ``model`` (the MapContext model, default null) and
``options`` (provider options, default {}) set the context; its kind is given by the input key it
holds:

- ``hub_request`` -> ``upstream_request``: the provider's Translation.request for that endpoint, or
  its parameter whitelist (``Provider.params``) for an endpoint it passes on natively (Vertex's
  Claude ``messages``); the client's body must come out unedited. ``upstream_content_type``, when
  present, checks the content type Translation.encode gives the body.
- ``upstream_response`` -> ``hub_response``: Translation.response, a 2xx body.
- ``upstream_error`` ``{status, body | text}`` -> ``hub_response``: Translation.error.
- ``upstream_events`` -> ``hub_events``: Translation.stream, each ``{"event"?: name, "data": ...}``
  as the core's framing decodes them; the mapper's ``end()`` output counts too.

A test module declares its suite and takes the five tests it generates under their usual names:

    GOLDEN = GoldenSuite({"anthropic": "anthropic"}, minimum=40)
    test_every_fixture_has_exactly_one_kind, test_request, test_response, test_error, test_stream = GOLDEN.tests()

Every expected output is written by hand in the fixture; nothing here derives one from the code.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from gateway.providers import get_provider
from gateway.providers.base import Provider, Translation
from gateway.transform.events import Event, MapContext
from gateway.transform.params import map_params

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KINDS = {"hub_request": "upstream_request", "upstream_response": "hub_response",
         "upstream_error": "hub_response", "upstream_events": "hub_events"}
"""Input key -> the key of its expected output."""
CREATED = 1700000000


@dataclass(frozen=True)
class Golden:
    """One fixture: the provider it is for, and its JSON object."""

    slug: str
    data: dict[str, Any]


class GoldenTests(NamedTuple):
    kinds: Callable[..., None]
    request: Callable[..., None]
    response: Callable[..., None]
    error: Callable[..., None]
    stream: Callable[..., None]


def wire(event: Event) -> dict[str, Any]:
    """An event as a fixture writes it: ``{"event"?: name, "data": ...}``."""
    return {"event": event.name, "data": event.data} if event.name else {"data": event.data}


@dataclass(frozen=True)
class GoldenSuite:
    """The fixtures of one or more folders. ``folders``: folder name -> provider slug. ``minimum``:
    the fewest fixtures each folder must hold (a folder emptied by mistake fails, it does not pass
    with nothing to check). ``default_endpoint`` None: every fixture must name its endpoint.
    ``model_from_request``: a fixture without ``model`` takes its hub request's (Vertex plans per
    model). ``skip``: file names in the folders that are not body fixtures."""

    folders: Mapping[str, str]
    minimum: int
    default_endpoint: str | None = "chatComplete"
    model_from_request: bool = False
    skip: frozenset[str] = field(default_factory=frozenset)

    # --- loading ---------------------------------------------------------------------------------
    def paths(self, folder: str) -> list[Path]:
        return [path for path in sorted((FIXTURES / folder).glob("*.json")) if path.name not in self.skip]

    def _id(self, path: Path) -> str:
        return path.stem if len(self.folders) == 1 else f"{path.parent.name}/{path.stem}"

    def cases(self, kind: str) -> list[Any]:
        """The fixtures holding input ``kind``, as pytest params named after their files."""
        out = []
        for folder, slug in self.folders.items():
            for path in self.paths(folder):
                data = json.loads(path.read_text(encoding="utf-8"))
                if kind in data:
                    out.append(pytest.param(Golden(slug, data), id=self._id(path)))
        return out

    # --- context ---------------------------------------------------------------------------------
    def provider(self, case: Golden) -> Provider:
        provider = get_provider(case.slug)
        assert provider is not None, case.slug
        return provider

    def endpoint(self, case: Golden) -> str:
        fn = case.data.get("endpoint", self.default_endpoint)
        assert fn is not None, "this suite's fixtures name their endpoint"
        return str(fn)

    def translation(self, case: Golden) -> Translation:
        return self.provider(case).translations[self.endpoint(case)]

    def context(self, case: Golden) -> MapContext:
        model = case.data.get("model")
        if not model and self.model_from_request:
            model = case.data.get("hub_request", {}).get("model")
        return MapContext(provider=case.slug, model=model, strict=case.data.get("strict", True), created=CREATED,
                          fallback_id=f"{case.slug}-1")

    # --- checks ----------------------------------------------------------------------------------
    def check_kinds(self, folder: str) -> None:
        paths = self.paths(folder)
        assert len(paths) >= self.minimum, folder
        for path in paths:
            data = json.loads(path.read_text(encoding="utf-8"))
            kinds = [kind for kind in KINDS if kind in data]
            assert len(kinds) == 1 and KINDS[kinds[0]] in data, path.name
            assert self.default_endpoint is not None or "endpoint" in data, path.name

    def check_request(self, case: Golden) -> None:
        hub, options, fn = case.data["hub_request"], case.data.get("options", {}), self.endpoint(case)
        before = copy.deepcopy(hub)
        provider = self.provider(case)
        if fn in provider.translations:
            translation = provider.translations[fn]
            mapped = translation.request(hub, options, self.context(case))
        else:  # passed on natively: only the provider's whitelist applies
            translation, mapped = None, map_params(provider.params[fn], hub, options)
        assert mapped == case.data["upstream_request"]
        assert hub == before  # the mapper never edits the client's body
        if "upstream_content_type" in case.data:
            assert translation is not None and translation.encode is not None
            _, content_type = translation.encode(mapped)
            assert content_type.split(";")[0] == case.data["upstream_content_type"]

    def check_response(self, case: Golden) -> None:
        out = self.translation(case).response(case.data["upstream_response"], self.context(case))
        assert out == case.data["hub_response"]

    def check_error(self, case: Golden) -> None:
        error = case.data["upstream_error"]
        text = error["text"] if "text" in error else json.dumps(error["body"])
        out = self.translation(case).error(error["status"], error.get("body"), text, self.context(case))
        assert out == case.data["hub_response"]

    def check_stream(self, case: Golden) -> None:
        mapper = self.translation(case).stream(self.context(case))
        out: list[Event] = []
        for event in case.data["upstream_events"]:
            out += mapper.feed(Event(copy.deepcopy(event["data"]), event.get("event")))
        out += mapper.end()
        assert [wire(event) for event in out] == case.data["hub_events"]

    # --- the tests -------------------------------------------------------------------------------
    def tests(self) -> GoldenTests:
        """The five tests, each parametrized over its fixtures (the kinds check over the folders
        when there are several)."""
        folders = sorted(self.folders)

        if len(folders) == 1:
            def test_every_fixture_has_exactly_one_kind() -> None:
                self.check_kinds(folders[0])
        else:
            @pytest.mark.parametrize("folder", folders)
            def test_every_fixture_has_exactly_one_kind(folder: str) -> None:
                self.check_kinds(folder)

        return GoldenTests(test_every_fixture_has_exactly_one_kind, self._test("hub_request", self.check_request),
                           self._test("upstream_response", self.check_response),
                           self._test("upstream_error", self.check_error),
                           self._test("upstream_events", self.check_stream))

    def _test(self, kind: str, check: Callable[[Golden], None]) -> Callable[..., None]:
        """A test of every fixture holding ``kind`` (pytest names it after the module attribute)."""

        @pytest.mark.parametrize("case", self.cases(kind))
        def test(case: Golden) -> None:
            check(case)

        return test
