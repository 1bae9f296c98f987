"""Builders for accounts: users as the services leave them."""

from __future__ import annotations


def with_email(user, address: str | None = None):
    """Give `user` an e-mail address (by default `<username>@example.gov.vn`) and return it."""
    user.email = address or f"{user.username}@example.gov.vn"
    user.save(update_fields=["email"])
    return user


def administrator(*, password: str | None = None):
    """The province's administrator (the superuser seeded at onboarding) past its first sign-in:
    its one-time secret is unknown to a test, so no service can change it; the flag and, when
    given, the password are set on the row."""
    from accounts.models import User

    admin = User.objects.get(is_superuser=True)
    if password is not None:
        admin.set_password(password)
    admin.must_change_password = False
    admin.save()
    return admin


def authenticator(user):
    """The account's confirmed authenticator (TOTPDevice) in the active schema, made if it has
    none: what enrolment leaves."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=f"authenticator of {user.username}", confirmed=True
        )
    return device


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` 30-second steps later: django-otp
    refuses a code of a time step already used, so a second sign-in in the same test takes the
    next one, which the device's tolerance of one step accepts)."""
    from django_otp.oath import totp

    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"


def verified_login(client, user, *, host: str | None = None):
    """Sign `client` in as `user` past the second factor, as the code page leaves a session: the
    account gets an authenticator (in the schema of `host` when given, else the active one) and
    the session is marked verified by it (what django_otp.login stores). Returns the device."""
    from contextlib import nullcontext

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_tenants.utils import schema_context

    from tenants.hosts import province_for_host

    client.force_login(user)
    province = province_for_host(host) if host else None
    with schema_context(province.schema_name) if province is not None else nullcontext():
        device = authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def enrol_through_page(client, user, *, host: str, prefix: str = "/staff"):
    """Enrol `user`'s authenticator the way a person does on the enrolment page (open it, type
    the app's code); the response is the page with the recovery codes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import schema_context

    from tenants.hosts import province_for_host

    page = client.get(f"{prefix}/bao-mat/dang-ky/")
    assert page.status_code == 200, page.status_code
    with schema_context(province_for_host(host).schema_name):
        device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post(f"{prefix}/bao-mat/dang-ky/", {"code": totp_code(device)})
