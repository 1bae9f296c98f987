"""Translatable labels for the choices of platform models.

The models keep their Vietnamese labels as plain strings; the web pages show these, so that
the English version of a page does not fall back to Vietnamese."""

from django.utils.translation import gettext_lazy as _

AGENCY_KIND_LABELS = {
    "department": _("Sở, ban, ngành"),
    "district": _("UBND cấp huyện"),
    "commune": _("UBND cấp xã"),
    "sector": _("Cơ quan ngành dọc"),
    "other": _("Khác"),
}

ROLE_SCOPE_LABELS = {
    "portal": _("Cổng tỉnh"),
    "agency": _("Cơ quan"),
}


def agency_kind_label(kind: str) -> str:
    return str(AGENCY_KIND_LABELS.get(kind, kind))


def role_scope_label(scope: str) -> str:
    return str(ROLE_SCOPE_LABELS.get(scope, scope))


# --- editorial ------------------------------------------------------------------------------

KIND_LABELS = {
    "news": _("Tin tức"),
    "event": _("Sự kiện"),
    "announcement": _("Thông báo"),
    "legal_document": _("Văn bản quy phạm pháp luật"),
    "draft_document": _("Dự thảo lấy ý kiến"),
    "spokesperson_statement": _("Phát ngôn báo chí"),
    "leader_schedule": _("Lịch công tác lãnh đạo"),
    "contact_directory": _("Danh bạ liên hệ, thư điện tử"),
    "statistics_report": _("Báo cáo thống kê"),
    "investment_notice": _("Thông tin đầu tư"),
    "bidding_notice": _("Thông tin đấu thầu"),
    "procurement_notice": _("Thông tin mua sắm công"),
    "static_page": _("Trang tĩnh"),
}

ITEM_STATUS_LABELS = {
    "draft": _("Bản nháp"),
    "in_workflow": _("Đang duyệt"),
    "published": _("Đã đăng"),
    "unpublished": _("Đã gỡ"),
    "withdrawn": _("Đã thu hồi"),
}

TRANSITION_LABELS = {
    "create": _("Tạo"),
    "edit": _("Sửa"),
    "submit": _("Gửi duyệt"),
    "approve": _("Duyệt"),
    "reject": _("Trả lại"),
    "publish": _("Xuất bản"),
    "schedule": _("Hẹn giờ"),
    "post_check": _("Kiểm tra sau đăng"),
    "unpublish": _("Gỡ"),
    "withdraw": _("Thu hồi"),
    "correct": _("Đính chính"),
    "share": _("Chia sẻ lên Cổng"),
}

# The fields of each kind (editorial.content.FIELDS_OF_KIND), by name.
FIELD_LABELS = {
    "event_at": _("Thời điểm diễn ra sự kiện"),
    "location": _("Địa điểm"),
    "urgent": _("Khẩn"),
    "number": _("Số, ký hiệu"),
    "document_type": _("Loại văn bản"),
    "issuing_body": _("Cơ quan ban hành"),
    "signer": _("Người ký"),
    "issued_on": _("Ngày ban hành"),
    "effective_on": _("Ngày có hiệu lực"),
    "status": _("Tình trạng hiệu lực"),
    "drafting_body": _("Cơ quan chủ trì soạn thảo"),
    "opens_on": _("Ngày bắt đầu lấy ý kiến"),
    "closes_on": _("Ngày kết thúc"),
    "comment_summary": _("Tổng hợp, tiếp thu ý kiến góp ý"),
    "spokesperson": _("Người phát ngôn"),
    "week_of": _("Tuần bắt đầu từ ngày"),
    "entries": _("Lịch công tác"),
    "contacts": _("Danh bạ"),
    "period_start": _("Kỳ báo cáo từ ngày"),
    "period_end": _("Kỳ báo cáo đến ngày"),
    "reference": _("Số hiệu"),
    # What an update deadline counts from or depends on (ADR 0005).
    "major_event": _("Hội nghị sơ kết, tổng kết, hội nghị chuyên đề hoặc sự kiện quan trọng"),
    "received_at": _("Thời điểm nhận được thông tin"),
    "ready_at": _("Thời điểm thông tin hoàn thành"),
}

# The columns of the list fields (schedule entries, contacts), by name.
COLUMN_LABELS = {
    "starts_at": _("Thời gian"),
    "leader": _("Lãnh đạo"),
    "activity": _("Nội dung công việc"),
    "place": _("Địa điểm"),
    "name": _("Họ và tên"),
    "title": _("Chức vụ"),
    "unit": _("Đơn vị"),
    "phone": _("Điện thoại"),
    "email": _("Thư điện tử"),
}

LEGAL_STATUS_LABELS = {
    "in_force": _("Còn hiệu lực"),
    "partly_expired": _("Hết hiệu lực một phần"),
    "expired": _("Hết hiệu lực"),
    "pending": _("Chưa có hiệu lực"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def item_status_label(status: str) -> str:
    return str(ITEM_STATUS_LABELS.get(status, status))


def transition_label(action: str) -> str:
    return str(TRANSITION_LABELS.get(action, action))
