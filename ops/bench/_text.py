"""Generated Vietnamese administrative prose for the benchmarks' content."""

# Words of the province's news and notices, drawn at random into titles and bodies.
FILLER = str.split(
    "năm 2026 theo chỉ đạo của Ủy ban nhân dân các sở ban ngành địa phương người dân doanh "
    "nghiệp cơ quan đơn vị được giao nhiệm vụ tổ chức thực hiện đảm bảo tiến độ chất lượng hiệu "
    "quả công khai minh bạch đúng quy định pháp luật kịp thời báo cáo kết quả trước ngày tháng "
    "quý cuối năm trong thời gian tới cần tiếp tục phối hợp chặt chẽ với các lực lượng chức năng "
    "đồng chí phó chủ tịch thường trực chủ trì buổi làm việc nêu rõ những khó khăn vướng mắc "
    "đề xuất giải pháp tháo gỡ huy động nguồn lực xã hội hóa nâng cao nhận thức trách nhiệm "
    "của cán bộ đảng viên quần chúng nhân dân trên địa bàn toàn tỉnh phấn đấu hoàn thành vượt "
    "mức chỉ tiêu kế hoạch đề ra góp phần phát triển kinh tế xã hội giữ vững ổn định chính trị "
    "thường xuyên kiểm tra giám sát xử lý nghiêm các trường hợp vi phạm theo thẩm quyền hội "
    "nghị cũng đã thảo luận thống nhất nội dung chương trình công tác trọng tâm thời gian tới "
    "tiếp nhận hồ sơ trả kết quả tại bộ phận một cửa cấp huyện cấp xã qua dịch vụ bưu chính"
)
