"""The store of approved profile versions (ADR 0031): the source `provinces.loader` reads the
version in force from, registered in `TenantsConfig.ready()`.

Every request that reads the profile asks it, so a warm call costs no query and no cache
round trip: each process keeps the approved versions of a province (effective date, key,
text) with the province's store generation, a token kept in Redis (public key space) and
remembered for GENERATION_MEMO_SECONDS (config.cache.LocalMemo). `invalidate(slug)` (called
when a version is approved) puts a new token in Redis and forgets the process's copy: the
process that approved sees the change at once, every other one within
GENERATION_MEMO_SECONDS. Keys carry the slug: one province's versions never answer another's.

`seed_shipped()` loads the files under provinces/profiles/<slug>/ as approved versions
(origin "shipped"); it runs after every migration of the public schema (`migrate`,
`migrate_schemas --shared`, the test database) and before onboarding in `seed_demo` and
`onboard_province`."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.services import audit_record
from config.cache import LocalMemo
from provinces.loader import (
    PROFILES_DIR,
    ProfileError,
    StoredVersion,
    load_profile,
    location_problems,
    register_version_source,
    shipped_profile_paths,
    stored_profile,
)
from provinces.schema import Profile
from tenants.models import ProfileVersion

logger = logging.getLogger(__name__)

GENERATION_MEMO_SECONDS = 2.0
SHIPPED_AUTHOR = "kho mã của nền tảng"
_generations = LocalMemo(GENERATION_MEMO_SECONDS)
# {slug: (generation token, versions or None)}: this process's copy of the store.
_versions: dict[str, tuple[str, list[StoredVersion] | None]] = {}
_MAX_SLUGS = 1024


def _generation_key(slug: str) -> str:
    return f"profiles:store:{slug}:generation"


# The generation a province starts at when Redis holds none (a fresh or flushed Redis): a
# process's copy read under it stays good, so an emptied cache costs no reload; an approval
# moves the generation to a random token, which every copy read before it differs from.
GENESIS = "0"


def _generation(slug: str) -> str:
    """The province's store generation: GENESIS until a version is approved; a token never
    seen when Redis is away (the copy is then read again each time)."""
    token = _generations.get(slug)
    if token is not None:
        return token
    with schema_context(get_public_schema_name()):
        token = cache.get(_generation_key(slug))
        if token is None:
            cache.add(_generation_key(slug), GENESIS, None)
            token = cache.get(_generation_key(slug)) or uuid.uuid4().hex
    _generations.set(slug, token)
    return token


def _key(pk: int, sha256: str) -> str:
    return f"{pk}:{sha256[:16]}"


def _read(slug: str) -> list[StoredVersion] | None:
    # The public schema is on every search_path: this reads the same rows in any schema.
    rows = (
        ProfileVersion.objects.filter(slug=slug, status=ProfileVersion.Status.APPROVED)
        .order_by("effective_from", "pk")
        .values("pk", "effective_from", "sha256", "text")
    )
    versions = [
        (row["effective_from"], _key(row["pk"], row["sha256"]), row["text"]) for row in rows
    ]
    return versions or None


def approved_versions(slug: str) -> list[StoredVersion] | None:
    """The approved versions of `slug`, oldest first, as (effective date, key, text); None when
    the store holds none (the loader then reads the shipped files). The version source."""
    token = _generation(slug)
    held = _versions.get(slug)
    if held is not None and held[0] == token:
        return held[1]
    try:
        versions = _read(slug)
    except (DatabaseError, RuntimeError) as error:
        # No database here (a pure computation, an outage): the shipped files answer; nothing
        # is remembered, the next call asks again.
        logger.debug("profile store unreadable (%s): shipped files read", type(error).__name__)
        return None
    if len(_versions) >= _MAX_SLUGS:
        _versions.clear()
    _versions[slug] = (token, versions)
    return versions


def stored_slugs() -> list[str]:
    """The provinces the store holds an approved version of."""
    try:
        return list(
            ProfileVersion.objects.filter(status=ProfileVersion.Status.APPROVED)
            .order_by("slug")
            .values_list("slug", flat=True)
            .distinct()
        )
    except (DatabaseError, RuntimeError):
        return []


def _bump(slug: str) -> None:
    _generations.forget(slug)
    _versions.pop(slug, None)
    with schema_context(get_public_schema_name()):
        cache.set(_generation_key(slug), uuid.uuid4().hex, None)


def forget() -> None:
    """Drop this process's copy of every province's versions (the next read asks again)."""
    _versions.clear()
    _generations.clear()


def invalidate(slug: str) -> None:
    """The store of `slug` changed: every process reads it again (this one at once, the others
    within GENERATION_MEMO_SECONDS). Called again when the transaction commits, so that a
    process reading between the change and its commit does not keep what it read."""
    _bump(slug)
    transaction.on_commit(lambda: _bump(slug))


def register() -> None:
    register_version_source(approved_versions, slugs=stored_slugs)


def approved_profile(profile: Profile) -> Profile | None:
    """The approved stored version of `profile`'s province and date, composed with the same
    national baseline (None when the store holds none). Read from the database, not the
    process's copy: onboarding inside an approval sees the row being approved."""
    slug = profile.province.slug
    row = (
        ProfileVersion.objects.filter(
            slug=slug,
            effective_from=profile.effective_from,
            status=ProfileVersion.Status.APPROVED,
        )
        .values("pk", "effective_from", "sha256", "text")
        .first()
    )
    if row is None:
        return None
    on = profile.baseline.effective_from if profile.baseline is not None else None
    try:
        version = (row["effective_from"], _key(row["pk"], row["sha256"]), row["text"])
        return stored_profile(version, slug=slug, on=on)
    except ProfileError:
        return None


# --- the shipped files as seeds ----------------------------------------------------------------


@dataclass
class SeedResult:
    created: list[str] = field(default_factory=list)  # "slug effective_from"
    replaced: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # an uploaded version of the same day wins

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _previous(slug: str, effective: date) -> ProfileVersion | None:
    return (
        ProfileVersion.objects.filter(
            slug=slug, status=ProfileVersion.Status.APPROVED, effective_from__lt=effective
        )
        .order_by("-effective_from", "-pk")
        .first()
    )


def seed_shipped() -> SeedResult:
    """Every shipped province file as an approved version (origin "shipped"). Idempotent: a
    file already stored (same sha256) changes nothing; a shipped file changed since it was
    stored becomes a new approved version superseding the old seed; a day for which an
    operator's upload is approved keeps the upload. Runs in the public schema."""
    result = SeedResult()
    changed: set[str] = set()
    with schema_context(get_public_schema_name()), transaction.atomic():
        # One seeding at a time (two processes migrating at once).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('profile_store_seed'))")
        for path in shipped_profile_paths(base_dir=PROFILES_DIR):
            text = path.read_text(encoding="utf-8")
            digest = _sha256(text)
            profile = load_profile(path, base_dir=PROFILES_DIR)
            if problems := location_problems(path, profile, base_dir=PROFILES_DIR):
                raise ProfileError(problems, path=path)
            slug, effective = profile.province.slug, profile.effective_from
            name = f"{slug} {effective}"
            current = (
                ProfileVersion.objects.select_for_update()
                .filter(slug=slug, effective_from=effective, status=ProfileVersion.Status.APPROVED)
                .first()
            )
            if current is not None and current.origin != ProfileVersion.Origin.SHIPPED:
                result.kept.append(name)
                continue
            if current is not None and current.sha256 == digest:
                continue
            if current is not None:
                current.status = ProfileVersion.Status.SUPERSEDED
                current.save(update_fields=["status"])
                result.replaced.append(name)
            else:
                result.created.append(name)
            now = timezone.now()
            row = ProfileVersion.objects.create(
                slug=slug,
                effective_from=effective,
                text=text,
                sha256=digest,
                data=profile.model_dump(mode="json"),
                origin=ProfileVersion.Origin.SHIPPED,
                status=ProfileVersion.Status.APPROVED,
                previous=current or _previous(slug, effective),
                author_name=SHIPPED_AUTHOR,
                reviewer_name=SHIPPED_AUTHOR,
                decided_at=now,
            )
            audit_record(
                actor=None,
                actor_name=SHIPPED_AUTHOR,
                action="profile_seeded",
                target=name,
                version=row.pk,
                sha256=digest,
                **({"superseded": current.pk} if current is not None else {}),
            )
            changed.add(slug)
        for slug in sorted(changed):
            invalidate(slug)
    if result.changed:
        logger.info(
            "profile store seeded: %s new, %s replaced",
            ", ".join(result.created) or "none",
            ", ".join(result.replaced) or "none",
        )
    return result


def seed_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate of the tenants app, public schema only (django-tenants migrates each
    schema in turn): the shipped files are in the store wherever migrations ran."""
    if connection.schema_name != get_public_schema_name():  # type: ignore[attr-defined]
        return
    if ProfileVersion._meta.db_table not in connection.introspection.table_names():
        return
    seed_shipped()
