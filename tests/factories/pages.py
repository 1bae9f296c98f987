"""Page helpers shared by the tests of the web pages: a signed-in browser on a host, and what a
page says (its HTML with entities unescaped, a <meta> value, the options of a <select>)."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client

from tests.conftest import host_client


def signed_in(host: str, user, **kwargs) -> Client:
    """A browser on `host` signed in as `user`, past the second factor (an authenticator made
    for the account, the session verified by it: tests/factories/accounts.verified_login);
    extra `Client` arguments pass through."""
    from tests.factories.accounts import verified_login

    client = host_client(host, **kwargs)
    verified_login(client, user, host=host)
    return client


def page_text(response) -> str:
    """The page's HTML as the reader sees its characters (entities unescaped)."""
    return unescape(response.content.decode())


def meta(html: str, name: str) -> str | None:
    """The content of `<meta name="…">`, or None when the page has none."""
    match = re.search(rf'<meta name="{re.escape(name)}" content="([^"]*)">', html)
    return match.group(1) if match else None


def options(html: str, name: str) -> list[str]:
    """The option values of `<select name="…">`, in order; the page must have that select."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.DOTALL)
    assert select, f"no <select name={name}>"
    return re.findall(r'<option value="([^"]*)"', select.group(0))
