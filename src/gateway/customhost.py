"""SSRF guard for `custom_host` (config key and `x-portkey-custom-host` header).

Port of upstream `isValidCustomHost` (src/middlewares/requestValidator/index.ts). A custom
host replaces a provider's base URL, so without this check any caller could make the
gateway fetch cloud metadata endpoints or services on its private network.

Upstream relies on the WHATWG URL parser, which canonicalises numeric hosts
(`0x7f000001` -> `127.0.0.1`) before its checks run. `urllib.parse` does not, so this
port treats any host that WHATWG would parse as IPv4 ("ends in a number") as an address:
a canonical dotted quad is range-checked, every other numeric form (decimal, hex,
octal, shortened, too many parts) is refused outright, as upstream intends.
Unlike upstream, a bracketed IPv6 literal is parsed and checked rather than rejected by
the character whitelist, so a trusted `::1` works. Fails closed on any parse error.
"""

import ipaddress
import re
from functools import cache, lru_cache
from urllib.parse import urlsplit

_SUSPICIOUS_CHARS = frozenset("<>{}|\\^`")
_HOST_CHARS = re.compile(r"[a-z0-9.-]+")
_ENDS_IN_NUMBER = re.compile(r"\d+|0x[0-9a-f]*")
_DISALLOWED_SCHEMES = ("file://", "data:", "gopher:", "ftp://", "ftps://")
_MAX_LABELS = 10

# Cloud metadata endpoints and obviously internal names. `localhost` is here because it
# is only acceptable through the trusted set (upstream lets a bare, untrusted
# `localhost` through; this port does not).
_BLOCKED_HOSTS = frozenset(
    {
        "0.0.0.0",
        "169.254.169.254",
        "metadata.google.internal",
        "metadata",
        "metadata.azure.com",
        "instance-data",
        "localhost",
    }
)
_BLOCKED_PREFIXES = ("169.254.169.",)
_BLOCKED_TLDS = (
    ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home",
    ".corp", ".test", ".invalid", ".onion", ".localhost",
)  # fmt: skip

_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # private
        "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10",  # loopback, link-local, CGNAT
        "0.0.0.0/8", "224.0.0.0/3",  # "this" network, multicast/reserved/broadcast
    )
)  # fmt: skip
# ::1, ::, unique-local (fc/fd, includes AWS fd00:ec2::), link-local, site-local.
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(n) for n in ("::1/128", "::/128", "fc00::/7", "fe80::/10", "fec0::/10")
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@lru_cache(maxsize=1024)
def is_valid_custom_host(url: str, trusted_hosts: tuple[str, ...]) -> bool:
    """True when `url` is a safe http(s) base URL for an upstream provider call.

    Memoised: a pure function of its arguments, and clients repeat the same few hosts.

    `trusted_hosts` (upstream's TRUSTED_CUSTOM_HOSTS, default
    `localhost,127.0.0.1,::1,host.docker.internal`) bypasses the internal-address
    blocks; only the port is still checked. `*.localhost` is trusted with `localhost`.
    """
    try:
        return _check(url, trusted_hosts)
    except ValueError:  # urlsplit / ipaddress / int refusals: fail closed
        return False


def _check(url: str, trusted_hosts: tuple[str, ...]) -> bool:
    """Run upstream's checks in order; any early False mirrors an upstream rejection."""
    if not isinstance(url, str) or not _precheck(url):
        return False
    parts = urlsplit(url.strip(" "))
    if parts.scheme not in ("http", "https"):
        return False
    if parts.username is not None or parts.password is not None:
        return False
    host, port, is_v6 = _host_and_port(parts.netloc)
    if not _host_shape_ok(host, is_v6):
        return False
    port_ok = port is None or 0 < port <= 65535
    trusted = _normalise_trusted(trusted_hosts)
    if host in trusted or ("localhost" in trusted and host.endswith(".localhost")):
        return port_ok
    return port_ok and not _is_internal(host, is_v6)


def _precheck(url: str) -> bool:
    """String-level refusals that upstream applies before parsing."""
    value = url.strip().lower()
    if not value:
        return False
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    if "api.portkey" in value or value.startswith(_DISALLOWED_SCHEMES):
        return False
    return "@" not in url


def _host_and_port(netloc: str) -> tuple[str, int | None, bool]:
    """Split netloc into (lower-cased host, port, is-IPv6-literal); IPv6 is compressed.

    Done by hand because `SplitResult.hostname` drops the brackets we need to tell an
    IPv6 literal from a name, and `.port` parsing differs across 3.11 patch releases.
    """
    hostport = netloc.rpartition("@")[2]
    is_v6 = hostport.startswith("[")
    if is_v6:
        host, sep, rest = hostport[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError("malformed IPv6 authority")
        port_text = rest[1:]
        if "%" not in host:  # zone ids are refused by _host_shape_ok
            host = ipaddress.IPv6Address(host).compressed
    else:
        host, _, port_text = hostport.partition(":")
    if port_text and not (port_text.isascii() and port_text.isdigit()):
        raise ValueError("non-numeric port")
    return host.lower(), (int(port_text) if port_text else None), is_v6


def _host_shape_ok(host: str, is_v6: bool) -> bool:
    """Character and structure checks: no %-escapes, injection chars or homographs."""
    if not host or "%" in host:
        return False
    if any(ch.isspace() or ch in _SUSPICIOUS_CHARS for ch in host):
        return False
    if not is_v6 and not _HOST_CHARS.fullmatch(host):
        return False
    return not host.endswith(".") and len(host.split(".")) <= _MAX_LABELS


@cache
def _normalise_trusted(trusted_hosts: tuple[str, ...]) -> frozenset[str]:
    """Lower-case, trim and unbracket entries; compress IPv6 so `::1` matches `[::1]`."""
    out = set()
    for entry in trusted_hosts:
        name = entry.strip().lower().removeprefix("[").removesuffix("]")
        try:
            name = ipaddress.IPv6Address(name).compressed
        except ValueError:
            pass
        if name:
            out.add(name)
    return frozenset(out)


def _is_internal(host: str, is_v6: bool) -> bool:
    """Metadata names, internal TLDs and private/reserved/obfuscated addresses."""
    if is_v6:
        return _ipv6_blocked(ipaddress.IPv6Address(host))
    if host in _BLOCKED_HOSTS or host.startswith(_BLOCKED_PREFIXES):
        return True
    if host.endswith(_BLOCKED_TLDS):
        return True
    if _ENDS_IN_NUMBER.fullmatch(host.rsplit(".", 1)[-1]):
        return _numeric_host_blocked(host)
    return False


def _numeric_host_blocked(host: str) -> bool:
    """A host WHATWG would read as IPv4: only a canonical, public dotted quad passes.

    `IPv4Address` refuses leading zeros, hex, fewer or more than four parts and octets
    over 255, which are exactly the decimal/hex/octal/shortened forms upstream blocks.
    """
    try:
        addr = ipaddress.IPv4Address(host)
    except ValueError:
        return True
    return _ipv4_blocked(addr)


def _ipv4_blocked(addr: ipaddress.IPv4Address) -> bool:
    return any(addr in net for net in _BLOCKED_V4)


def _ipv6_blocked(addr: ipaddress.IPv6Address) -> bool:
    """Local/private IPv6, plus private IPv4 carried inside IPv6.

    Upstream matches `::ffff:a.b.c.d` and `::a.b.c.d` textually; the address forms
    checked here (mapped, compatible ::/96, NAT64 64:ff9b::/96) cover the same hosts
    whatever notation the caller used.
    """
    if any(addr in net for net in _BLOCKED_V6):
        return True
    embedded = [addr.ipv4_mapped]
    if int(addr) >> 32 == 0 or addr in _NAT64:  # ::a.b.c.d and 64:ff9b::a.b.c.d
        embedded.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    return any(v4 is not None and _ipv4_blocked(v4) for v4 in embedded)
