"""core.ratelimit.client_ip: the peer's address, or the rightmost untrusted X-Forwarded-For
entry when the peer is a trusted proxy; and YISHI_TRUSTED_PROXIES as it is parsed."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from core.ratelimit import client_ip
from yishi.settings import env_networks


def request(remote: str, forwarded: str | None = None, **meta):
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)


@pytest.fixture
def proxies(settings, monkeypatch):
    monkeypatch.setenv("YISHI_TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12 ,fd00::/8,::1")
    settings.TRUSTED_PROXIES = env_networks("YISHI_TRUSTED_PROXIES")


def test_the_setting_takes_addresses_and_networks_of_both_families(monkeypatch):
    monkeypatch.setenv("YISHI_TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12 ,fd00::/8,::1,")
    assert [str(n) for n in env_networks("YISHI_TRUSTED_PROXIES")] == [
        "10.0.0.1/32",
        "172.16.0.0/12",
        "fd00::/8",
        "::1/128",
    ]
    monkeypatch.setenv("YISHI_TRUSTED_PROXIES", "10.0.0.1, nginx")
    with pytest.raises(ImproperlyConfigured, match="YISHI_TRUSTED_PROXIES: 'nginx'"):
        env_networks("YISHI_TRUSTED_PROXIES")
    monkeypatch.delenv("YISHI_TRUSTED_PROXIES")
    assert env_networks("YISHI_TRUSTED_PROXIES") == ()


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = ()
    assert client_ip(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_ip(request("")) == "unknown"


def test_an_untrusted_peer_cannot_name_another_address(proxies):
    assert client_ip(request("203.0.113.9", "10.0.0.1, 198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # The leftmost entries are the client's own words; only the proxy's append counts.
        ("10.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Two proxies of ours (a load balancer, then nginx) append in turn.
        ("10.0.0.1", "1.2.3.4, 198.51.100.7, 172.20.0.5", "198.51.100.7"),
        ("::1", "2001:db8::7", "2001:db8::7"),
        ("fd00::2", "1.2.3.4, 2001:db8::7, fd00::3", "2001:db8::7"),
        # Ports some proxies add, and IPv4 seen through an IPv6 socket.
        ("10.0.0.1", "198.51.100.7:51234", "198.51.100.7"),
        ("10.0.0.1", "[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:10.0.0.1", "::ffff:198.51.100.7", "198.51.100.7"),
        # Malformed entries stop the walk at the last address vouched for: never the
        # client's text, never an error.
        ("10.0.0.1", "1.2.3.4, garbage", "10.0.0.1"),
        ("10.0.0.1", "198.51.100.7, <script>, 172.20.0.5", "172.20.0.5"),
        ("10.0.0.1", "", "10.0.0.1"),
        ("10.0.0.1", ",,,", "10.0.0.1"),
        # Every hop is ours: the last one we know of is the client.
        ("10.0.0.1", "172.20.0.5, 10.0.0.1", "172.20.0.5"),
    ],
)
def test_through_a_trusted_proxy_the_rightmost_untrusted_entry_counts(
    proxies, remote, forwarded, client
):
    assert client_ip(request(remote, forwarded)) == client


def test_a_long_header_is_read_only_from_the_right(proxies):
    chain = ", ".join(["172.20.0.5"] * 10_000)
    assert client_ip(request("10.0.0.1", "198.51.100.7, " + chain)) == "172.20.0.5"


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(client, proxies, settings, db):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    forged = client.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301 and forged["Location"].startswith("https://")
    proxied = client.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
