"""A careful HTTP downloader for files named by URL in a platform's events (Zalo's photos).

A Zalo image event carries a URL and the bot fetches it from its own network; unchecked, such a
fetch can be steered at the bot's host, a cloud metadata service or the office LAN. So only
``https`` is fetched; a redirect is followed only to a host under an allow-list of media host
suffixes, a few hops at most; every address a name resolves to is checked in the resolver that
aiohttp connects through, so the address checked is the address connected to and a second DNS
answer (rebinding) cannot slip a private one in; the body is cut off past the size cap, and the
whole download, redirects included, has one deadline. Every failure is ``FileUnavailable`` or
``FileTooLarge`` with no URL in its text (a URL may carry a token). ``allow_http`` and
``allow_private`` exist for a fake server on loopback in tests, never for production.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Final

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.engine import FileTooLarge, FileUnavailable

_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_GONE: Final = frozenset({401, 403, 404, 410})  # the file is not there for us, and will not be
_CHUNK: Final = 64 * 1024


@dataclass(frozen=True, slots=True)
class DownloadPolicy:
    """What a download may reach, how far it may be redirected, and how long it may take."""

    hosts: tuple[str, ...] = ()  # host suffixes a redirect may lead to; none by default
    allow_http: bool = False
    allow_private: bool = False
    max_redirects: int = 3
    deadline_seconds: float = 60.0
    connect_seconds: float = 10.0


class _Refused(Exception):
    """The policy forbids this hop; never an OSError, so aiohttp lets it through unwrapped."""


def address_allowed(address: str, *, allow_private: bool = False) -> bool:
    """True when ``address`` is a public unicast IP, or any IP when ``allow_private``."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if allow_private:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1 and 64:ff9b::/96 reach IPv4 hosts; judge the IPv4 address itself.
        mapped = ip.ipv4_mapped
        if mapped is None and ip in ipaddress.ip_network("64:ff9b::/96"):
            mapped = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if mapped is not None:
            return address_allowed(str(mapped))
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def host_allowed(host: str, suffixes: tuple[str, ...]) -> bool:
    """True when ``host`` is one of ``suffixes`` or a subdomain of one (case-insensitive)."""
    name = host.lower().rstrip(".")
    for suffix in suffixes:
        wanted = suffix.lower().strip(".")
        if wanted and (name == wanted or name.endswith("." + wanted)):
            return True
    return False


class CheckedResolver(AbstractResolver):
    """Resolves through ``inner`` and refuses a name if any of its addresses is not allowed."""

    def __init__(self, inner: AbstractResolver, *, allow_private: bool) -> None:
        self._inner = inner
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of ``host``, all of them checked, or _Refused."""
        results = await self._inner.resolve(host, port, family)
        # All or nothing: a name with one private address among public ones is an attack.
        if not results or not all(
            address_allowed(r["host"], allow_private=self._allow_private) for r in results
        ):
            raise _Refused("address")
        return results

    async def close(self) -> None:
        """Closes the inner resolver."""
        await self._inner.close()


class Downloader:
    """Fetches one URL at a time under a ``DownloadPolicy``, over one aiohttp session."""

    def __init__(
        self, policy: DownloadPolicy | None = None, *, resolver: AbstractResolver | None = None
    ) -> None:
        self.policy = policy or DownloadPolicy()
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            inner = self._resolver or aiohttp.ThreadedResolver()
            checked = CheckedResolver(inner, allow_private=self.policy.allow_private)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=checked),
                cookie_jar=aiohttp.DummyCookieJar(),  # a redirect must not carry cookies
                timeout=aiohttp.ClientTimeout(sock_connect=self.policy.connect_seconds),
                trust_env=False,  # no proxy from the environment: the checks are on our side
            )
        return self._session

    async def close(self) -> None:
        """Closes the session (and its resolver)."""
        if self._session is not None:
            await self._session.close()

    async def fetch(self, url: str, max_bytes: int) -> bytes:
        """The bytes at ``url``; FileUnavailable or FileTooLarge, never with the URL in them."""
        reading = False
        try:
            async with asyncio.timeout(self.policy.deadline_seconds):
                target = self._checked(url, first=True)
                for _hop in range(self.policy.max_redirects + 1):
                    async with self._http().get(target, allow_redirects=False) as response:
                        if response.status in _REDIRECTS:
                            location = response.headers.get("Location", "")
                            target = self._checked(target.join(URL(location)), first=False)
                            continue
                        if response.status in _GONE:
                            raise FileUnavailable("not_found")
                        if response.status != 200:
                            raise FileUnavailable("unreachable")
                        declared = response.content_length
                        if declared is not None and declared > max_bytes:
                            raise FileTooLarge("download")
                        reading = True
                        return await _read_capped(response, max_bytes)
                raise FileUnavailable("refused")  # a redirect loop, or too long a chain
        except TimeoutError:
            raise FileUnavailable("too_slow" if reading else "timeout") from None
        except _Refused:
            raise FileUnavailable("refused") from None
        except (aiohttp.ClientError, ValueError, OSError):
            # aiohttp's and yarl's messages can carry the URL: drop them.
            raise FileUnavailable("unreachable") from None

    def _checked(self, url: str | URL, *, first: bool) -> URL:
        """The URL of one hop, or _Refused when the policy forbids it."""
        target = URL(url) if isinstance(url, str) else url
        schemes = ("https", "http") if self.policy.allow_http else ("https",)
        host = target.raw_host
        if target.scheme not in schemes or not host or target.user or target.password:
            raise _Refused("scheme")
        if not first and not host_allowed(host, self.policy.hosts):
            raise _Refused("host")
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return target  # a name: its addresses are checked by the resolver
        # aiohttp does not resolve an IP literal, so it is checked here.
        if not address_allowed(host, allow_private=self.policy.allow_private):
            raise _Refused("address")
        return target


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, refused as soon as it passes ``max_bytes``."""
    received = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        received += chunk
        if len(received) > max_bytes:
            raise FileTooLarge("download")
    return bytes(received)
