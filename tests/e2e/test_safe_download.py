"""The downloader behind Zalo photo URLs, against a real HTTP server on loopback: what it may
reach (public addresses only, https only, redirects only to allowed hosts), how far and how long,
and that no failure's text carries the URL. A fake DNS (a resolver of aiohttp's interface) stands
in for the world's names, so a name can be made to point anywhere."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.engine import FileTooLarge, FileUnavailable
from bot.platforms.download import Downloader, DownloadPolicy, address_allowed, host_allowed
from tests.conftest import photo

PHOTO = photo(7)


class FakeDNS(AbstractResolver):
    """Names to addresses, as a test decides; an unknown name does not resolve."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.names:
            raise OSError(f"no such name {host}")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for address in self.names[host]
        ]

    async def close(self) -> None:
        return None


class Media:
    """A loopback web server with good and hostile media routes; counts what it was asked."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.port = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.hits.append(name)
        if name == "photo.jpg":
            return web.Response(body=PHOTO, content_type="image/jpeg")
        if name == "missing":
            raise web.HTTPNotFound()
        if name == "broken":
            raise web.HTTPBadGateway()
        if name == "loop":
            raise web.HTTPFound("/media/loop")
        if name == "to-metadata":
            raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")
        if name == "to-allowed":
            raise web.HTTPFound(f"http://cdn.zdn.vn:{self.port}/media/photo.jpg")
        if name == "to-file":
            raise web.HTTPFound("file:///etc/passwd")
        if name in ("slow", "endless"):
            response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
            await response.prepare(request)
            for _ in range(600):
                await response.write(PHOTO[:10] if name == "slow" else b"\xff" * 65536)
                await asyncio.sleep(0.5 if name == "slow" else 0)
            return response
        raise web.HTTPNotFound()


@pytest.fixture
async def media() -> AsyncIterator[Media]:
    server = Media()
    app = web.Application()
    app.router.add_get("/media/{name}", server.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        await runner.cleanup()


async def _fetch(
    url: str, policy: DownloadPolicy, dns: FakeDNS | None = None, max_bytes: int = 10**6
) -> bytes:
    downloader = Downloader(policy, resolver=dns or FakeDNS({}))
    try:
        return await downloader.fetch(url, max_bytes)
    finally:
        await downloader.close()


async def _refusal(url: str, policy: DownloadPolicy, dns: FakeDNS | None = None) -> str:
    with pytest.raises(FileUnavailable) as caught:
        await _fetch(url, policy, dns)
    assert str(caught.value) == caught.value.reason  # the reason only: no URL, no token
    assert "http" not in repr(caught.value) and caught.value.__cause__ is None
    return caught.value.reason


LOOPBACK = DownloadPolicy(allow_http=True, allow_private=True, hosts=("zdn.vn",))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "not-an-address",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address: str) -> None:
    assert not address_allowed(address)
    if address != "not-an-address":
        assert address_allowed(address, allow_private=True)


@pytest.mark.parametrize("address", ["203.113.143.10", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(address)


def test_redirect_hosts_match_whole_labels_only() -> None:
    hosts = ("zdn.vn", "zalo.me")
    assert host_allowed("photo-stal-1.zdn.vn", hosts) and host_allowed("ZDN.VN.", hosts)
    assert not host_allowed("evilzdn.vn", hosts)
    assert not host_allowed("zdn.vn.evil.example", hosts)
    assert not host_allowed("anything.example", ())


async def test_a_name_that_resolves_to_loopback_is_refused_before_connecting(
    media: Media,
) -> None:
    policy = DownloadPolicy(allow_http=True)  # private addresses refused, as in production
    for addresses in (["127.0.0.1"], ["203.113.143.10", "127.0.0.1"], ["::ffff:127.0.0.1"]):
        dns = FakeDNS({"photo-stal-1.zdn.vn": addresses})
        url = f"http://photo-stal-1.zdn.vn:{media.port}/media/photo.jpg"
        assert await _refusal(url, policy, dns) == "refused"
        assert dns.asked == ["photo-stal-1.zdn.vn"]
    assert media.hits == []


async def test_an_address_written_in_the_url_is_checked_too(media: Media) -> None:
    policy = DownloadPolicy(allow_http=True)
    for host in ("127.0.0.1", "[::1]", "169.254.169.254"):
        assert await _refusal(f"http://{host}:{media.port}/media/photo.jpg", policy) == "refused"
    assert media.hits == []


async def test_only_https_unless_the_policy_allows_http(media: Media) -> None:
    url = f"http://127.0.0.1:{media.port}/media/photo.jpg"
    strict_but_private = DownloadPolicy(allow_private=True)
    assert await _refusal(url, strict_but_private) == "refused"
    for other in ("ftp://127.0.0.1/x", "file:///etc/passwd", "https://user:pw@127.0.0.1/x", ""):
        assert await _refusal(other, LOOPBACK) == "refused"
    assert media.hits == []
    assert await _fetch(url, LOOPBACK) == PHOTO


async def test_a_redirect_is_followed_only_to_an_allowed_host(media: Media) -> None:
    dns = FakeDNS({"cdn.zdn.vn": ["127.0.0.1"]})
    base = f"http://127.0.0.1:{media.port}/media"
    assert await _fetch(f"{base}/to-allowed", LOOPBACK, dns) == PHOTO
    assert media.hits == ["to-allowed", "photo.jpg"]
    media.hits.clear()
    assert await _refusal(f"{base}/to-metadata", LOOPBACK, dns) == "refused"
    assert await _refusal(f"{base}/to-file", LOOPBACK, dns) == "refused"
    no_redirects = DownloadPolicy(allow_http=True, allow_private=True)
    assert await _refusal(f"{base}/to-allowed", no_redirects, dns) == "refused"
    assert media.hits == ["to-metadata", "to-file", "to-allowed"]


async def test_a_redirect_loop_stops_after_a_few_hops(media: Media) -> None:
    dns = FakeDNS({})
    policy = DownloadPolicy(allow_http=True, allow_private=True, hosts=("127.0.0.1",))
    url = f"http://127.0.0.1:{media.port}/media/loop"
    assert await _refusal(url, policy, dns) == "refused"
    assert media.hits == ["loop"] * (policy.max_redirects + 1)


async def test_missing_and_failing_files_are_unavailable(media: Media) -> None:
    base = f"http://127.0.0.1:{media.port}/media"
    assert await _refusal(f"{base}/missing", LOOPBACK) == "not_found"
    assert await _refusal(f"{base}/broken", LOOPBACK) == "unreachable"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    assert await _refusal(f"http://127.0.0.1:{closed}/x.jpg", LOOPBACK) == "unreachable"
    assert await _refusal("https://no-such-name.zdn.vn/x.jpg", LOOPBACK) == "unreachable"


async def test_a_body_that_trickles_is_cut_off_at_the_deadline(media: Media) -> None:
    policy = DownloadPolicy(allow_http=True, allow_private=True, deadline_seconds=1.5)
    url = f"http://127.0.0.1:{media.port}/media/slow"
    assert await _refusal(url, policy) == "too_slow"


async def test_a_body_past_the_cap_is_refused_while_streaming(media: Media) -> None:
    downloader = Downloader(LOOPBACK, resolver=FakeDNS({}))
    try:
        with pytest.raises(FileTooLarge) as caught:
            await downloader.fetch(f"http://127.0.0.1:{media.port}/media/endless", 1_000_000)
        assert "http" not in str(caught.value)
        with pytest.raises(FileTooLarge):  # declared too large: refused before the body
            await downloader.fetch(f"http://127.0.0.1:{media.port}/media/photo.jpg", 100)
    finally:
        await downloader.close()
