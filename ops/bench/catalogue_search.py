"""The public-service catalogue over 10,000 procedures of one province: `public_procedures` with
words (with and without diacritics, a one-letter typo, with a filter, on a component site) and
the `/thu-tuc/` page, against baselines measured in the same run (one procedure by primary key,
and the plain unfiltered first page).

    DATABASE_URL=postgres://… REDIS_URL=redis://…/1 python ops/bench/catalogue_search.py \\
        [--procedures 10000] [--rounds 200]

Works on a scratch database `portal_bench_catalogue` that it drops and re-creates, with Thái
Nguyên's profile onboarded in it; give REDIS_URL a database of its own (the run deletes the test
settings' cache keys there). The procedures are generated from Vietnamese word lists of real
procedure names ("Cấp giấy phép xây dựng đối với công trình cấp III", "Đăng ký khai sinh có yếu
tố nước ngoài"…): an action, an object and often a qualifier, across 30 fields, every agency of
the province, 70 % at province level, two thirds online at some level. They are bulk-created
(items, their published revision, their search document as editorial pushes it), not through
the workflow: the bench measures reading, not publishing. Each case runs `--rounds` times, the
cases interleaved so that each sees the same load. A "list" case is what the page reads: the
procedures matching, the facets and the first page of 20. Prints a Markdown table (p50, p99,
ratios to the baselines) for docs/benchmarks.md."""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import asdict

from _django import scratch_province
from _timing import interleaved, ms, percentile

DATABASE = "portal_bench_catalogue"

ACTIONS = [
    "Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Thu hồi", "Đăng ký", "Đăng ký lại",
    "Đăng ký thay đổi", "Thẩm định", "Phê duyệt", "Công nhận", "Xác nhận", "Chấp thuận",
    "Cho phép", "Giải quyết", "Hỗ trợ", "Công bố",
]  # fmt: skip
OBJECTS = [
    ("giấy phép xây dựng", "Hoạt động xây dựng"),
    ("giấy phép xây dựng có thời hạn", "Hoạt động xây dựng"),
    ("thiết kế xây dựng triển khai sau thiết kế cơ sở", "Hoạt động xây dựng"),
    ("giấy chứng nhận quyền sử dụng đất", "Đất đai"),
    ("chuyển mục đích sử dụng đất", "Đất đai"),
    ("giấy chứng nhận đăng ký doanh nghiệp", "Thành lập và hoạt động doanh nghiệp"),
    ("hộ kinh doanh", "Thành lập và hoạt động hộ kinh doanh"),
    ("giấy phép kinh doanh vận tải bằng xe ô tô", "Đường bộ"),
    ("giấy phép lái xe", "Đường bộ"),
    ("khai sinh", "Hộ tịch"),
    ("kết hôn", "Hộ tịch"),
    ("khai tử", "Hộ tịch"),
    ("thay đổi, cải chính hộ tịch", "Hộ tịch"),
    ("giấy phép khai thác tài nguyên nước", "Tài nguyên nước"),
    ("giấy phép xả nước thải vào nguồn nước", "Tài nguyên nước"),
    ("báo cáo đánh giá tác động môi trường", "Môi trường"),
    ("giấy phép môi trường", "Môi trường"),
    ("giấy phép khai thác khoáng sản", "Địa chất và khoáng sản"),
    ("giấy phép hoạt động khám bệnh, chữa bệnh", "Khám bệnh, chữa bệnh"),
    ("chứng chỉ hành nghề dược", "Dược phẩm"),
    ("giấy chứng nhận đủ điều kiện kinh doanh dược", "Dược phẩm"),
    ("giấy phép thành lập trường mầm non tư thục", "Giáo dục và Đào tạo"),
    ("văn bằng, chứng chỉ", "Giáo dục và Đào tạo"),
    ("trợ cấp xã hội hằng tháng", "Bảo trợ xã hội"),
    ("chế độ ưu đãi người có công", "Người có công"),
    ("giấy phép lao động cho người nước ngoài", "Việc làm"),
    ("giấy chứng nhận đầu tư", "Đầu tư tại Việt Nam"),
    ("chủ trương đầu tư dự án", "Đầu tư tại Việt Nam"),
    ("giấy phép tổ chức lễ hội", "Văn hóa cơ sở"),
    ("giấy phép kinh doanh karaoke", "Văn hóa cơ sở"),
    ("giấy phép hoạt động điện lực", "Điện"),
    ("giấy chứng nhận an toàn thực phẩm", "An toàn thực phẩm"),
    ("giấy chứng nhận vùng an toàn dịch bệnh động vật", "Thú y"),
    ("giấy phép vận chuyển thuốc bảo vệ thực vật", "Bảo vệ thực vật"),
    ("quyết định giao rừng, cho thuê rừng", "Lâm nghiệp"),
    ("giấy phép hoạt động báo chí", "Báo chí"),
    ("giấy phép xuất bản bản tin", "Xuất bản, in và phát hành"),
    ("phương án phòng cháy chữa cháy", "Phòng cháy, chữa cháy"),
    ("giấy phép quy hoạch", "Quy hoạch xây dựng, kiến trúc"),
    ("con dấu", "Quản lý con dấu"),
]
QUALIFIERS = [
    "", "", "", "đối với công trình cấp III", "đối với công trình cấp đặc biệt",
    "cho tổ chức", "cho cá nhân", "cho hộ gia đình", "có yếu tố nước ngoài",
    "trên địa bàn tỉnh", "tại cấp xã", "trong khu công nghiệp", "do bị mất, hư hỏng",
    "theo thủ tục rút gọn", "lần đầu", "khi thay đổi nội dung",
]  # fmt: skip
ONLINE = ["", "", "level2", "level3", "level4", "level4"]
QUERIES = [
    "cấp giấy phép xây dựng", "đăng ký khai sinh", "giấy chứng nhận quyền sử dụng đất",
    "giấy phép môi trường", "hộ kinh doanh",
]  # fmt: skip
FOLDED = [
    "cap giay phep xay dung", "dang ky khai sinh", "giay chung nhan quyen su dung dat",
    "giay phep moi truong", "ho kinh doanh",
]  # fmt: skip
TYPOS = ["giay phep xay dunh", "dang ky khai sinhh", "giay phep moi truongg"]


def procedure(rng: random.Random, n: int) -> tuple[str, dict]:
    """A generated procedure's name and fields."""
    thing, field = rng.choice(OBJECTS)
    name = " ".join(part for part in (rng.choice(ACTIONS), thing, rng.choice(QUALIFIERS)) if part)
    fields = {
        "code": f"{rng.choice((1, 2))}.{n:06d}",
        "field": field,
        "level": "province" if rng.random() < 0.7 else "commune",
        "methods": ["in_person", "post", "online"][: rng.randint(1, 3)],
        "subjects": "Tổ chức, cá nhân",
        "steps": [
            {"description": "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công", "responsible": ""}
        ],
        "dossier": [{"name": "Đơn đề nghị", "originals": 1, "copies": 0}],
        "dossier_sets": 1,
        "processing_days": rng.choice((1, 3, 5, 7, 10, 15, 20, 30)),
        "processing_unit": "working_days",
        "fees": rng.choice(("Không", "50.000 đồng", "Lệ phí 150.000 đồng/giấy phép")),
        "legal_basis": "Luật số 50/2014/QH13",
        "result": "Quyết định",
        "online_level": rng.choice(ONLINE),
        "effective_on": f"202{rng.randint(0, 6)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
    }
    return name[:1].upper() + name[1:], fields


def fill(count: int, *, seed: int = 7) -> float:
    """`count` published procedures in the active schema; the seconds it took (ANALYZE too)."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from editorial.models import Item, Kind, Revision
    from editorial.search import SOURCE, item_entry
    from organization.models import Agency
    from search.models import Document

    rng = random.Random(seed)
    now = timezone.now()
    author = User.objects.create(username="bench_catalogue", full_name="Bench")
    agencies = list(Agency.objects.values_list("pk", flat=True))
    began = time.perf_counter()
    for start in range(0, count, 2000):
        generated = [procedure(rng, n) for n in range(start, min(count, start + 2000))]
        items = Item.objects.bulk_create(
            Item(
                kind=Kind.PROCEDURE,
                site=None,
                agency_id=rng.choice(agencies),
                slug=f"thu-tuc-{fields['code']}".replace(".", "-"),
                code=fields["code"],
                language="vi",
                status=Item.Status.PUBLISHED,
                author=author,
                published_at=now,
                first_published_at=now,
            )
            for _name, fields in generated
        )
        revisions = Revision.objects.bulk_create(
            Revision(item=item, number=1, title=name, fields=fields, author=author)
            for item, (name, fields) in zip(items, generated, strict=True)
        )
        for item, revision in zip(items, revisions, strict=True):
            item.current_revision = item.published_revision = revision
        Item.objects.bulk_update(items, ["current_revision", "published_revision"])
        documents = []
        for item in items:
            entry = item_entry(item)
            assert entry is not None
            values = asdict(entry)
            values["kind_label"] = str(values["kind_label"])
            documents.append(Document(source=SOURCE, **values))
        Document.objects.bulk_create(documents)
    with connection.cursor() as cursor:
        for table in ("editorial_item", "editorial_revision", "search_document"):
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - began


def bench(rounds: int, site, portal_host: str) -> tuple[dict, dict]:
    from django.core.cache import cache
    from django.test import Client

    from catalog.selectors import ProcedureFilters, procedure_facets, public_procedures
    from editorial.models import Item, Kind
    from editorial.services import PUBLIC_VERSION_KEY

    ids = list(Item.objects.filter(kind=Kind.PROCEDURE).values_list("pk", flat=True))
    rng = random.Random(3)

    def by_pk() -> None:
        list(Item.objects.filter(pk=rng.choice(ids)).values_list("pk", "code"))

    def listing(filters, on=None) -> int:
        """What the page reads: the matching procedures' facets (and total) and page 1."""
        items = public_procedures(site=on, filters=filters)
        facets = procedure_facets(items=items)
        list(items[:20])
        return facets.total

    client = Client(HTTP_HOST=portal_host)

    def page(query: str = "") -> None:
        cache.incr(PUBLIC_VERSION_KEY)  # cold: a new published-content version, nothing cached
        response = client.get("/thu-tuc/", {"q": query} if query else {})
        assert response.status_code == 200, response.status_code

    fields = ["Hộ tịch", "Hoạt động xây dựng", "Đất đai", "Môi trường"]
    cases = {
        "baseline: one procedure by primary key": by_pk,
        "baseline: the plain list (no filter: facets + page 1)": lambda: listing(
            ProcedureFilters()
        ),
        "list, one field (`linh-vuc`)": lambda: listing(ProcedureFilters(field=rng.choice(fields))),
        "list, words with diacritics (“cấp giấy phép xây dựng”, …)": lambda: listing(
            ProcedureFilters(query=rng.choice(QUERIES))
        ),
        "list, words without diacritics (“cap giay phep xay dung”, …)": lambda: listing(
            ProcedureFilters(query=rng.choice(FOLDED))
        ),
        "list, one-letter typo (trigram fallback)": lambda: listing(
            ProcedureFilters(query=rng.choice(TYPOS))
        ),
        "list, words + level + online": lambda: listing(
            ProcedureFilters(query=rng.choice(FOLDED), level="province", online="any_online")
        ),
        "list, words, on a component site (its agency's)": lambda: listing(
            ProcedureFilters(query=rng.choice(FOLDED)), on=site
        ),
        "page `GET /thu-tuc/` cold (test client, in process)": lambda: page(),
        "page `GET /thu-tuc/?q=cap+giay+phep…` cold (test client)": lambda: page(
            rng.choice(FOLDED)
        ),
    }
    # each case warmed first (plans, connections, the site and host caches), then interleaved
    results = interleaved(cases, rounds)
    sizes = {query: listing(ProcedureFilters(query=query)) for query in FOLDED + TYPOS}
    return results, sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--procedures", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    began = time.perf_counter()
    province = scratch_province(DATABASE)
    from django_tenants.utils import schema_context

    from organization.models import ComponentSite

    with schema_context(province.schema_name):
        filled = fill(args.procedures)
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        results, sizes = bench(args.rounds, site, "thainguyen.localhost")

    print(
        f"## catalogue: {args.procedures} procedures in one province (bulk-created and analysed "
        f"in {filled:.0f} s); {args.rounds} rounds\n"
    )
    print("| case | p50 | p99 | p50 / by pk | p99 / by pk | p50 / plain list |")
    print("|---|---|---|---|---|---|")
    rows = list(results.values())
    pk50, pk99 = percentile(rows[0], 50), percentile(rows[0], 99)
    list50 = percentile(rows[1], 50)
    for name, values in results.items():
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(
            f"| {name} | {ms(p50)} | {ms(p99)} | {p50 / pk50:.0f}× | {p99 / pk99:.0f}× "
            f"| {p50 / list50:.2f}× |"
        )
    print("\nmatches per query: " + ", ".join(f"{q!r} {n}" for q, n in sizes.items()))
    print(f"\ntotal run: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
