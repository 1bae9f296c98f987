"""Site-wide search over 100,000 documents of one province: the search selector with and without
diacritics (and the typo fallback, and the whole page), against a bare indexed SELECT of one row
measured in the same run.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/1 python ops/bench/search.py \\
        [--documents 100000] [--rounds 200]

Works on a scratch database `portal_bench_search` that it drops and re-creates, with Thái
Nguyên's profile onboarded in it; give REDIS_URL a database of its own (the run deletes the test
settings' cache keys there). The documents are generated from Vietnamese word lists: each is
about one subject, named in its title (6–16 words) and two or three times in its text (60–240
words), with another subject or a place in passing; every kind the modules push; 70 % on
component sites. They are inserted in batches through the ORM, so PostgreSQL computes the
generated columns as it does for a module's pushes. Each case runs `--rounds` times, the cases
interleaved so that each sees the same load. Prints a Markdown table (p50, p99, ratios to the
baseline) for docs/benchmarks.md."""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from _django import scratch_province
from _text import FILLER
from _timing import interleaved, ms, percentile

DATABASE = "portal_bench_search"

# Word lists: phrases of provincial news, notices, legal documents and citizens' questions.
SUBJECTS = [
    "đất đai", "giải phóng mặt bằng", "thủ tục hành chính", "cải cách hành chính",
    "nông thôn mới", "giáo dục và đào tạo", "y tế cơ sở", "bảo hiểm xã hội", "giao thông",
    "du lịch cộng đồng", "thu hút đầu tư", "quy hoạch đô thị", "bảo vệ môi trường",
    "tài nguyên nước", "xây dựng cơ bản", "an ninh trật tự", "phòng cháy chữa cháy",
    "văn hóa thể thao", "chuyển đổi số", "dịch vụ công trực tuyến", "giảm nghèo bền vững",
    "phòng chống thiên tai", "hộ kinh doanh", "doanh nghiệp nhỏ và vừa", "thuế thu nhập",
    "đăng ký kinh doanh", "cấp giấy chứng nhận quyền sử dụng đất", "bồi thường hỗ trợ tái định cư",
    "khám chữa bệnh", "tuyển dụng viên chức", "công chức cấp xã", "lễ hội truyền thống",
    "sản xuất nông nghiệp", "chăn nuôi gia súc", "trồng rừng", "khoáng sản", "điện lực",
    "nước sạch nông thôn", "học sinh giỏi", "người có công", "bảo trợ xã hội", "dân tộc thiểu số",
]  # fmt: skip
ACTIONS = [
    "Triển khai", "Tăng cường", "Hướng dẫn", "Thông báo về", "Kế hoạch thực hiện", "Hội nghị về",
    "Tổng kết công tác", "Kiểm tra việc thực hiện", "Đẩy mạnh", "Quy định về", "Sửa đổi quy định",
    "Tuyên truyền", "Rà soát", "Đôn đốc", "Báo cáo kết quả", "Ban hành quy chế",
]  # fmt: skip
PLACES = [
    "tỉnh Thái Nguyên", "thành phố Thái Nguyên", "thành phố Sông Công", "thị xã Phổ Yên",
    "huyện Đại Từ", "huyện Định Hóa", "huyện Phú Lương", "huyện Đồng Hỷ", "huyện Võ Nhai",
    "huyện Phú Bình", "xã Tân Cương", "phường Hoàng Văn Thụ", "xã Phúc Xuân", "xã La Hiên",
]  # fmt: skip
KINDS = (
    [("news", "Tin tức")] * 12
    + [("announcement", "Thông báo")] * 3
    + [("legal_document", "Văn bản quy phạm pháp luật")] * 2
    + [("event", "Sự kiện"), ("qa_question", "Hỏi – Đáp"), ("draft_document", "Dự thảo")]
)
QUERIES = ["đất đai", "giải phóng mặt bằng", "thủ tục hành chính", "nông thôn mới", "Đại Từ"]
TYPOS = ["dat daii", "giai phong mat bangg", "nong thon moii"]


def words(rng: random.Random, count: int, subject: str) -> str:
    """`count` words of administrative prose about `subject`: the subject two or three times,
    once in a while another subject or a place, the rest ordinary words."""
    parts: list[str] = []
    mentions = {rng.randrange(count) for _ in range(rng.randint(2, 3))}
    while len(parts) < count:
        roll = rng.random()
        if len(parts) in mentions:
            parts += subject.split()
        elif roll < 0.01:
            parts += rng.choice(SUBJECTS).split()
        elif roll < 0.03:
            parts += rng.choice(PLACES).split()
        else:
            parts.append(rng.choice(FILLER))
    return " ".join(parts[:count])


def fill(count: int, site_ids: list[int], *, seed: int = 11) -> float:
    """`count` documents in the active schema; the seconds it took (ANALYZE included)."""
    from django.db import connection
    from django.utils import timezone

    from search.models import Document

    rng = random.Random(seed)
    now = timezone.now()
    began = time.perf_counter()
    batch: list[Document] = []
    for n in range(count):
        kind, label = rng.choice(KINDS)
        subject = rng.choice(SUBJECTS)
        title = f"{rng.choice(ACTIONS)} {subject} {rng.choice(('tại', 'ở', 'của'))} "
        title += rng.choice(PLACES)
        if rng.random() < 0.5:
            title += " " + " ".join(rng.choice(FILLER) for _ in range(rng.randint(0, 6)))
        text = words(rng, rng.randint(60, 240), subject).capitalize() + "."
        if kind == "legal_document":
            text = f"Số {rng.randint(1, 99)}/{rng.randint(2010, 2026)}/QĐ-UBND. " + text
        batch.append(
            Document(
                source="bench.doc",
                source_id=n,
                kind=kind,
                kind_label=label,
                site_id=None if rng.random() < 0.3 else rng.choice(site_ids),
                language="vi",
                title=title,
                text=text,
                url=f"/bai-viet/bench-{n}/",
                topic=subject.capitalize() if rng.random() < 0.6 else "",
                published_at=now - timedelta(minutes=rng.randint(1, 5 * 365 * 1440)),
            )
        )
        if len(batch) == 2000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_document")
    return time.perf_counter() - began


def bench(rounds: int, site_id: int, portal_host: str) -> tuple[dict, dict]:
    from django.db import connection
    from django.test import Client

    from core.text import fold
    from search import selectors
    from search.models import Document
    from search.selectors import search

    ids = list(Document.objects.values_list("pk", flat=True))
    rng = random.Random(3)

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, title, url FROM search_document WHERE id = %s", [rng.choice(ids)]
            )
            cursor.fetchall()

    def unbounded(query: str) -> None:
        # The same search ranking every match (ADR 0017 bounds it to the CANDIDATES).
        bounded, selectors.CANDIDATES = selectors.CANDIDATES, 10**9
        try:
            search(query=query)
        finally:
            selectors.CANDIDATES = bounded

    client = Client(HTTP_HOST=portal_host)
    cases = {
        "baseline: `SELECT … WHERE id = %s` (one row by primary key)": bare,
        "search, with diacritics (“đất đai”, …)": lambda: search(query=rng.choice(QUERIES)),
        "search, without diacritics (“dat dai”, …)": lambda: search(
            query=fold(rng.choice(QUERIES))
        ),
        "search, without diacritics, ranking every match (not bounded)": lambda: unbounded(
            fold(rng.choice(QUERIES))
        ),
        "search, without diacritics, page 20": lambda: search(
            query=fold(rng.choice(QUERIES)), page=20
        ),
        "search, one component site, kind news": lambda: search(
            query=fold(rng.choice(QUERIES)), site_id=site_id, kinds=["news"]
        ),
        "search, one-letter typo (full text finds none, trigram fallback)": lambda: search(
            query=rng.choice(TYPOS)
        ),
        "whole page `GET /tim-kiem/?q=dat+dai` (test client, in process)": lambda: client.get(
            "/tim-kiem/", {"q": fold(rng.choice(QUERIES))}
        ),
    }
    # each case warmed first (plans, connections, the site and host caches), then interleaved
    results = interleaved(cases, rounds)
    sizes = {query: search(query=query).total for query in QUERIES}
    sizes.update({fold(query): search(query=fold(query)).total for query in QUERIES})
    return results, sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    began = time.perf_counter()
    province = scratch_province(DATABASE)
    from django.db import connection
    from django_tenants.utils import schema_context

    from organization.models import ComponentSite

    with schema_context(province.schema_name):
        site_ids = list(ComponentSite.objects.values_list("pk", flat=True))
        filled = fill(args.documents, site_ids)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('search_document'))")
            size = cursor.fetchone()[0]
        results, sizes = bench(args.rounds, site_ids[0], "thainguyen.localhost")

    print(
        f"## search: {args.documents} documents in one province (inserted and analysed in "
        f"{filled:.0f} s, table and indexes {size}); {args.rounds} rounds\n"
    )
    print("| case | p50 | p99 | p50 / baseline | p99 / baseline |")
    print("|---|---|---|---|---|")
    baseline = next(iter(results.values()))
    base50, base99 = percentile(baseline, 50), percentile(baseline, 99)
    for name, values in results.items():
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"| {name} | {ms(p50)} | {ms(p99)} | {p50 / base50:.0f}× | {p99 / base99:.0f}× |")
    print("\nmatches per query: " + ", ".join(f"{q!r} {n}" for q, n in sizes.items()))
    print(f"\ntotal run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
