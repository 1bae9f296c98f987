"""Staff sign-in security: the audit of sign-ins and their failures, the lockout's decision,
and the limits of a staff session (issue 13, ADR 0022 "Sessions and lockout").

Every row goes to the audit of the schema the request is served from: a province's host
writes to that province's own audit, the platform host to the operators' (public schema).
A row carries the client's address (config.client.client_address) and never a password, a
code or a secret; the name typed at a failed sign-in is kept as typed (NFC, at most 150
characters), because it is what the administrator needs to see who is being tried.

The lockout keeps two counters of wrong passwords (core.limits): per account of the province
and per client address across the platform. An account that has signed in before from the
client's address (accounts.models.SignInAddress, written when a sign-in completes) is not
held by the per-account counter there: failures typed anywhere else cannot lock its owner out
of a place they are known to work from. The per-address counter still applies, and so does a
third counter of the failures for that account from that address, with the per-account
counter's rate: an address that has guessed the account's password there is held as any
other would be."""

from __future__ import annotations

import ipaddress
import logging
import time
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import caches
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import AuditEntry, SignInAddress
from accounts.services import audit_record
from config.client import client_address
from core import limits

logger = logging.getLogger("accounts.security")

USERNAME_MAX_LENGTH = 150
USER_AGENT_MAX_LENGTH = 200

# Session keys (values: whole seconds since the epoch).
SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN_AT = "staff_last_seen_at"
# The last-seen time is written at most this often: not a session write per request.
LAST_SEEN_RESOLUTION = 60

# The audit's kinds of security events (the province's log and the operators' page filter
# on them; api keys and account changes have their own kinds).
SECURITY_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_blocked",
    "sign_out",
    "session_expired",
    "password_changed",
)
SECURITY_PREFIXES = ("otp_",)


def typed_username(value) -> str:
    """A typed user name as the audit keeps it: text, NFC, stripped, bounded."""
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    return "".join(ch for ch in text if ch.isprintable())[:USERNAME_MAX_LENGTH]


def valid_address(value: str) -> str | None:
    """The address as the database stores it, or None when it is not an IP address (a
    request made without one, as the test client's)."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _address(request) -> str:
    return client_address(request) if request is not None else ""


def _user_agent(request) -> str:
    if request is None:
        return ""
    agent = str(request.META.get("HTTP_USER_AGENT", ""))
    return "".join(ch for ch in agent if ch.isprintable())[:USER_AGENT_MAX_LENGTH]


# --- the lockout --------------------------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    """The wrong-password counters that apply to one sign-in attempt."""

    account: limits.Counter  # per account of the province, wherever typed
    address: limits.Counter  # per client address, across the platform
    account_here: limits.Counter  # per account and address (the per-account rate)
    username: str
    client: str  # the client's address

    @cached_property
    def known_address(self) -> bool:
        """The account has signed in from this address before (asked only when it matters)."""
        return known_address(username=self.username, address=self.client)

    def blocking(self) -> list[limits.Counter]:
        """The counters that refuse this attempt now (empty: it may go on)."""
        held = [self.address, self.account_here]
        if self.account.blocked() and not self.known_address:
            held.append(self.account)
        return [counter for counter in held if counter is self.account or counter.blocked()]

    def blocked(self) -> bool:
        return bool(self.blocking())

    def hit(self) -> None:
        """One wrong password: every counter counts it."""
        self.account.hit()
        self.address.hit()
        self.account_here.hit()

    def reset(self) -> None:
        """The right password: this account's failures (anywhere, and from here) are forgiven;
        the address's own count is not."""
        self.account.reset()
        self.account_here.reset()

    def retry_after(self) -> int:
        return max((counter.retry_after() for counter in self.blocking()), default=0)


def _account_key(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().casefold()


def known_address(*, username: str, address: str) -> bool:
    """Whether the account named (exactly as the sign-in backend looks it up) has completed a
    sign-in from this address before, in the active schema."""
    stored = valid_address(address)
    name = typed_username(username)
    if stored is None or not name:
        return False
    return SignInAddress.objects.filter(user__username=name, address=stored).exists()


def lockout_for(request, *, username: str) -> Lockout:
    """The counters of wrong passwords for `username` typed from the request's address on the
    host's province (or the platform host)."""
    account = _account_key(username)
    address = client_address(request)
    schema = connection.schema_name
    return Lockout(
        account=limits.counter("accounts.sign_in_account", who=account, province=schema),
        address=limits.counter("accounts.sign_in_address", who=address, province=None),
        # Same limit, same rate, its own key: this account's failures from this address.
        account_here=limits.counter(
            "accounts.sign_in_account", who=f"{account}\n@{address}", province=schema
        ),
        username=username,
        client=address,
    )


# Lockout markers of this process while Redis is unreachable: marker -> monotonic expiry.
_LOCAL_MARKERS: dict[str, float] = {}
_LOCAL_MARKERS_MAX = 10_000


def _local_marker_add(marker: str, window: int) -> bool:
    """`cache.add` in this process's memory: True the first time within `window` seconds."""
    now = time.monotonic()
    if len(_LOCAL_MARKERS) >= _LOCAL_MARKERS_MAX:
        for key in [key for key, until in _LOCAL_MARKERS.items() if until <= now]:
            del _LOCAL_MARKERS[key]
        if len(_LOCAL_MARKERS) >= _LOCAL_MARKERS_MAX:
            _LOCAL_MARKERS.clear()
    if _LOCAL_MARKERS.get(marker, 0.0) > now:
        return False
    _LOCAL_MARKERS[marker] = now + window
    return True


def record_blocked(request, *, username: str, lockout: Lockout) -> bool:
    """Record `sign_in_blocked` once per lockout: the first refused try of a lockout writes
    the row, the later ones while it lasts do not. True when a row was written."""
    blocking = lockout.blocking()
    if not blocking:
        return False
    cache = caches["default"]
    written = False
    for counter in blocking:
        window = max(1, counter.retry_after())
        marker = f"{counter.key}:audited:{connection.schema_name}"
        if getattr(cache, "available", lambda: True)():
            try:
                first = cache.add(marker, 1, timeout=window)
            except Exception:  # Redis gone: the limiter refused already; record, not lose
                logger.warning("lockout marker unavailable", exc_info=True)
                first = _local_marker_add(marker, window)
        else:
            # Redis down (config.cache answers "already there" to every add): the marker is
            # kept in this process, as core.limits keeps its counts, so the lockout is still
            # audited once per process and window rather than never, or on every try.
            first = _local_marker_add(marker, window)
        if first and not written:
            by = "address" if counter is lockout.address else "account"
            audit_record(
                actor=None,
                actor_name=typed_username(username) or "?",
                action="sign_in_blocked",
                target=typed_username(username),
                address=_address(request),
                blocked_by=by,
                minutes=max(1, -(-window // 60)),
                via="web",
            )
            written = True
    return written


# --- the recorded events ------------------------------------------------------------------


def record_sign_in(request, user) -> None:
    address = _address(request)
    audit_record(
        actor=user,
        action="sign_in",
        target=user.get_username(),
        address=address,
        user_agent=_user_agent(request),
    )
    remember_address(user, address)


def remember_address(user, address: str) -> None:
    """Upsert the (account, address) pair a sign-in completed from, in the active schema."""
    stored = valid_address(address)
    if stored is None:
        return
    now = timezone.now()
    SignInAddress.objects.bulk_create(
        [SignInAddress(user=user, address=stored, first_seen=now, last_seen=now)],
        update_conflicts=True,
        unique_fields=["user", "address"],
        update_fields=["last_seen"],
    )


def record_sign_in_failed(request, *, username: str) -> None:
    name = typed_username(username)
    user = get_user_model().objects.filter(username=name).first() if name else None
    audit_record(
        actor=None,
        actor_name=name or "?",
        action="sign_in_failed",
        target=name,
        address=_address(request),
        known_account=user is not None,
        via="web",
    )


def record_password_changed(request, user) -> None:
    audit_record(
        actor=user,
        action="password_changed",
        target=user.get_username(),
        address=_address(request),
    )


def record_session_expired(request, user, *, reason: str) -> None:
    audit_record(
        actor=user,
        action="session_expired",
        target=user.get_username(),
        address=_address(request),
        reason=reason,
    )


# --- the signals (connected in accounts.apps) -----------------------------------------------


def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN_AT] = now
    record_sign_in(request, user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the sign-in forms (a request with a typed user name): API keys and other
    # backends fail in their own ways and are answered by the API.
    if request is None or "username" not in credentials:
        return
    record_sign_in_failed(request, username=credentials.get("username") or "")


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None or request is None or getattr(request, "_session_expired", False):
        return
    audit_record(
        actor=user, action="sign_out", target=user.get_username(), address=_address(request)
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.security.logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts.security.login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts.security.logged_out")


# --- the session limits -----------------------------------------------------------------------


def session_limits() -> tuple[int, int]:
    """(absolute, idle) lifetimes of a staff session, in seconds."""
    return int(settings.SESSION_COOKIE_AGE), int(settings.STAFF_SESSION_IDLE_SECONDS)


def session_expiry(session, *, now: int | None = None) -> str | None:
    """Why the signed-in session must end now ("absolute" or "idle"), or None; stamps a
    session signed in before the limits existed, and refreshes its last-seen time (at most
    once a minute)."""
    now = int(time.time()) if now is None else now
    absolute, idle = session_limits()
    signed_in_at = _stamp(session.get(SIGNED_IN_AT))
    last_seen = _stamp(session.get(LAST_SEEN_AT))
    if signed_in_at is None:
        # Signed in before this rule (or stamped by hand with garbage): its time starts now.
        session[SIGNED_IN_AT] = signed_in_at = now
    if last_seen is None:
        session[LAST_SEEN_AT] = last_seen = now
    if now - signed_in_at >= absolute:
        return "absolute"
    if now - last_seen >= idle:
        return "idle"
    if now - last_seen >= LAST_SEEN_RESOLUTION:
        session[LAST_SEEN_AT] = now
    return None


def _stamp(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value < 2**40 else None


# --- the audit's kinds ----------------------------------------------------------------------

# Each kind: exact action codes and code prefixes (a stored action is a code, then maybe a
# space and the fields changed: "topic_updated name,agency").
AUDIT_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "security": (SECURITY_ACTIONS, SECURITY_PREFIXES),
    "accounts": (
        (
            "staff_created",
            "user_activated",
            "user_deactivated",
            "user_secret_issued",
            "role_granted",
            "role_removed",
        ),
        (),
    ),
    "api_keys": ((), ("api_key_",)),
}
OTHER = "other"  # every action of no kind above (content, topics, categories, contacts…)


def _kind_q(kind: str) -> Q:
    codes, prefixes = AUDIT_KINDS[kind]
    query = Q(action__in=codes) if codes else Q(pk__in=[])
    for code in codes:
        query |= Q(action__startswith=f"{code} ")
    for prefix in prefixes:
        query |= Q(action__startswith=prefix)
    return query


def audit_filter(kinds: list[str] | tuple[str, ...]) -> Q:
    """The audit rows of any of `kinds` (names of AUDIT_KINDS, or OTHER)."""
    query = Q(pk__in=[])
    for kind in kinds:
        if kind == OTHER:
            known = Q(pk__in=[])
            for name in AUDIT_KINDS:
                known |= _kind_q(name)
            query |= ~known
        else:
            query |= _kind_q(kind)
    return query


def audit_entries_of(kinds: list[str] | tuple[str, ...]) -> QuerySet[AuditEntry]:
    """The active schema's audit rows of `kinds`, newest first (unsliced: the pages page it)."""
    return AuditEntry.objects.filter(audit_filter(kinds)).order_by("-created_at", "-pk")
