"""The client's address behind our proxies: the last hop our nginx appended, never a claim."""

from django.test import RequestFactory, override_settings

from config.client import client_address


def _request(remote="127.0.0.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@override_settings(TRUSTED_PROXIES=0)
def test_without_proxies_the_socket_address_is_the_client():
    assert client_address(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_last_hop_is_the_client_and_spoofed_entries_are_ignored():
    assert client_address(_request(forwarded="203.0.113.9")) == "203.0.113.9"
    # a client claiming to be 1.2.3.4: nginx appends the real address last
    assert client_address(_request(forwarded="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_address(_request(forwarded="")) == "127.0.0.1"
