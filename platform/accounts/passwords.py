"""The password policy of staff accounts beyond Django's validators (issue 13, OWASP ASVS 5.0
V6.2): a password an attacker would try first for a province's portal is refused.

Django's `CommonPasswordValidator` knows the world's common passwords, not `hagiang2026!`,
`Matkhau@2025` or twelve spaces: passwords built from the names of the province whose portal
they protect, from the words of any Vietnamese portal's sign-in page, or from nothing at all.
`ProvinceDerivedPasswordValidator` folds the password (lower case, without diacritics, leet
digits read as letters, digits, spaces and punctuation dropped) and refuses it when nothing is
left, when what is left is one character or a short group repeated, or when it is made only
of the province's own names (the one in force where the password is set: its schema), the
account's own names, and a short list of common words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model, get_tenant_model

from core.profiles import current_profile
from core.text import fold
from provinces.loader import ProfileError

# Words anyone guessing a Vietnamese portal's staff password tries, folded: "mật khẩu",
# "quản trị", "cổng thông tin", "UBND", the sign-in page's own words and the world's favourites.
COMMON_WORDS = frozenset(
    {
        "matkhau", "mk", "password", "pass", "passwd", "pwd", "admin", "administrator",
        "root", "user", "login", "welcome", "letmein", "iloveyou", "qwerty", "asdf", "zxcv",
        "abc", "abcd", "quantri", "quantrivien", "dangnhap", "taikhoan", "nguoidung",
        "canbo", "bientap", "congthongtin", "cong", "thongtin", "dientu", "trang", "ubnd",
        "uybannhandan", "uyban", "nhandan", "tinh", "thanhpho", "so", "vietnam", "xinchao",
        "anhyeuem", "emyeuanh", "anh", "yeu", "em", "gov", "vn", "www", "com", "localhost",
    }
)  # fmt: skip
# The operators' console on the platform host: "nền tảng" is its Vietnamese name.
PLATFORM_WORDS = frozenset({"platform", "nentang"})
# Digits and symbols read as the letters they stand for inside a word ("P@ssw0rd").
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_NOT_LETTER = re.compile(r"[^a-z]+")
# The checks read at most this much of a password (the forms' bound, frontend/forms.py): inputs
# are bounded, and the word check is linear in the length.
CHECKED_LENGTH = 4096
# Tokens of fewer letters are too short to say a password is "made of" them.
SHORTEST_WORD = 2
# "hahahahaha", "abcabcabc": a group of at most this many letters repeated.
LONGEST_REPEATED_GROUP = 3


def folded(password: str) -> str:
    """The letters of `password`, lower case, without diacritics ("Hà Giang 2026!" → "hagiang")."""
    return _NOT_LETTER.sub("", fold(password[:CHECKED_LENGTH]))


def folded_leet(password: str) -> str:
    """As `folded`, with the digits and symbols inside the word read as letters ("P@ssw0rd2026"
    → "password"); leading and trailing digits and symbols (a year, a "!") are dropped first."""
    text = password[:CHECKED_LENGTH].lower()
    letters = [index for index, char in enumerate(text) if char.isalpha()]
    if not letters:
        return ""
    return folded(text[letters[0] : letters[-1] + 1].translate(LEET))


def is_made_of(text: str, words: Iterable[str]) -> bool:
    """Whether `text` is one or more of `words` joined, each as often as wanted, in any order."""
    vocabulary = {word for word in words if len(word) >= SHORTEST_WORD}
    if not text or not vocabulary:
        return False
    lengths = sorted({len(word) for word in vocabulary})
    reachable = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        reachable[end] = any(
            reachable[end - size] and text[end - size : end] in vocabulary
            for size in lengths
            if size <= end
        )
    return reachable[-1]


def is_repetition(text: str) -> bool:
    """One character, or a group of a few, repeated: "aaaaaaaaaaaa", "hahahahaha"."""
    return any(
        len(text) >= 2 * size and text == text[:size] * (len(text) // size)
        for size in range(1, LONGEST_REPEATED_GROUP + 1)
    )


def name_words(*names: str | None) -> set[str]:
    """Each name folded as it is written joined ("hagiang") and word by word ("ha", "giang")."""
    words: set[str] = set()
    for name in names:
        parts = fold(name).split()
        words.update(parts)
        words.add("".join(parts))
    words.discard("")
    return words


def host_words(hosts: Iterable[str]) -> set[str]:
    """The labels of host names and host patterns ("{label}.hagiang.gov.vn" → "hagiang", …)."""
    words: set[str] = set()
    for host in hosts:
        for label in host.lower().replace("{label}", "").split("."):
            words.update(name_words(label.replace("-", " ")))
            words.add(_NOT_LETTER.sub("", label))
    words.discard("")
    return words


def local_words() -> set[str]:
    """The names of the province in force where the password is set (the active schema): its
    slug, its names, its portal's host names; on the platform's own schema, the platform's."""
    schema = connection.schema_name  # type: ignore[attr-defined]
    domains = get_tenant_domain_model().objects
    if schema == get_public_schema_name():
        hosts = domains.filter(tenant__schema_name=schema).values_list("domain", flat=True)
        return set(PLATFORM_WORDS) | host_words([*hosts, settings.PLATFORM_HOST])
    province = get_tenant_model().objects.filter(schema_name=schema).first()
    if province is None:
        return set()
    words = name_words(province.slug, province.name, province.portal_name)
    words |= host_words(domains.filter(tenant=province).values_list("domain", flat=True))
    try:
        profile = current_profile()
    except ProfileError:  # a province onboarded without a profile has only its rows' names
        return words
    words |= name_words(profile.province.name, profile.province.portal_name)
    domain = profile.domains
    words |= host_words(
        [
            domain.portal,
            *domain.aliases,
            domain.component_host_pattern,
            *domain.alternate_host_patterns,
        ]
    )
    return words


def account_words(user) -> set[str]:
    """The account's own names: its user name, full name, first and last names."""
    if user is None:
        return set()
    names = [getattr(user, field, "") or "" for field in ("full_name", "first_name", "last_name")]
    username = getattr(user, "username", "") or ""
    return name_words(*names, *re.split(r"[._\-@]+", username), username)


class ProvinceDerivedPasswordValidator:
    """Refuses empty, repetitive and guessable passwords (see the module's docstring)."""

    def validate(self, password: str, user=None) -> None:
        plain, leet = folded(password), folded_leet(password)
        if not plain:
            raise ValidationError(
                _(
                    "Mật khẩu phải có chữ cái: mật khẩu chỉ gồm khoảng trắng, chữ số hoặc "
                    "ký hiệu rất dễ bị đoán ra."
                ),
                code="password_without_letters",
            )
        if len(set(password)) == 1 or is_repetition(plain):
            raise ValidationError(
                _("Mật khẩu không được chỉ là một ký tự hay một nhóm ký tự lặp lại."),
                code="password_repetitive",
            )
        words = COMMON_WORDS | local_words() | account_words(user)
        if is_made_of(plain, words) or is_made_of(leet, words):
            raise ValidationError(
                _(
                    "Mật khẩu quá dễ đoán: không được chỉ ghép từ tên tỉnh, tên cổng thông "
                    "tin, tên miền, tên tài khoản hay những từ như “mật khẩu”, “quản trị”, "
                    "dù có thêm năm, chữ số hay ký hiệu."
                ),
                code="password_province_derived",
            )

    def get_help_text(self) -> str:
        return _(
            "Mật khẩu phải có chữ cái, không chỉ là một ký tự hay một nhóm ký tự lặp lại, và "
            "không được chỉ ghép từ tên tỉnh, tên cổng thông tin, tên miền, tên tài khoản hay "
            "những từ như “mật khẩu”, “quản trị” (thêm năm, chữ số hay ký hiệu không làm nó "
            "khó đoán hơn)."
        )
