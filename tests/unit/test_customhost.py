"""is_valid_custom_host: one vector per upstream rule, plus the port's deliberate choices."""

import pytest

from gateway.customhost import is_valid_custom_host

DEFAULT_TRUSTED = ("localhost", "127.0.0.1", "::1", "host.docker.internal")


def ok(url: str, trusted: tuple[str, ...] = DEFAULT_TRUSTED) -> bool:
    return is_valid_custom_host(url, trusted)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.openai.com/v1",
        "HTTPS://API.OPENAI.COM/v1",
        "https://my-resource.openai.azure.com/openai",
        "http://example.com:8443/path?q=1#frag",
        " https://api.openai.com ",  # trimmed like upstream
        "http://8.8.8.8/v1",  # canonical public IPv4
        "http://172.32.0.1",  # just outside 172.16/12
        "http://a.b.c.d.e.f.g.h.i.com",  # exactly 10 labels
        "http://example.com:",  # empty port == no port
        "http://[2606:4700::1111]/v1",  # public IPv6 literal
        "http://[::ffff:8.8.8.8]",  # mapped public IPv4
    ],
)
def test_public_hosts_are_accepted(url: str) -> None:
    assert ok(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9999/v1",
        "http://localhost:8080",
        "http://localhost",
        "http://foo.localhost:3000",  # *.localhost rides on trusted localhost
        "http://host.docker.internal:11434",  # .internal TLD, but trusted
        "http://[::1]:8080/v1",  # bracketed IPv6 matches trusted ::1
        "http://[0:0:0:0:0:0:0:1]",  # any spelling of ::1
    ],
)
def test_trusted_hosts_are_accepted(url: str) -> None:
    assert ok(url)


@pytest.mark.parametrize("url", ["http://localhost:0", "http://127.0.0.1:0", "http://localhost:65536"])
def test_trusted_hosts_still_get_a_port_check(url: str) -> None:
    assert not ok(url)


def test_custom_trusted_list_replaces_the_default() -> None:
    trusted = ("example.internal",)
    assert not ok("http://localhost", trusted)
    assert not ok("http://127.0.0.1", trusted)
    assert not ok("http://[::1]", trusted)
    assert not ok("http://foo.localhost", trusted)
    assert ok("http://example.internal:8000", trusted)


def test_trusted_entries_are_normalised() -> None:
    assert ok("http://[::1]", ("[0::1]",))
    assert ok("http://my-host:1", (" My-Host ",))
    assert not ok("http://169.254.169.254", ())
    assert ok("http://169.254.169.254", ("169.254.169.254",))


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "http://exa\nmple.com",  # control characters
        "http://example.com/\x7f",
        "http://api.portkey.ai/v1",
        "https://eu.api.portkey.ai",
        "file:///etc/passwd",
        "data:text/plain,hi",
        "gopher://example.com",
        "ftp://example.com",
        "ftps://example.com",
        "javascript:alert(1)",
        "ws://example.com",
        "https://",
        "example.com",  # no scheme
        "http://user:pw@example.com",
        "http://user@example.com",
        "http://example.com/@evil.com",  # any @ at all
        "http://example%2ecom",
        "http://ex ample.com",
        "http://exa<mple.com",
        "http://example.com\\@evil",
        "http://exa_mple.com",
        "http://аpple.com",  # Cyrillic а: homograph
        "http://example.com.",
        "http://localhost.",
        "http://a.b.c.d.e.f.g.h.i.j.com",  # 11 labels
        "http://example.com:abc",
        "http://example.com:99999",
        "http://example.com:0",
        "http://[::1",
        "http://[::1]x",
        "http://[not-an-ip]",
    ],
)
def test_malformed_or_obfuscated_urls_are_rejected(url: str) -> None:
    assert not ok(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/v1",
        "http://169.254.169.253",
        "http://0.0.0.0",
        "http://metadata.google.internal",
        "http://metadata",
        "http://metadata.azure.com",
        "http://instance-data",
        "http://[fd00:ec2::254]",
    ],
)
def test_metadata_endpoints_are_rejected(url: str) -> None:
    assert not ok(url)


@pytest.mark.parametrize(
    "tld",
    [
        ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home",
        ".corp", ".test", ".invalid", ".onion", ".localhost",
    ],
)  # fmt: skip
def test_internal_tlds_are_rejected(tld: str) -> None:
    assert not ok(f"http://foo{tld}", ())


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.2",
        "169.254.1.1", "100.64.0.1", "100.127.255.255", "0.1.2.3", "224.0.0.1",
        "255.255.255.255",
    ],
)  # fmt: skip
def test_private_and_reserved_ipv4_are_rejected(host: str) -> None:
    assert not ok(f"http://{host}:8080/v1")


@pytest.mark.parametrize(
    "host",
    [
        "0x7f000001",  # hex
        "2130706433",  # decimal
        "134744072",  # decimal 8.8.8.8: every decimal form is refused
        "0x08080808",
        "0177.0.0.1",  # octal part
        "0x7f.0.0.1",
        "8.8.8.08",  # leading zero
        "127.1",  # shortened
        "10.1.1",
        "0x7f.1",  # mixed, shortened
        "1.2.3.4.5",  # too many parts
        "foo.123",  # WHATWG reads it as IPv4 and fails
        "256.1.1.1",
    ],
)
def test_alternative_ipv4_forms_are_rejected(host: str) -> None:
    assert not ok(f"http://{host}")


@pytest.mark.parametrize(
    "host",
    [
        "::1", "::", "0:0:0:0:0:0:0:0", "fc00::1", "fd12:3456::1", "fe80::1",
        "febf::1", "fec0::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
        "::ffff:a9fe:a9fe", "::10.0.0.1", "64:ff9b::10.0.0.1",
    ],
)  # fmt: skip
def test_local_private_and_mapped_ipv6_are_rejected(host: str) -> None:
    assert not ok(f"http://[{host}]", ())


def test_ipv6_zone_id_is_rejected() -> None:
    assert not ok("http://[fe80::1%25eth0]")


def test_non_string_is_rejected() -> None:
    assert not is_valid_custom_host(None, DEFAULT_TRUSTED)  # type: ignore[arg-type]
