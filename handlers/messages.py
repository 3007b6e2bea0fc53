"""Everything the bot says, in Vietnamese with full diacritics, in one place.

Texts with blanks are ``str.format`` templates; the conversation fills them. Keeping them here
lets a reviewer read the whole voice of the bot at once and a translator change it safely.
"""

from __future__ import annotations

from bot.domain.chat import Choice

# Choices and actions (the keys are what the conversation acts on, the labels are shown).
YES = Choice("yes", "Có")
ALL = Choice("all", "Có, tất cả")
SKIP_ALL = Choice("skip_all", "Bỏ qua phần đánh giá")
NO = Choice("no", "Không")
BACK = Choice("back", "Quay lại")
SKIP = Choice("skip", "Bỏ qua")
REVIEW = Choice("review", "Xem lại")
CANCEL = Choice("cancel", "Hủy")
DONE_PHOTOS = Choice("done", "Xong, đủ ảnh")
SUBMIT = Choice("submit", "Gửi báo cáo")
CONTINUE = Choice("continue", "Tiếp tục báo cáo")
EDIT = Choice("edit", "Sửa báo cáo")
OPENING_DEFAULT = "Có, ngày {day}"
OPENING_NONE = Choice("no", "Không tổ chức")

# Joining a unit.
WELCOME = (
    "Xin chào! Đây là trợ lý báo cáo Tuần lễ hưởng ứng học tập suốt đời {year}.\n"
    "Chủ đề: “{theme}”.\n\n"
    "Để bắt đầu, hãy gửi mã mời của đơn vị (do cấp trên cung cấp), ví dụ: ABCD-EFGH-JKMN-PQRS."
)
ASK_INVITE = "Vui lòng gửi mã mời của đơn vị để bắt đầu (ví dụ: ABCD-EFGH-JKMN-PQRS)."
INVITE_WRONG = (
    "Mã mời không đúng hoặc đã hết hạn. "
    "Vui lòng kiểm tra lại mã (còn {left} lần thử trong giờ này)."
)
INVITE_LOCKED = (
    "Thầy/cô đã nhập sai mã quá nhiều lần nên việc nhập mã tạm khóa đến {until} (giờ Việt Nam); "
    "đến lúc đó hệ thống sẽ không trả lời tin nhắn. Sau {until}, thầy/cô có thể thử lại "
    "hoặc liên hệ cấp trên để lấy mã mới."
)
JOINED = (
    "Đã xác nhận: bạn báo cáo cho đơn vị “{unit}”.\n"
    "Tuần lễ {year}: từ {start} đến {end}, Lễ khai mạc ngày {opening}.\n"
    "{deadline}"
    "Mỗi câu trả lời được lưu ngay, có thể dừng và tiếp tục bất cứ lúc nào."
)
DEADLINE_LINE = "Hạn gửi báo cáo: trước ngày {date} (gửi {to}).\n"
ALREADY_MEMBER = "Bạn đang báo cáo cho đơn vị “{unit}”."

# The walk.
PROGRESS_GROUP = "Mục {number}/{groups}"
ASK_OPENING = (
    "Lễ khai mạc Tuần lễ: đơn vị đã tổ chức chưa, vào ngày nào?\n"
    "Chọn một ý, hoặc gửi ngày (ví dụ: 03/10)."
)
ASK_RUN = "{progress}. {label}\nĐơn vị có tổ chức hoạt động này không?"
ASK_RUN_PICK = (
    "{rows}\nNếu chỉ tổ chức một số hoạt động, gửi số thứ tự của chúng, ví dụ: {example}, …"
)
BAD_PICK = (
    "Chưa rõ câu trả lời. Chọn “Có, tất cả”, “Không”, "
    "hoặc gửi số thứ tự các hoạt động đã tổ chức (từ {first} đến {last}), cách nhau bởi dấu phẩy."
)
ASK_PAIR = (
    "{progress} · {code} ({position}/{of}). {label}\n"
    "Gửi {first} và {second}, ví dụ: 3/120. Không có thì gửi 0."
)
ASK_COUNT = "{progress} · {code}. {label}\nGửi {measure}, ví dụ: 12. Không có thì gửi 0."
ASK_MONEY = (
    "{progress} · {code}. {label}\n"
    "Gửi số tiền (đồng), ví dụ: 5.000.000 hoặc 5 triệu. Không có thì gửi 0."
)
ASK_TEXT = "{progress} · {code}. {label}\nViết ngắn gọn, hoặc chọn “Bỏ qua”."
ASK_PHOTOS = (
    "Minh chứng: gửi từ {min} đến {max} ảnh hoạt động của Tuần lễ{pdf}. Đã nhận {have}/{max}."
)
PDF_TOO = " (tệp PDF cũng được)"
ASK_NARRATIVE = "Đánh giá {position}/{of}. {prompt}\n(Không bắt buộc: có thể chọn “Bỏ qua”.)"
HEADER_ITEM = "{code}. {label}"

# Corrections.
NOT_A_CHOICE = "Chưa rõ câu trả lời. Vui lòng chọn: {options}."
BAD_DATE = (
    "Ngày chưa đúng. Gửi ngày theo dạng ngày/tháng, ví dụ 03/10, "
    "trong khoảng {first} – {last}; hoặc chọn “Không tổ chức”."
)
TEXT_TOO_LONG = "Nội dung dài quá {limit} ký tự ({length}). Vui lòng viết ngắn lại."
TEXT_EMPTY = "Vui lòng viết nội dung, hoặc chọn “Bỏ qua”."
EXPECTED_TEXT_NOT_FILE = "Câu này cần trả lời bằng chữ. {question}"
FIRST_QUESTION = "Đây đã là câu đầu tiên."
STALE_BUTTON = "Nút này thuộc một câu hỏi trước. Câu hỏi hiện tại:"
UNKNOWN_MESSAGE = "Tin nhắn này chưa đọc được. Vui lòng gửi chữ, số hoặc ảnh."

# Answers out of turn: the question last seen, edited and forwarded messages.
ROW_ITEM = "mục {code}"
ROW_OPENING = "lễ khai mạc"
ROW_NARRATIVE = "phần đánh giá “{label}”"
VALUE_RUN_ALL = "có, tất cả"
VALUE_RUN_SOME = "có: {rows}"
VALUE_NO = "không"
VALUE_OPENING_ON = "có, ngày {date}"
VALUE_OPENING_NONE = "không tổ chức"
ANSWER_CHANGED = "Đã sửa {row}: {old} → {new}."
ANSWER_ALREADY_RECORDED = "{row} đã được ghi: {value}. Thầy/cô không cần gửi lại."
EDIT_NOT_READ = (
    "Tin nhắn đã sửa không được đọc: chỉ sửa được tin nhắn trả lời một câu hỏi. "
    "Thầy/cô vui lòng gửi tin nhắn mới."
)
EDIT_INVALID = "Tin nhắn đã sửa không được đọc, {row} vẫn là: {value}."
EDIT_AFTER_SUBMIT = (
    "Báo cáo đã được gửi nên tin nhắn đã sửa không được đọc. Muốn sửa, thầy/cô gửi “sửa báo cáo”."
)
EDIT_BEFORE_JOINING = (
    "Tin nhắn đã sửa không được đọc. Thầy/cô vui lòng gửi lại mã mời trong tin nhắn mới."
)
FORWARDED_NOT_READ = (
    "Tin nhắn chuyển tiếp không được tính là câu trả lời. "
    "Thầy/cô vui lòng tự gõ câu trả lời cho câu hỏi dưới đây."
)

# Evidence.
PHOTO_RECEIVED = "Đã nhận ảnh minh chứng {have}/{max}."
PDF_RECEIVED = "Đã nhận tệp PDF minh chứng {have}/{max}."
PHOTO_NEED_MORE = " Cần thêm ít nhất {need} ảnh."
PHOTO_ENOUGH = " Đã đủ số ảnh tối thiểu; có thể gửi thêm hoặc chọn “Xong, đủ ảnh”."
PHOTO_ENOUGH_ELSEWHERE = " Đã đủ số ảnh tối thiểu (có thể gửi thêm)."
PHOTO_DUPLICATE = "Ảnh này đã được gửi trước đó, không tính thêm. Vui lòng gửi ảnh khác."
PHOTO_FULL = "Đã đủ {max} ảnh minh chứng, không nhận thêm. Muốn thay ảnh, gửi “xóa ảnh”."
PHOTO_NOT_ENOUGH = "Cần ít nhất {min} ảnh minh chứng (đã có {have}). Vui lòng gửi thêm ảnh."
PHOTOS_CLEARED = "Đã xóa {count} ảnh minh chứng. Vui lòng gửi lại từ {min} đến {max} ảnh."
PHOTO_CLEAR_WORDS = frozenset({"xoa anh", "xoa het anh", "/xoaanh"})

# Review and submit.
REVIEW_TITLE = "TÓM TẮT BÁO CÁO — {unit}, Tuần lễ {year}"
REVIEW_OPENING_HELD = "Lễ khai mạc: có, ngày {date}"
REVIEW_OPENING_NOT = "Lễ khai mạc: không tổ chức"
REVIEW_OPENING_MISSING = "Lễ khai mạc: chưa trả lời"
REVIEW_GROUP_NOT_RUN = "{number}. {label}: không tổ chức"
REVIEW_GROUP_UNANSWERED = "{number}. {label}: chưa trả lời"
REVIEW_LINE = "{code}. {label}: {value}"
REVIEW_TOTAL = " tổng {total}"
REVIEW_OTHER_ROWS_NOT_RUN = "   (các hoạt động khác của mục {number}: không tổ chức)"
REVIEW_PHOTOS = "Minh chứng: {have} tệp (cần {min}–{max})"
REVIEW_NARRATIVE = "{label}: {value}"
REVIEW_EMPTY = "—"
REVIEW_MISSING = "Còn {count} mục chưa trả lời: {codes}. Mục bỏ trống được tính là 0."
REVIEW_HOW_TO_EDIT = (
    "Muốn sửa một mục, gửi “sửa” kèm số mục, ví dụ: sửa 1.3 (hoặc: sửa khai mạc, sửa ảnh)."
)
REVIEW_READY = "Nếu đã đúng, chọn “Gửi báo cáo”."
EDIT_UNKNOWN = "Không có mục “{what}”. Ví dụ: sửa 1.3, sửa 2, sửa khai mạc, sửa ảnh."
EDIT_NOT_APPLICABLE = "Mục {code} thuộc hoạt động đơn vị đã chọn “Không”. Sửa câu “{group}” trước."
SUBMITTED = (
    "Đã gửi báo cáo. Số tiếp nhận: {reference}.\n"
    "Thời điểm: {when}. Có thể sửa đến trước ngày {deadline}; gửi “sửa báo cáo” nếu cần."
)
SUBMITTED_NO_DEADLINE = (
    "Đã gửi báo cáo. Số tiếp nhận: {reference}.\nThời điểm: {when}. Gửi “sửa báo cáo” nếu cần sửa."
)
SUBMITTED_LATE = (
    "Đã gửi báo cáo (sau hạn {deadline}). Số tiếp nhận: {reference}.\nThời điểm: {when}."
)
ALREADY_SUBMITTED = "Báo cáo của đơn vị đã được gửi (số tiếp nhận {reference})."
PAUSED = "Đã tạm dừng. Các câu trả lời đã được lưu; gửi “tiếp tục” hoặc /baocao để làm tiếp."
MENU = "Bạn muốn làm gì tiếp?"
LOCKED_AFTER_DEADLINE = (
    "Đã quá hạn báo cáo (trước ngày {deadline}), báo cáo không sửa được nữa. "
    "Nếu cần sửa, vui lòng liên hệ cấp trên để được mở lại."
)
REOPENED_FOR_EDIT = "Báo cáo đã được mở lại để sửa. Sau khi sửa, nhớ gửi lại."
HELP = (
    "Hướng dẫn nhanh:\n"
    "• Trả lời từng câu bằng số (1.200 hoặc 1200), lớp/người gửi dạng 3/120, “0” nếu không có.\n"
    "• “quay lại”: câu trước · “bỏ qua”: để sau · “xem lại”: tóm tắt · “hủy”: tạm dừng.\n"
    "• Ảnh minh chứng gửi bất cứ lúc nào, 2–3 ảnh.\n"
    "• Mọi câu trả lời được lưu ngay, có thể tiếp tục sau."
)
INTERNAL_ERROR = (
    "Xin lỗi, hệ thống gặp lỗi khi xử lý tin nhắn này. Câu trả lời trước đó vẫn được lưu; "
    "vui lòng gửi lại sau ít phút."
)
