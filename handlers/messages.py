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
CANCEL = Choice("cancel", "Tạm dừng")
DONE_PHOTOS = Choice("done", "Xong, đủ ảnh")
SUBMIT = Choice("submit", "Gửi báo cáo")
CONTINUE = Choice("continue", "Tiếp tục báo cáo")
EDIT = Choice("edit", "Sửa báo cáo")
KEEP = Choice("keep", "Giữ nguyên")
OPENING_DEFAULT = "Có, ngày {day}"
OPENING_NONE = Choice("no", "Không tổ chức")

# Joining a unit.
WELCOME = (
    "Xin chào thầy/cô! Đây là trợ lý báo cáo Tuần lễ hưởng ứng học tập suốt đời {year}.\n"
    "Chủ đề: “{theme}”.\n\n"
    "Để bắt đầu, thầy/cô vui lòng gửi mã mời của đơn vị (do cấp trên cung cấp), "
    "ví dụ: ABCD-EFGH-JKMN-PQRS."
)
ASK_INVITE = "Thầy/cô vui lòng gửi mã mời của đơn vị để bắt đầu (ví dụ: ABCD-EFGH-JKMN-PQRS)."
INVITE_WRONG = (
    "Mã mời không đúng hoặc đã hết hạn. "
    "Thầy/cô vui lòng kiểm tra lại mã (còn {left} lần thử trong giờ này)."
)
INVITE_LOCKED = (
    "Thầy/cô đã nhập sai mã quá nhiều lần nên việc nhập mã tạm khóa đến {until} "
    "(giờ Việt Nam); trong thời gian này hệ thống không trả lời tin nhắn. Sau {until}, "
    "thầy/cô có thể thử lại hoặc liên hệ cấp trên để lấy mã mới."
)
JOINED = (
    "Đã xác nhận: thầy/cô báo cáo cho đơn vị “{unit}”.\n"
    "Tuần lễ hưởng ứng học tập suốt đời {year}, chủ đề: “{theme}”.\n"
    "Tuần lễ diễn ra từ ngày {start} đến ngày {end}; Lễ khai mạc ngày {opening}.\n"
    "{deadline}"
    "Mỗi câu trả lời được lưu ngay; thầy/cô có thể dừng và tiếp tục bất cứ lúc nào."
)
DEADLINE_LINE = "Hạn gửi báo cáo: trước ngày {date} (gửi về {to}).\n"
ALREADY_MEMBER = "Thầy/cô đang báo cáo cho đơn vị “{unit}”."

# The walk.
PROGRESS_GROUP = "Mục {number}/{groups}"
ASK_OPENING = (
    "Lễ khai mạc Tuần lễ: đơn vị có tổ chức không, vào ngày nào?\n"
    "Thầy/cô chọn một ý, hoặc gửi ngày tổ chức (ví dụ: 03/10)."
)
ASK_RUN = "{progress}. {label}\n{question}"
# The yes/no question of a group whose form file gives none (``ask`` in bot/data/forms).
ASK_RUN_DEFAULT = "Đơn vị có tổ chức hoạt động này không?"
ASK_RUN_PICK = (
    "{rows}\nNếu chỉ có một số mục, thầy/cô gửi số các mục đó, cách nhau bằng dấu phẩy "
    "(ví dụ: {example})."
)
BAD_PICK = (
    "Chưa rõ câu trả lời. Thầy/cô chọn “Có, tất cả” hoặc “Không”, "
    "hoặc gửi số các mục có (từ {first} đến {last}), cách nhau bằng dấu phẩy."
)
ASK_PAIR = (
    "{progress} · {code} ({position}/{of}). {label}\n"
    "Gửi {first} và {second} (ví dụ: 3/120). Không có thì gửi 0."
)
ASK_COUNT = "{progress} · {code}. {label}\nGửi {measure} (ví dụ: 12). Không có thì gửi 0."
ASK_MONEY = (
    "{progress} · {code}. {label}\n"
    "Gửi số tiền bằng đồng (ví dụ: 5.000.000 hoặc 5 triệu). Không có thì gửi 0."
)
ASK_TEXT = "{progress} · {code}. {label}\nViết ngắn gọn, hoặc chọn “Bỏ qua”."
ASK_PHOTOS = (
    "Minh chứng: gửi từ {min} đến {max} ảnh hoạt động của Tuần lễ{pdf}. Đã nhận {have}/{max}."
)
PDF_TOO = " (tệp PDF cũng được)"
ASK_NARRATIVE = (
    "Đánh giá {position}/{of}. {prompt}\nThầy/cô viết vài dòng, hoặc chọn “Bỏ qua” nếu không có."
)
HEADER_ITEM = "{code}. {label}"
# Several rows in one message (“1.1: 3/120; 1.2: 2/80”): stored all together or not at all.
ASK_RUN_ROWS = "Có thể gửi luôn số liệu các mục đã tổ chức, ví dụ: {example}."
ROWS_EXAMPLE_PAIR, ROWS_EXAMPLE_COUNT, ROWS_EXAMPLE_MONEY = "3/120", "12", "5 triệu"
ROWS_SAVED = "Đã lưu {count} mục: {rows}."
ROWS_OTHERS_NOT_RUN = " Các nội dung khác của mục {group} được ghi là không có."
ROWS_NOT_IN_GROUP = (
    "Mục {code} không thuộc mục {group} (từ {first} đến {last}). "
    "Chưa lưu mục nào trong tin nhắn này."
)
ROWS_TWICE = (
    "Mục {code} có hai lần trong tin nhắn. Chưa lưu mục nào trong tin nhắn này; "
    "thầy/cô sửa lại rồi gửi lại cả tin nhắn."
)
ROWS_REFUSED = (
    "Mục {code}: {correction} Chưa lưu mục nào trong tin nhắn này; "
    "thầy/cô sửa mục {code} rồi gửi lại cả tin nhắn."
)
# A question asked again (after “quay lại”, “sửa 1.3” or a pause) shows what its row holds.
STORED_VALUE = "Đã lưu: {value}. Không cần sửa thì gửi “giữ nguyên”."
KEEP_NOTHING = (
    "Mục này chưa có số liệu để giữ nguyên. Thầy/cô gửi câu trả lời, hoặc “bỏ qua” để làm sau."
)

# Platforms without buttons (the terminal, Zalo): choices are numbered lines, typed back.
TEXT_NUMBERED_HINT = "Gõ số {numbers} để chọn."
TEXT_OR = " hoặc "

# Corrections.
NOT_A_CHOICE = "Chưa rõ câu trả lời. Vui lòng chọn: {options}."
BAD_DATE = (
    "Ngày chưa đúng. Thầy/cô gửi ngày theo dạng ngày/tháng, ví dụ: 03/10, "
    "từ {first} đến {last}; hoặc chọn “Không tổ chức”."
)
TEXT_TOO_LONG = (
    "Nội dung dài {length} ký tự, quá mức {limit} ký tự. Thầy/cô vui lòng viết ngắn lại."
)
TEXT_EMPTY = "Thầy/cô vui lòng viết nội dung, hoặc chọn “Bỏ qua”."
EXPECTED_TEXT_NOT_FILE = "Câu này cần trả lời bằng chữ. {question}"
FIRST_QUESTION = "Đây đã là câu đầu tiên."
STALE_BUTTON = "Nút này thuộc một câu hỏi trước. Câu hỏi hiện tại:"
UNKNOWN_MESSAGE = "Chưa đọc được tin nhắn này. Thầy/cô vui lòng gửi chữ, số hoặc ảnh."

# Answers out of turn: the question last seen, edited and forwarded messages.
ROW_ITEM = "mục {code}"
ROW_OPENING = "mục Lễ khai mạc"
ROW_NARRATIVE = "phần đánh giá “{label}”"
VALUE_RUN_ALL = "có, tất cả"
VALUE_RUN_SOME = "có: {rows}"
VALUE_NO = "không"
VALUE_OPENING_ON = "có, ngày {date}"
VALUE_OPENING_NONE = "không tổ chức"
ANSWER_CHANGED = "Đã sửa {row}: {old} → {new}."
ANSWER_ALREADY_RECORDED = "Đã ghi {row}: {value}. Thầy/cô không cần gửi lại."
# A new answer that fits both the question last seen and the one not yet seen: which row?
CONFIRM_ROW = "“{text}” là câu trả lời cho mục nào? Thầy/cô chọn:"
ROW_CHOICE_CHANGE = "Sửa {row} thành {new} (đang là {old})"
ROW_CHOICE_HERE = "Ghi vào {row}: {new}"
EDIT_NOT_READ = (
    "Tin nhắn đã sửa không được đọc: chỉ sửa được tin nhắn trả lời một câu hỏi. "
    "Thầy/cô vui lòng gửi tin nhắn mới."
)
EDIT_INVALID = "Tin nhắn đã sửa không được đọc; {row} vẫn là: {value}."
EDIT_AFTER_SUBMIT = (
    "Báo cáo đã gửi nên tin nhắn đã sửa không được đọc. Muốn sửa, thầy/cô gửi “sửa báo cáo”."
)
EDIT_BEFORE_JOINING = (
    "Tin nhắn đã sửa không được đọc. Thầy/cô vui lòng gửi lại mã mời trong tin nhắn mới."
)
FORWARDED_NOT_READ = (
    "Tin nhắn chuyển tiếp không được tính là câu trả lời. "
    "Thầy/cô vui lòng tự gõ câu trả lời cho câu hỏi dưới đây."
)
MESSAGE_TOO_LONG = (
    "Tin nhắn quá dài ({length} ký tự; mỗi câu trả lời không quá {limit} ký tự). "
    "Thầy/cô vui lòng gửi câu trả lời ngắn cho câu hỏi dưới đây."
)

# Numbers that cannot be stored, by the reason bot/domain/numbers.py gives. Blanks the
# conversation fills: {example} (an answer that fits the row), {measure}, {first}, {second}
# (what the row counts), {units} (the unit words it takes), {maximum}, {word}, {letter}.
NUMBER_CORRECTIONS = {
    "empty": "Thầy/cô chưa gửi số. Vui lòng gửi một số, ví dụ: {example}; không có thì gửi 0.",
    "too_long": "Tin nhắn quá dài. Thầy/cô chỉ cần gửi số, ví dụ: {example}.",
    "hidden_characters": (
        "Tin nhắn có ký tự ẩn hoặc ký tự điều khiển. Thầy/cô vui lòng gõ lại số, ví dụ: {example}."
    ),
    "ascii_digits": "Thầy/cô vui lòng chỉ dùng chữ số 0–9 của bàn phím thường, ví dụ: 1.200.",
    "not_a_count": "Chưa đọc được số. Thầy/cô gửi số, ví dụ: {example}; không có thì gửi 0.",
    "whole_number": "Số lượng phải là số nguyên, không có phần thập phân. Ví dụ: 120 hoặc 1.200.",
    "negative": "Số lượng không thể là số âm. Không có thì thầy/cô gửi 0.",
    "grouping": (
        "Cách tách hàng nghìn chưa đúng: mỗi nhóm sau dấu chấm có đúng 3 chữ số. "
        "Ví dụ: 1.200 hoặc 12.345.678, hoặc gõ liền 1200."
    ),
    "spell_out": "Thầy/cô vui lòng gõ đủ các chữ số: 5.000 thay vì 5k hay 5 nghìn.",
    "too_large": "Số quá lớn (tối đa {maximum}). Thầy/cô vui lòng kiểm tra lại.",
    "letter_for_digit": (
        "Số vừa gửi có chữ cái “{letter}” lẫn vào chỗ chữ số. "
        "Thầy/cô gõ lại chỉ bằng chữ số 0–9, ví dụ: {example}."
    ),
    "unknown_word": (
        "Chưa hiểu chữ “{word}”. Sau mỗi số chỉ ghi đơn vị của mục này ({units}), "
        "hoặc chỉ gửi số, ví dụ: {example}."
    ),
    "one_number": "Mục này chỉ cần một số ({measure}), ví dụ: {example}.",
    "pair_need_both": "Thầy/cô gửi cả {first} và {second} trong một tin, ví dụ: {example}.",
    "pair_hyphen": (
        "Dấu gạch ngang dễ đọc nhầm thành số âm. "
        "Thầy/cô ngăn cách hai số bằng dấu /, ví dụ: {example}."
    ),
    "pair_unclear": (
        "Chưa rõ đâu là {first}, đâu là {second}. "
        "Thầy/cô gửi đúng hai số, ngăn cách bằng dấu /, ví dụ: {example}."
    ),
    "pair_same_unit": (
        "Hai số cùng ghi một đơn vị. Thầy/cô gửi {first} và {second}, ví dụ: {example}."
    ),
    "ambiguous": (
        "Câu trả lời có thể hiểu theo nhiều cách. "
        "Thầy/cô gửi hai số ngăn cách bằng dấu /, ví dụ: {example}."
    ),
    "not_money": (
        "Chưa đọc được số tiền. Thầy/cô gửi số tiền, ví dụ: 5.000.000, 5 triệu hoặc 500 nghìn; "
        "không có thì gửi 0."
    ),
    "money_whole": (
        "Số tiền tính tròn đồng, không có số lẻ. Thầy/cô gửi lại, ví dụ: 1.500.000 hoặc 1,5 triệu."
    ),
    "money_ambiguous": (
        "Số tiền này dễ đọc nhầm (1.500 triệu hay 1,5 triệu?). "
        "Thầy/cô vui lòng gõ đủ các chữ số, ví dụ: 1.500.000."
    ),
    "money_negative": "Số tiền không thể là số âm. Không có thì thầy/cô gửi 0.",
    "money_too_large": "Số tiền quá lớn (tối đa {maximum}). Thầy/cô vui lòng kiểm tra lại.",
}
NUMBER_EXAMPLE_COUNT = "12"
NUMBER_EXAMPLE_PAIR = "3/120"
NUMBER_EXAMPLE_MONEY = "5.000.000"
NUMBER_UNIT = "“{unit}”"
# An answer that reads more than one way ("1 200" at a row of classes and people).
CONFIRM_READING = "“{text}” có thể hiểu theo {count} cách. Thầy/cô chọn cách đúng:"
READING_PAIR = "{first} {first_unit}, {second} {second_unit}"
READING_LONE = "Chỉ một số: {number}"
READING_LONE_EXAMPLE = "2/{number}"

# Evidence.
PHOTO_RECEIVED = "Đã nhận ảnh minh chứng {have}/{max}."
PDF_RECEIVED = "Đã nhận tệp PDF minh chứng {have}/{max}."
PHOTO_NEED_MORE = " Cần thêm ít nhất {need} ảnh."
PHOTO_ENOUGH = " Đã đủ số ảnh tối thiểu; có thể gửi thêm hoặc chọn “Xong, đủ ảnh”."
PHOTO_ENOUGH_ELSEWHERE = " Đã đủ số ảnh tối thiểu (có thể gửi thêm)."
PHOTO_DUPLICATE = "Ảnh này đã được gửi trước đó, không tính thêm. Thầy/cô vui lòng gửi ảnh khác."
PHOTO_FULL = "Đã đủ {max} ảnh minh chứng, không nhận thêm. Muốn thay ảnh, thầy/cô gửi “xóa ảnh”."
PHOTO_NOT_ENOUGH = (
    "Cần ít nhất {min} ảnh minh chứng (đã có {have}). Thầy/cô vui lòng gửi thêm ảnh."
)
PHOTOS_CLEARED = "Đã xóa {count} ảnh minh chứng. Thầy/cô vui lòng gửi lại từ {min} đến {max} ảnh."
PHOTO_CLEAR_WORDS = frozenset({"xoa anh", "xoa het anh", "/xoaanh"})
# A file the bot will not keep, by the text bot/evidence.py names (``EvidenceRefused.text``);
# {limit_mb} is the size limit with a decimal comma ("10,5").
EVIDENCE_REFUSALS = {
    "empty": (
        "Tệp thầy/cô vừa gửi không có nội dung. "
        "Thầy/cô vui lòng chụp lại ảnh minh chứng rồi gửi lại."
    ),
    "too_large": (
        "Tệp lớn hơn {limit_mb} MB nên chưa nhận được. Thầy/cô vui lòng gửi theo cách gửi ảnh "
        "thông thường (không chọn gửi dạng tệp), hoặc gửi tệp nhỏ hơn {limit_mb} MB."
    ),
    "not_supported": (
        "Chưa nhận được loại tệp này: chỉ nhận ảnh JPEG, PNG, WEBP hoặc tệp PDF. "
        "Thầy/cô vui lòng gửi ảnh minh chứng theo cách gửi ảnh thông thường."
    ),
    "bomb": (
        "Ảnh có kích thước quá lớn nên không xử lý được. Thầy/cô vui lòng gửi theo cách gửi ảnh "
        "thông thường, hoặc chụp lại ở độ phân giải thấp hơn rồi gửi lại."
    ),
    "corrupt": (
        "Tệp bị lỗi hoặc chưa tải lên đủ nên không mở được. "
        "Thầy/cô vui lòng gửi lại ảnh (hoặc tệp PDF)."
    ),
    "pdf_not_accepted": (
        "Minh chứng năm nay chỉ nhận ảnh chụp, không nhận tệp PDF. Thầy/cô vui lòng gửi ảnh "
        "JPEG hoặc PNG theo cách gửi ảnh thông thường."
    ),
    "pdf_active": (
        "Tệp PDF có mã lệnh tự chạy, lệnh mở chương trình khác hoặc tệp đính kèm nên không nhận "
        "được. Thầy/cô vui lòng gửi ảnh chụp minh chứng, hoặc xuất lại tệp PDF chỉ gồm các trang "
        "tài liệu."
    ),
    "pdf_locked": (
        "Tệp PDF có đặt mật khẩu nên không kiểm tra được. Thầy/cô vui lòng gửi tệp PDF không đặt "
        "mật khẩu, hoặc gửi ảnh chụp minh chứng."
    ),
    "unavailable": (
        "Chưa tải được tệp thầy/cô vừa gửi: tệp không còn trên máy chủ của ứng dụng hoặc không "
        "mở được. Thầy/cô vui lòng gửi lại ảnh minh chứng."
    ),
    "unavailable_slow": (
        "Tệp thầy/cô vừa gửi tải về quá lâu, có thể do đường truyền chậm. "
        "Thầy/cô vui lòng gửi lại ảnh minh chứng sau ít phút."
    ),
}

# Review and submit.
REVIEW_TITLE = "TÓM TẮT BÁO CÁO — {unit}, Tuần lễ {year}"
REVIEW_OPENING_HELD = "Lễ khai mạc: có, ngày {date}"
REVIEW_OPENING_NOT = "Lễ khai mạc: không tổ chức"
REVIEW_OPENING_MISSING = "Lễ khai mạc: chưa trả lời"
REVIEW_GROUP_NOT_RUN = "{number}. {label}: không có"
REVIEW_GROUP_UNANSWERED = "{number}. {label}: chưa trả lời"
REVIEW_LINE = "{code}. {label}: {value}"
REVIEW_TOTAL = " tổng {total}"
# A value the bot computes from the answers (group totals, 7.1/7.2): never asked, marked so.
REVIEW_COMPUTED = " (tự tính)"
RECEIPT_COMPUTED = "Số liệu tự tính từ các câu trả lời:\n{lines}"
RECEIPT_COMPUTED_LINE = "• {code}. {label}: {value}"
REVIEW_OTHER_ROWS_NOT_RUN = "   (các nội dung khác của mục {number}: không có)"
REVIEW_PHOTOS = "Minh chứng: {have} tệp (cần {min}–{max})"
REVIEW_NARRATIVE = "{label}: {value}"
REVIEW_EMPTY = "—"
REVIEW_MISSING = "Còn {count} mục chưa trả lời: {codes}. Mục bỏ trống được tính là 0."
REVIEW_HOW_TO_EDIT = (
    "Muốn sửa một mục, gửi “sửa” kèm số mục, ví dụ: sửa 1.3 (hoặc: sửa khai mạc, sửa ảnh)."
)
REVIEW_READY = "Nếu đã đúng, chọn “Gửi báo cáo”."
EDIT_UNKNOWN = "Không có mục “{what}”. Ví dụ: sửa 1.3, sửa 2, sửa khai mạc, sửa ảnh."
EDIT_NOT_APPLICABLE = (
    "Mục {code} thuộc phần đơn vị đã trả lời “Không”. Thầy/cô sửa câu “{group}” trước."
)
# When a report was sent, as the receipt says it: "10:00 ngày 09/10/2023".
MOMENT = "{moment:%H:%M} ngày {moment:%d/%m/%Y}"
SUBMITTED = (
    "Đã gửi báo cáo. Số tiếp nhận: {reference}.\n"
    "Thời điểm gửi: {when}. Có thể sửa đến trước ngày {deadline}; gửi “sửa báo cáo” nếu cần."
)
SUBMITTED_NO_DEADLINE = (
    "Đã gửi báo cáo. Số tiếp nhận: {reference}.\n"
    "Thời điểm gửi: {when}. Gửi “sửa báo cáo” nếu cần sửa."
)
SUBMITTED_LATE = (
    "Đã gửi báo cáo (sau hạn {deadline}). Số tiếp nhận: {reference}.\nThời điểm gửi: {when}."
)
ALREADY_SUBMITTED = "Báo cáo của đơn vị đã được gửi (số tiếp nhận {reference})."
PAUSED = "Đã tạm dừng. Các câu trả lời đã được lưu; gửi “tiếp tục” hoặc /baocao để làm tiếp."
MENU = "Thầy/cô muốn làm gì tiếp theo?"
LOCKED_AFTER_DEADLINE = (
    "Đã quá hạn gửi báo cáo (trước ngày {deadline}) nên báo cáo không sửa được nữa. "
    "Nếu cần sửa, thầy/cô vui lòng liên hệ cấp trên để được mở lại."
)
REOPENED_FOR_EDIT = "Báo cáo đã được mở lại để sửa. Sửa xong, thầy/cô nhớ gửi lại báo cáo."
HELP = (
    "Hướng dẫn nhanh:\n"
    "• Trả lời từng câu bằng số (1.200 hoặc 1200); số lớp và số người gửi dạng 3/120; "
    "không có thì gửi 0.\n"
    "• “quay lại”: câu trước · “bỏ qua”: để sau · “xem lại”: tóm tắt · “tạm dừng”: làm tiếp sau.\n"
    "• Ảnh minh chứng gửi lúc nào cũng được.\n"
    "• Mọi câu trả lời được lưu ngay, có thể tiếp tục sau."
)
FILE_SLOW = "Đang tải tệp, thầy/cô vui lòng chờ một chút…"
INTERNAL_ERROR = (
    "Xin lỗi, hệ thống gặp lỗi khi xử lý tin nhắn này. Các câu trả lời trước đó vẫn được lưu; "
    "thầy/cô vui lòng gửi lại sau ít phút."
)

# The command line (``tuanle``), read by admins at a terminal.
CLI_DESCRIPTION = "Trợ lý báo cáo Tuần lễ hưởng ứng học tập suốt đời"
CLI_USAGE = "Cách dùng: "
CLI_ARGUMENTS = "tham số"
CLI_OPTIONS = "tùy chọn"
CLI_COMMANDS = "lệnh"
CLI_HELP = "in hướng dẫn này rồi thoát"
CLI_CONFIG = "tệp cấu hình TOML (mặc định: tuanle.toml)"
CLI_RUN = "chạy bot (trò chuyện trong terminal khi chưa đặt token nào)"
CLI_CHAT = "trò chuyện với bot ngay trong terminal này"
CLI_CHAT_USER = "mã người dùng của cuộc trò chuyện (mặc định: local-<tên đăng nhập>)"
CLI_DB = "cơ sở dữ liệu"
CLI_DB_UPGRADE = "cập nhật cấu trúc cơ sở dữ liệu (migration)"
CLI_UNITS = "đơn vị báo cáo"
CLI_UNITS_ADD = "thêm một đơn vị"
CLI_UNIT_CODE = "mã đơn vị"
CLI_UNIT_NAME = "tên đơn vị"
CLI_UNIT_KIND = "loại đơn vị, mặc định school: {kinds}"
CLI_UNIT_PARENT = "mã đơn vị cấp trên (nơi nhận báo cáo)"
CLI_UNITS_LIST = "liệt kê các đơn vị"
CLI_INVITE = "tạo mã mời cho một đơn vị"
CLI_INVITE_ROLE = "vai trò của người tham gia bằng mã này, mặc định reporter: {roles}"
CLI_INVITE_DAYS = "số ngày mã còn hiệu lực"
CLI_INVITE_USES = "số người tối đa được dùng mã"
CLI_REPORTS = "báo cáo"
CLI_REPORTS_SHOW = "in báo cáo của một đơn vị đúng như đã lưu"
CLI_REPORTS_REOPEN = "mở lại báo cáo đã gửi của một đơn vị để sửa (kể cả sau hạn)"
CLI_ERROR = "tuanle: {error}"
CLI_DB_UP_TO_DATE = "Cơ sở dữ liệu đã được cập nhật."
CLI_UNIT_EXISTS = "đơn vị {code} đã có"
CLI_NO_UNIT = "không có đơn vị {code}"
CLI_NO_PARENT = "không có đơn vị cấp trên {code}"
CLI_UNIT_ADDED = "Đã thêm {code}: {name} ({kind})"
CLI_INVITE_MADE = "({unit}; vai trò {role}; hiệu lực {days} ngày; tối đa {uses} người)"
CLI_NO_REPORT = "{code}: chưa có báo cáo năm {year}"
CLI_REOPENED = "{code}: đã mở lại báo cáo để sửa"
CLI_REPORT_HEAD = (
    "{code} {name} — năm {year}: {status} (số tiếp nhận {reference}, lần gửi {revision})"
)
CLI_REPORT_STATUS = {"draft": "đang nhập", "submitted": "đã gửi", "reopened": "đã mở lại để sửa"}
CLI_REPORT_DERIVED = "tự tính"
CLI_REPORT_EVIDENCE = "minh chứng {mime} {size} B sha256={sha}… -> {path}"
# argparse's own messages, said in Vietnamese (patterns of Python 3.11–3.13's texts).
CLI_ARGPARSE = (
    (r"^the following arguments are required: (.+)$", "thiếu tham số: {0}"),
    (r"^unrecognized arguments: (.+)$", "tham số không hiểu được: {0}"),
    (
        r"^argument (\S+): invalid choice: (.+?) \(choose from (.+)\)$",
        "{0}: giá trị {1} không hợp lệ (chọn một trong: {2})",
    ),
    (r"^argument (\S+): invalid (\w+) value: (.+)$", "{0}: {2} không phải giá trị hợp lệ"),
    (r"^argument (\S+): expected one argument$", "{0}: cần đúng một giá trị"),
    (r"^argument (\S+): (.+)$", "{0}: {1}"),
)
CLI_UNKNOWN_PROBLEM = "lệnh không hợp lệ ({error}); xem: tuanle --help"
CLI_ALREADY_POLLING = (
    "một tiến trình khác đang nhận tin Zalo bằng token này (polling); "
    "mỗi token chỉ chạy được một tiến trình"
)
# The database cannot be reached at start: where it was looked for (never the password) and why.
CLI_DATABASE_UNREACHABLE = (
    "không kết nối được cơ sở dữ liệu {database} trên máy chủ {host}, cổng {port}: {reason}. "
    "Hãy kiểm tra mục [database] url trong tệp cấu hình."
)
CLI_DATABASE_REASONS = {
    "refused": "máy chủ không trả lời (PostgreSQL chưa chạy, hoặc sai địa chỉ hay cổng)",
    "unknown_host": "không tìm thấy máy chủ có tên này",
    "no_database": "máy chủ chưa có cơ sở dữ liệu này (tạo bằng: createdb {database})",
    "login": "máy chủ từ chối tên đăng nhập hoặc mật khẩu",
    "busy": "máy chủ đang khởi động hoặc đã đủ số kết nối; thử lại sau ít phút",
}
CLI_NO_CAMPAIGNS = "không tìm thấy tệp dữ liệu chiến dịch nào (bot/data/campaigns)"
CLI_NO_CAMPAIGN_YEAR = (
    "campaign.year = {year}: chưa có tệp dữ liệu năm này; các năm đã có: {known}"
)
# ``tuanle units import FILE``: the help, the column names accepted, each problem of a line.
CLI_UNITS_IMPORT = (
    "nhập đơn vị từ tệp CSV hoặc XLSX (cột: mã, tên, loại, mã cấp trên, liên hệ); "
    "có lỗi thì không nhập gì"
)
CLI_IMPORT_FILE = (
    "tệp CSV (UTF-8, ngăn cách bằng dấu , ; hoặc tab) hoặc XLSX; "
    "một dòng tên cột ở đầu bảng, có hoặc không dấu"
)
# Header names, compared without case and extra spaces; the first of each is the one shown.
IMPORT_HEADERS = {
    "code": ("mã", "code", "mã đơn vị"),
    "name": ("tên", "name", "tên đơn vị"),
    "kind": ("loại", "kind", "loại đơn vị"),
    "parent": ("mã cấp trên", "parent code", "parent", "cấp trên", "mã đơn vị cấp trên"),
    "contact": ("liên hệ", "contact"),
}
IMPORT_CANNOT_READ = "không đọc được tệp {path}"
IMPORT_NO_FILE = "không có tệp {path}"
IMPORT_PROBLEM = "dòng {line}, cột “{column}”: {problem}"
IMPORT_FILE_PROBLEM = "tệp: {problem}"
IMPORT_REFUSED = "Không nhập đơn vị nào: {count} lỗi. Sửa tệp rồi chạy lại lệnh."
IMPORT_PROBLEMS = {
    "not_utf8": "tệp không phải XLSX, cũng không phải CSV UTF-8 (hãy lưu bằng “CSV UTF-8”)",
    "bad_xlsx": "tệp XLSX hỏng hoặc không đọc được",
    "no_header": "tệp trống: dòng đầu phải là tên các cột",
    "missing_column": "thiếu cột “{column}”",
    "unknown_column": "không có cột “{column}” trong mẫu; các cột: {known}",
    "repeated_column": "cột “{column}” có hai lần",
    "extra_cell": "ô thừa ngoài các cột có tên: {value}",
    "empty": "không được để trống",
    "too_long": "dài {length} ký tự, tối đa {limit}",
    "control": "có ký tự điều khiển (xuống dòng, tab…)",
    "spaces": "mã không được có khoảng trắng",
    "unknown_kind": "không có loại “{value}”; chọn một trong: {kinds}",
    "duplicate": "mã {code} đã có ở dòng {first}",
    "no_parent": "không có đơn vị {code}, trong tệp cũng như trong cơ sở dữ liệu",
    "own_parent": "đơn vị không thể là cấp trên của chính nó",
    "cycle": "cấp trên vòng tròn: {path}",
}
IMPORT_ADDED = "+ {code}: {name} ({kind}) — thêm"
IMPORT_UPDATED = "~ {code}: {changes} — sửa"
IMPORT_CHANGE = "{field} {old} → {new}"
IMPORT_FIELDS = {"name": "tên", "kind": "loại", "parent": "cấp trên", "contact": "liên hệ"}
IMPORT_NOTHING = "(không có)"
IMPORT_SUMMARY = "{added} thêm, {updated} sửa, {unchanged} không đổi"
# Placeholders of the usage lines (argparse metavars).
CLI_META_COMMAND = "LỆNH"
CLI_META_FILE = "TỆP"
CLI_META_USER = "MÃ_NGƯỜI_DÙNG"
CLI_META_KIND = "LOẠI"
CLI_META_ROLE = "VAI_TRÒ"
CLI_META_TASK = "VIỆC"
CLI_META_CODE = "MÃ"
CLI_META_NAME = "TÊN"
CLI_META_UNIT = "MÃ_ĐƠN_VỊ"
CLI_META_DAYS = "NGÀY"
CLI_META_NUMBER = "SỐ"
# What the ``--kind`` and ``--role`` values mean, as the output names them.
UNIT_KIND_NAMES = {
    "school": "trường học",
    "centre": "TTHTCĐ, trung tâm GDNN-GDTX",
    "commune": "UBND xã, phường",
    "district": "huyện, Phòng GDĐT",
    "province": "tỉnh, thành phố, Sở GDĐT",
}
ROLE_NAMES = {"reporter": "người báo cáo", "admin": "quản trị"}

# The terminal chat (``tuanle chat``).
CHAT_BANNER = (
    "Tuần lễ hưởng ứng học tập suốt đời {year}: trò chuyện trong terminal.\n"
    "Gõ câu trả lời rồi Enter; gửi ảnh: /anh đường/dẫn/ảnh.jpg; thoát: /thoat hoặc Ctrl-D."
)
CHAT_DEMO = "(Đơn vị dùng thử “{unit}”, mã mời: {code})"
CHAT_DEMO_UNIT = "Trường THCS Thực hành (dùng thử)"
CHAT_PROMPT = "Thầy/cô> "
CHAT_NO_FILE = "  (không tìm thấy tệp: {path})"
CHAT_NOT_A_FILE = "  ({path} là một thư mục; thầy/cô gõ đường dẫn đến tệp ảnh hoặc PDF)"
CHAT_FILE_UNREADABLE = "  (không mở được tệp: {path}; thầy/cô kiểm tra quyền đọc tệp)"
CHAT_FILE_USAGE = "  (gửi ảnh: gõ /anh rồi đường dẫn đến tệp, ví dụ: /anh ~/Ảnh/khai mạc.jpg)"
CHAT_FAILED = "  (chưa xử lý được tin nhắn này; các câu trả lời trước vẫn được lưu)"
CHAT_BYE = "Đã lưu các câu trả lời. Chào thầy/cô! Chạy lại “tuanle chat” để làm tiếp."

# Telegram's command menu (the list shown on typing "/").
TELEGRAM_COMMANDS = {
    "start": "Bắt đầu, nhập mã mời",
    "baocao": "Tiếp tục báo cáo",
    "help": "Hướng dẫn",
}

# A data file (bot/data/**/*.toml) that is wrong stops the start: where, then why, by the
# reason bot/domain/loader.py gives. {got} is the value as TOML writes it; a close match of a
# typo is added after the text ({suggestion}).
DATA_FILE_ERROR = "{path}, dòng {line}: {field}: {problem}"
DATA_FILE_SUGGESTION = " (có phải “{suggestion}”?)"
DATA_FILE_PROBLEMS = {
    "not_utf8": "tệp không phải văn bản UTF-8; hãy lưu lại tệp dạng UTF-8",
    "toml_syntax": "sai cú pháp TOML: {detail}",
    "unknown_field": "không có trường này; các trường hợp lệ: {expected}",
    "missing": "thiếu trường bắt buộc",
    "expected_string": "cần một chuỗi trong dấu ngoặc kép, gặp {got}",
    "empty": "không được để trống",
    "spaces": "không được bắt đầu hay kết thúc bằng dấu cách",
    "expected_integer": "cần một số nguyên, gặp {got}",
    "expected_boolean": "cần true hoặc false, gặp {got}",
    "expected_date": "cần một ngày dạng 2025-10-01 (không ngoặc kép, không giờ), gặp {got}",
    "expected_strings": "cần một mảng các chuỗi, gặp {got}",
    "empty_list": "cần ít nhất một giá trị",
    "expected_table": "cần một bảng [{key}], gặp {got}",
    "expected_tables": "cần các bảng [[{key}]], gặp {got}",
    "tables_required": "cần ít nhất một bảng [[{key}]]",
    "unknown_value": "không có giá trị “{value}”; các giá trị hợp lệ: {expected}",
    "text_column": "số đo dạng chữ nằm ở cột ghi chú (note), và cột ghi chú chỉ chứa chữ",
    "not_positive": "phải lớn hơn 0, gặp {got}",
    "no_measure": "không có bảng [measures.{name}] (đã khai báo: {known})",
    "measure_key_twice": "một dòng có hai số đo cùng khóa {key}",
    "unit_kinds_without_opening": 'chỉ dòng có derivation = "opening_held" mới có trường này',
    "opening_needs_kinds": "dòng opening_held phải nêu các loại đơn vị được đếm",
    "sum_on_sub_row": "chỉ dòng của mục mới cộng được các dòng con",
    "derived_needs_measure": "dòng tự tính cần một số đo để chứa giá trị",
    "derived_text": "dòng tự tính không chứa chữ",
    "people_label_without_people": "dòng này không có số đo nào ở cột số người",
    "group_code": "mã của mục là số thứ tự, ví dụ: “4”; gặp “{got}”",
    "child_code": "dòng con của mục {group} có mã “{group}.<n>”; gặp “{got}”",
    "sum_needs_children": "sum_children cần các dòng con ([[groups.children]])",
    "nothing_to_sum": "không dòng con nào có số đo {key} để cộng",
    "sum_kinds_differ": "các số đo {key} của các dòng con khác loại nhau",
    "ask_without_run": "câu hỏi có/không chỉ dùng khi ask_if_run = true",
    "run_needs_children": (
        "true cần ít nhất một dòng con được hỏi; mục chỉ có một dòng thì đặt ask_if_run = false"
    ),
    "code_twice": "mã “{code}” bị dùng hai lần (lần đầu ở dòng {line})",
    "key_twice": "khóa “{key}” bị dùng hai lần",
    "form_code": "phải trùng tên tệp “{expected}”, gặp “{got}”",
    "at_least_one": "phải từ 1 trở lên, gặp {got}",
    "max_below_min": "phải từ min_photos ({min}) trở lên",
    "deadline_twice": "cấp {level} đã có một hạn gửi báo cáo",
    "deadline_in_week": "hạn gửi báo cáo phải sau Tuần lễ; Tuần lễ kết thúc ngày {week_end}",
    "deadline_order": (
        "{before} sớm hơn hạn của cấp {lower_level} ({lower_before}): "
        "cấp trên nhận báo cáo sau cấp dưới"
    ),
    "year_mismatch": "tệp {name} là của năm {stem}, không phải năm {year}",
    "week_start_year": "{week_start} không thuộc năm {year}",
    "week_end_before": "{week_end} trước week_start ({week_start})",
    "opening_outside": "{opening} nằm ngoài Tuần lễ ({start} – {end})",
    "no_form_file": "không có tệp mẫu {path}",
    "source_twice": "một nguồn được ghi hai lần",
    "year_twice": "năm {year} đã có trong {other}",
}

# Settings errors (``tuanle`` refuses to start and names the key).
CONFIG_NO_FILE = "không có tệp cấu hình {path}"
CONFIG_INVALID = "cấu hình không hợp lệ{where}:"
CONFIG_WHERE = " trong {path}"
CONFIG_LINE = "  {key} (hoặc {env}): {problem}"
CONFIG_SYNTAX = "{path}: tệp TOML sai cú pháp: {error}"
# pydantic's error types, said in Vietnamese; ``{...}`` are the error's context values.
CONFIG_PROBLEMS = {
    "missing": "thiếu giá trị",
    "extra_forbidden": "không có khóa cấu hình này (gõ sai tên?)",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_parsing": "phải là một số",
    "float_type": "phải là một số",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "string_type": "phải là một chuỗi",
    "list_type": "phải là một danh sách",
    "path_type": "phải là một đường dẫn, viết trong dấu ngoặc kép",
    "finite_number": "phải là một số thông thường",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải từ {ge} trở lên",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải không quá {le}",
    "literal_error": "phải là một trong: {expected}",
    "model_type": "phải là một bảng [..] của TOML",
    "model_attributes_type": "phải là một bảng [..] của TOML",
}
CONFIG_BAD_DATABASE_URL = (
    "phải bắt đầu bằng sqlite+aiosqlite:// hoặc postgresql+asyncpg:// (trình điều khiển async)"
)
CONFIG_BAD_TIMEZONE = "không có múi giờ {zone!r}"
CONFIG_WEBHOOK_NEEDS_URL = "chế độ webhook cần webhook_url, địa chỉ https:// công khai"
CONFIG_WEBHOOK_NEEDS_KEY = "chế độ webhook cần webhook_secret: 16–256 ký tự A-Z a-z 0-9 _ -"

# ---------------------------------------------------------------------------------------------
# H5: files out of the bot (bot/artifacts.py, the senders) and the job runner (bot/engine/jobs.py).
# A document on Zalo is a link; {expires} is Vietnam time, "14:30 ngày 12/10/2023".
FILE_LINK = "📎 {name}\nTải về: {link}\n(Liên kết dùng được đến {expires}.)"
# No [web] public_url: the file cannot be linked, but it exists on the server.
FILE_AT_SERVER = (
    "📎 {name}: tệp đã được tạo trên máy chủ của bot. Thầy/cô vui lòng nhờ người quản trị "
    "máy chủ gửi tệp này."
)
# A file too large for Telegram (50 MB) and no public link to send instead.
FILE_TOO_LARGE_HERE = "📎 {name} ({size} MB) quá lớn để gửi qua Telegram."
# A file whose link expired before it could be sent (the chat was unreachable for days).
FILE_EXPIRED = "📎 {name}: tệp đã hết hạn. Thầy/cô vui lòng yêu cầu lại."
FILE_EXPIRES_AT = "{time:%H:%M} ngày {time:%d/%m/%Y}"
# The terminal chat prints where a file the bot made lies, so the admin can open it.
CHAT_FILE_SAVED = "📎 {name}: {path}"
# A long job tells how far it got, at most every few seconds ({text} is the job's own words).
JOB_PROGRESS = "⏳ {percent}% — {text}"
# A job that failed three times; nothing about the cause (the log has it, redacted).
JOB_FAILED = (
    "Xin lỗi thầy/cô, bot chưa làm xong yêu cầu này do trục trặc kỹ thuật. "
    "Thầy/cô vui lòng thử lại sau ít phút."
)
# (end of H5's section)

# Commendation nominations (seed 003: “danh sách đề nghị khen thưởng tập thể, cá nhân”), the
# optional step after the narrative questions (handlers/nominations.py).
NOMINATIONS_NONE = Choice("none", "Không có")
NOMINATIONS_DONE = Choice("done", "Xong")
NOMINATION_COLLECTIVE = Choice("collective", "Tập thể")
NOMINATION_INDIVIDUAL = Choice("individual", "Cá nhân")
NOMINATION_KINDS = {"collective": "tập thể", "individual": "cá nhân"}
ASK_NOMINATIONS = (
    "Đề nghị khen thưởng: đơn vị có đề nghị khen thưởng tập thể, cá nhân nào không?\n"
    "Mỗi tin nhắn một đề nghị: tên - tập thể hay cá nhân - một dòng thành tích, ví dụ:\n"
    "Nguyễn Văn A - cá nhân - tổ chức 5 lớp tin học cho người cao tuổi\n"
    "Tổ Ngữ văn - tập thể - tổ chức ngày hội đọc sách\n"
    "Nếu không có, thầy/cô chọn “Không có”."
)
NOMINATIONS_LIST = "Danh sách đề nghị khen thưởng ({count}/{max}):\n{lines}"
NOMINATION_LINE = "{number}. {name} ({kind}): {achievement}"
NOMINATIONS_NEXT = (
    "Gửi đề nghị tiếp theo (mỗi tin nhắn một đề nghị), “xóa {last}” để bỏ đề nghị số {last}, "
    "hoặc chọn “Xong” khi đã đủ."
)
NOMINATIONS_NEXT_FULL = (
    "Đã đủ {max} đề nghị. Gửi “xóa {last}” để bỏ đề nghị số {last}, hoặc chọn “Xong”."
)
NOMINATION_SAVED = "Đã lưu đề nghị số {number}: {name} ({kind})."
NOMINATION_REMOVED = "Đã xóa đề nghị số {number}: {name}."
NOMINATIONS_CLEARED = "Đã xóa cả {count} đề nghị."
NOMINATION_ASK_KIND = "“{name}” là tập thể hay cá nhân? Thầy/cô chọn một ý."
NOMINATION_KIND_DROPPED = "Chưa lưu đề nghị “{name}” vì chưa rõ là tập thể hay cá nhân."
NOMINATION_UNREAD = (
    "Chưa rõ đề nghị. Thầy/cô gửi tên, tập thể hay cá nhân, và một dòng thành tích, "
    "cách nhau bằng dấu gạch ngang, ví dụ:\n"
    "Nguyễn Văn A - cá nhân - tổ chức 5 lớp tin học cho người cao tuổi"
)
NOMINATION_NO_NAME = (
    "Tên người hoặc tập thể được đề nghị cần có chữ, ví dụ: Tổ Ngữ văn - tập thể - "
    "tổ chức ngày hội đọc sách."
)
NOMINATION_NAME_TOO_LONG = (
    "Tên được đề nghị dài {length} ký tự, quá {limit} ký tự. Thầy/cô gửi lại với tên ngắn hơn."
)
NOMINATION_ACHIEVEMENT_TOO_LONG = (
    "Thành tích dài {length} ký tự, quá {limit} ký tự. "
    "Thầy/cô viết gọn lại trong một dòng rồi gửi lại."
)
NOMINATION_TWICE = "“{name}” đã có trong danh sách (đề nghị số {number}); chưa lưu thêm."
NOMINATIONS_FULL = (
    "Danh sách đã đủ {max} đề nghị, không thêm được nữa. "
    "Thầy/cô gửi “xóa 2” để bỏ một đề nghị, hoặc chọn “Xong”."
)
NOMINATION_NO_SUCH = "Không có đề nghị số {number}; danh sách có {count} đề nghị."
NOMINATIONS_EMPTY = "Danh sách đề nghị khen thưởng đang trống, không có gì để xóa."
REVIEW_NOMINATIONS = "Đề nghị khen thưởng: {count}"
REVIEW_NOMINATIONS_NONE = "Đề nghị khen thưởng: không có"
REVIEW_NOMINATIONS_MISSING = "Đề nghị khen thưởng: chưa trả lời"
REVIEW_NOMINATIONS_EDIT = "Muốn sửa danh sách đề nghị khen thưởng, gửi “sửa khen thưởng”."
CLI_REPORT_NOMINATION = "đề nghị khen thưởng {line}"
RECEIPT_NOMINATIONS = "Đề nghị khen thưởng gửi kèm ({count}):\n{lines}"

# ---------------------------------------------------------------------------------------------
# H1: the command table, roles over a subtree, the admin commands (handlers/commands.py,
# handlers/roles.py, handlers/admin.py).
# Someone without the role asked for an admin command: nothing else happens.
ADMIN_ONLY = (
    "Lệnh này dành cho cán bộ quản trị đơn vị. Thầy/cô cần quyền quản trị thì vui lòng "
    "liên hệ cấp trên để nhận mã mời quản trị."
)
# /help for an admin: the admin commands after the usual help.
ADMIN_HELP_TITLE = "Lệnh quản trị (trong phạm vi đơn vị thầy/cô quản lý):"
ADMIN_HELP_STATUS = "• /status [MÃ_ĐƠN_VỊ]: tình hình nộp báo cáo, kèm biểu đồ"
ADMIN_HELP_EXPORT = "• /export [MÃ_ĐƠN_VỊ] [NĂM]: xuất báo cáo tổng hợp (Excel, Word, minh chứng)"
ADMIN_HELP_INVITE = "• /invite MÃ_ĐƠN_VỊ [admin]: tạo mã mời người báo cáo (hoặc quản trị)"
ADMIN_HELP_REVOKE = "• /revoke MÃ_ĐƠN_VỊ [SỐ]: xem và thu hồi thành viên, mã mời của đơn vị"
ADMIN_HELP_REOPEN = "• /reopen MÃ_ĐƠN_VỊ nội dung cần sửa: trả báo cáo đã gửi về đơn vị để sửa"
# The same words for a unit that does not exist and one outside the admin's subtree.
ADMIN_NO_SUCH_UNIT = "Không có đơn vị mã “{code}” trong phạm vi thầy/cô quản lý."
# A superadmin over several trees names one of them: the codes of the top units.
ADMIN_NAME_A_UNIT = (
    "Thầy/cô vui lòng ghi mã đơn vị sau lệnh, ví dụ: /status {example}. "
    "Các đơn vị cấp cao nhất: {codes}."
)
ADMIN_NO_UNITS = "Chưa có đơn vị nào trên hệ thống; người quản trị máy chủ thêm bằng tuanle units."
ADMIN_NO_NAME = "(chưa có tên)"
# /status: the totals, a line per child unit, then the units still missing.
ADMIN_STATUS_USAGE = "Cách dùng: /status hoặc /status MÃ_ĐƠN_VỊ"
STATUS_TITLE = "TÌNH HÌNH BÁO CÁO — {unit}, Tuần lễ {year}"
STATUS_TOTAL = (
    "Đã gửi {submitted}/{total} đơn vị · đang làm {in_progress} · chưa bắt đầu {not_started}"
)
STATUS_OWN = "• {unit} (báo cáo của chính đơn vị): {state}"
STATUS_CHILD = (
    "• {unit}: đã gửi {submitted}/{total} · đang làm {in_progress} · chưa bắt đầu {not_started}"
)
STATUS_STATES = {
    "submitted": "đã gửi",
    "in_progress": "đang làm",
    "not_started": "chưa bắt đầu",
}
STATUS_MORE = "… và {count} đơn vị khác."
STATUS_ALL_IN = "Tất cả đơn vị đã gửi báo cáo."
STATUS_MISSING_TITLE = "Chưa gửi báo cáo ({count} đơn vị):"
STATUS_MISSING = "• {unit} ({code}) — {state}; liên hệ: {contact}; hạn: {deadline}"
STATUS_DEADLINE = "trước {date}"
STATUS_NO_CONTACT = "chưa có"
STATUS_NO_DEADLINE = "chưa quy định"
STATUS_CHART_COMING = "Biểu đồ tiến độ sẽ được gửi ngay sau tin nhắn này."
# /export: the files are made by a job and sent in the chat.
ADMIN_EXPORT_USAGE = "Cách dùng: /export, /export NĂM hoặc /export MÃ_ĐƠN_VỊ NĂM"
ADMIN_EXPORT_NO_YEAR = "Chưa có dữ liệu báo cáo năm {year} trên hệ thống."
ADMIN_EXPORT_QUEUED = (
    "Đang chuẩn bị báo cáo tổng hợp của “{unit}” năm {year}; thầy/cô sẽ nhận tệp trong chat "
    "này sau ít phút."
)
ADMIN_EXPORT_PENDING = (
    "Báo cáo tổng hợp của “{unit}” năm {year} đang được chuẩn bị; thầy/cô sẽ nhận tệp trong "
    "chat này, không cần yêu cầu lại."
)
# /invite: the code is shown once.
ADMIN_INVITE_USAGE = (
    "Cách dùng: /invite MÃ_ĐƠN_VỊ (mã mời người báo cáo) hoặc /invite MÃ_ĐƠN_VỊ admin "
    "(mã mời quản trị)."
)
ADMIN_INVITE_MADE = (
    "Mã mời {role} cho đơn vị “{unit}”:\n{code}\n"
    "Hiệu lực đến {expires}, dùng được cho tối đa {uses} người.\n"
    "Người được mời gửi mã này cho bot để bắt đầu. Mã chỉ hiện một lần; thầy/cô vui lòng "
    "chuyển ngay cho người được mời."
)
# /revoke: the unit's members and open invites, numbered, then one of them revoked.
ADMIN_REVOKE_USAGE = (
    "Cách dùng: /revoke MÃ_ĐƠN_VỊ để xem danh sách, /revoke MÃ_ĐƠN_VỊ SỐ để thu hồi."
)
ADMIN_REVOKE_TITLE = "Thành viên và mã mời còn hiệu lực của “{unit}” ({code}):"
ADMIN_REVOKE_MEMBER_LINE = "{number}. {name} — {role} ({platform})"
ADMIN_REVOKE_INVITE_LINE = "{number}. Mã mời {role} — đã dùng {uses}/{max_uses}, hết hạn {expires}"
ADMIN_REVOKE_HOW = "Để thu hồi, gửi: /revoke {code} SỐ"
ADMIN_REVOKE_NOTHING = "Đơn vị “{unit}” chưa có thành viên hay mã mời nào còn hiệu lực."
ADMIN_REVOKE_NO_NUMBER = "Không có số {number} trong danh sách. Gửi /revoke {unit} để xem lại."
ADMIN_REVOKE_SELF = (
    "Thầy/cô không thể tự thu hồi quyền của chính mình. Nếu cần, vui lòng nhờ cấp trên "
    "hoặc người quản trị hệ thống."
)
ADMIN_REVOKED_MEMBER = "Đã thu hồi quyền của {name} tại đơn vị “{unit}”."
ADMIN_REVOKED_INVITE = "Đã thu hồi mã mời của đơn vị “{unit}”; mã này không dùng được nữa."
ADMIN_MEMBERSHIP_ENDED = (
    "Quyền báo cáo của thầy/cô cho đơn vị “{unit}” đã được cấp trên thu hồi. Nếu cần tham gia "
    "lại, thầy/cô vui lòng xin mã mời mới."
)
# /reopen: the report goes back to its unit with what to change.
ADMIN_REOPEN_USAGE = (
    "Cách dùng: /reopen MÃ_ĐƠN_VỊ nội dung cần sửa, ví dụ: /reopen THCS-01 Mục 1.3 thiếu số người."
)
ADMIN_REOPEN_NOT_SUBMITTED = (
    "Báo cáo của “{unit}” chưa được gửi (hoặc đang được sửa) nên không cần mở lại."
)
ADMIN_REOPENED = (
    "Đã mở lại báo cáo của “{unit}” để sửa và báo cho {told} người báo cáo. Thầy/cô sẽ được "
    "báo khi đơn vị gửi lại."
)
REOPENED_BY_ADMIN = (
    "Cấp trên đã mở lại báo cáo của đơn vị “{unit}” để sửa.\nNội dung cần sửa: {note}\n"
    "Thầy/cô gửi “sửa báo cáo” để xem và sửa, rồi gửi lại báo cáo."
)
RESUBMITTED_AFTER_REOPEN = (
    "Đơn vị “{unit}” đã gửi lại báo cáo (số tiếp nhận {reference}) lúc {when}.\n"
    "Nội dung đã yêu cầu sửa: {note}"
)
# /nop_tong_hop: an area's admin signs off its roll-up and sends it upward.
ADMIN_HELP_SIGN_OFF = (
    "• /nop_tong_hop [ghi chú]: chốt số liệu tổng hợp của đơn vị và gửi lên cấp trên"
)
ROLLUP_NO_PARENT = "Đơn vị của thầy/cô là cấp cao nhất trên hệ thống nên không có cấp trên để gửi."
ROLLUP_NOTHING_SUBMITTED = (
    "Chưa có báo cáo nào của “{unit}” và các đơn vị trực thuộc được gửi, nên chưa có số liệu "
    "để chốt."
)
ROLLUP_SIGNED = (
    "Đã chốt số liệu tổng hợp của “{unit}” (lần {revision}, gồm {count} báo cáo đã gửi) và "
    "gửi lên “{parent}”. Còn {missing} đơn vị chưa gửi; khi có thêm, thầy/cô có thể chốt lại."
)
ROLLUP_RECEIVED = (
    "“{unit}” đã chốt và gửi số liệu tổng hợp (lần {revision}, gồm {count} báo cáo) lúc "
    "{when}. Thầy/cô xem trong /export."
)
ROLLUP_NOTE = "Ghi chú: {note}"
# ``tuanle invite --role admin`` (hours by default) and ``tuanle reports reopen --note``.
CLI_INVITE_MADE_HOURS = "({unit}; vai trò {role}; hiệu lực {hours} giờ; tối đa {uses} người)"
CLI_META_NOTE = "GHI_CHÚ"
CLI_REOPEN_NOTE = "nội dung cần sửa, gửi kèm cho người báo cáo của đơn vị"
REOPEN_NO_NOTE = "(cấp trên không ghi chú; thầy/cô vui lòng liên hệ cấp trên nếu cần)"
# An admin who has just joined: the admin commands, then their own unit's report as usual.
ADMIN_JOINED = (
    "Thầy/cô có quyền quản trị “{unit}” và các đơn vị trực thuộc: gửi /status để xem tình hình "
    "nộp báo cáo, /help để xem mọi lệnh quản trị. Báo cáo của chính đơn vị thầy/cô nhập ngay "
    "dưới đây."
)
# /status: a child unit whose admin signed off its roll-up.
STATUS_SIGNED = " · đã chốt số liệu lần {revision}"
# ``tuanle revoke UNIT [N]``: the list /revoke shows, then one of them revoked.
CLI_REVOKE = "xem và thu hồi thành viên, mã mời của một đơn vị"
CLI_REVOKE_NUMBER = "số thứ tự trong danh sách cần thu hồi (bỏ trống để xem danh sách)"
CLI_REVOKE_HOW = "Để thu hồi: tuanle revoke {code} SỐ"

# ---------------------------------------------------------------------------------------------
# H7: the campaign calendar (bot/domain/calendar.py, handlers/missing.py, bot/calendar_view.py).
# [reminders] in the settings.
CONFIG_BAD_CLOCK = 'phải là giờ:phút, ví dụ "07:30" (không phải {value!r})'
CONFIG_BAD_REMINDER_DAYS = "phải là các số ngày khác nhau, từ 0 đến 30, ví dụ [3, 1, 0]"
CONFIG_REMINDER_HOURS = (
    "giờ gửi (morning, evening, opening_morning) phải nằm ngoài giờ yên lặng {start}–{end}, "
    "và opening_late_until phải sau opening_morning"
)
# What a report still lacks, in a deadline reminder.
MISSING_LINE = "còn thiếu: {parts}"
MISSING_PHOTOS = "{count} ảnh minh chứng"
MISSING_SECTION = "mục {code}"
MISSING_NOT_STARTED = "chưa nhập mục nào"
MISSING_ONLY_SEND = "đã nhập đủ, chỉ còn gửi báo cáo"
# ``tuanle calendar show``.
CLI_CALENDAR = "lịch nhắc việc của đợt hưởng ứng"
CLI_CALENDAR_SHOW = "in lịch nhắc việc, từng đơn vị, theo giờ Việt Nam"
CLI_CALENDAR_YEAR = "năm của đợt hưởng ứng (mặc định: năm đang chạy)"
CLI_CALENDAR_UNIT = "chỉ đơn vị này và các đơn vị trực thuộc"
# ``tuanle calendar remind`` and ``announce``: /remind and /announce from the command line.
CLI_CALENDAR_REMIND = "nhắc ngay các đơn vị chưa gửi báo cáo, như /remind (hỏi trước khi gửi)"
CLI_CALENDAR_ANNOUNCE = "gửi thông báo tới mọi thành viên, như /announce (hỏi trước khi gửi)"
CLI_CALENDAR_AREA = "đơn vị (cùng các đơn vị trực thuộc) nhận tin; mặc định: đơn vị cấp cao nhất"
CLI_CALENDAR_TEXT = "nội dung thông báo (đặt trong dấu ngoặc kép)"
CLI_CALENDAR_YES = "gửi luôn, không hỏi lại"
CLI_META_TEXT = "NỘI_DUNG"
CLI_CALENDAR_EXAMPLE = "Ví dụ một tin sẽ gửi:"
CLI_CALENDAR_ASK = "Gửi ngay? [y/N] "
CLI_CALENDAR_NOT_SENT = "Chưa gửi gì."
CLI_CALENDAR_NEEDS_YES = "chưa gửi gì: không có ai để hỏi xác nhận, thêm --yes để gửi"
CLI_CALENDAR_NO_TEXT = "nội dung thông báo trống"
CLI_CALENDAR_NAME_A_UNIT = (
    "có nhiều đơn vị cấp cao nhất ({codes}): ghi mã đơn vị, ví dụ tuanle calendar {command} "
    "MÃ_ĐƠN_VỊ (với announce: --unit MÃ_ĐƠN_VỊ)"
)
CLI_CALENDAR_QUEUED = (
    "Các tin đã vào hàng gửi: tuanle run đang chạy sẽ gửi đi (nếu chưa chạy, gửi khi khởi động)."
)
CALENDAR_HEAD = (
    "Lịch nhắc việc — Tuần lễ hưởng ứng học tập suốt đời năm {year}\n"
    "Chủ đề: {theme}\n"
    "Tuần lễ: {start} – {end}; khai mạc: {opening}. Giờ gửi theo giờ Việt Nam ({zone})."
)
CALENDAR_DEADLINE = "Hạn báo cáo của {level}: trước ngày {before} (gửi {to})"
CALENDAR_NO_DEADLINE = "Kế hoạch năm {year} không đặt hạn báo cáo: không có nhắc hạn."
CALENDAR_NO_UNITS = "Chưa có đơn vị nào. Thêm bằng: tuanle units add hoặc tuanle units import."
CALENDAR_UNIT = "{code} — {name} ({kind}): {status}"
CALENDAR_OWN_OPENING = "khai mạc riêng ngày {day}"
CALENDAR_STATUS = {
    "submitted": "đã gửi báo cáo",
    "signed": "đã chốt số liệu tổng hợp",
    "in_progress": "đang nhập",
    "not_started": "chưa bắt đầu",
}
CALENDAR_LINE = "  {when}  {what} → {who}{notes}"
CALENDAR_WHEN = "{weekday} {moment:%d/%m/%Y %H:%M}"
CALENDAR_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
CALENDAR_KINDS = {
    "announce": "Thông báo chủ đề, thời gian Tuần lễ, ngày khai mạc và hạn báo cáo",
    "opening_eve": "Nhắc trước lễ khai mạc ngày {event}",
    "opening_day": "Nhắc sáng ngày khai mạc ({event})",
    "report_open": "Tuần lễ kết thúc: mời nhập báo cáo",
    "deadline": "Nhắc hạn báo cáo: còn {days} ngày (hạn chót {event}), kèm phần còn thiếu",
    "deadline_day": "Nhắc hạn báo cáo: hôm nay là ngày cuối ({event}), kèm phần còn thiếu",
    "area_deadline": "Nhắc hạn báo cáo tổng hợp: còn {days} ngày (hạn chót {event})",
    "area_deadline_day": "Nhắc hạn báo cáo tổng hợp: hôm nay là ngày cuối ({event})",
    "missing_to_admins": "Danh sách đơn vị chưa gửi báo cáo (hạn trước ngày {event})",
}
CALENDAR_TO_EVERYONE = "mọi thành viên"
CALENDAR_TO_ADMINS = "quản trị đơn vị"
CALENDAR_ONLY_MISSING = "nếu chưa gửi"
CALENDAR_MOVED = "dời từ Chủ nhật {day}"
CALENDAR_ABOUT = "{count} đơn vị: {codes}"
CALENDAR_NOTES = " ({notes})"
CALENDAR_LEVELS = {
    "school": "trường học, trung tâm",
    "commune": "xã, phường",
    "district": "huyện",
    "province": "tỉnh, thành phố",
}
# (end of H7's section)

# ---------------------------------------------------------------------------------------------
# H6: the /status chart, the export bundle and ``tuanle export`` (bot/charts.py, bot/export/).
# The chart's words (bot.charts.ChartWords); DejaVu Sans draws every Vietnamese letter.
CHART_WORDS = {
    "title": "{name} — Tuần lễ {year}: đã nộp {submitted}/{total} đơn vị",
    "progress_title": "Tiến độ theo đơn vị",
    "timeline_title": "Số báo cáo đã nộp theo ngày",
    "submitted": "Đã nộp",
    "in_progress": "Đang làm",
    "not_started": "Chưa bắt đầu",
    "others": "Các đơn vị khác ({count})",
    "own_report": "{name} (tự báo cáo)",
    "today": "Hôm nay",
    "all_units": "Tổng số đơn vị: {count}",
    "deadline": "Hạn nộp: trước {day}",
}
# The export's steps (bot.export.bundle.Step), said as progress in the chat and on the terminal.
EXPORT_STEPS = {
    "loading": "đang đọc số liệu các đơn vị",
    "table": "đang lập bảng tổng hợp (Excel)",
    "draft": "đang soạn dự thảo báo cáo (Word)",
    "detail": "đang ghi số liệu chi tiết (CSV)",
    "evidence": "đang đóng gói minh chứng: {done}/{total} tệp",
}
# Said with the exported files (in the chat and at the end of ``tuanle export``).
EXPORT_SUMMARY = (
    "Đã nộp {submitted}/{units} đơn vị; {evidence} tệp minh chứng; "
    "{nominations} đề nghị khen thưởng."
)
# With the /status picture (a photo's caption: short).
CHART_CAPTION = "Tiến độ báo cáo của {name}, cập nhật {time:%H:%M} ngày {time:%d/%m/%Y}."
# With the exported files in the chat.
EXPORT_DONE = (
    "Báo cáo tổng hợp năm {year} của {name}:\n"
    "• Bảng tổng hợp số liệu theo mẫu (Excel)\n"
    "• Dự thảo báo cáo (Word), thầy/cô sửa rồi ký\n"
    "• Số liệu chi tiết (CSV)\n"
    "• Minh chứng của các đơn vị (ZIP)\n"
    "{summary}"
)
# ``tuanle export UNIT [--year NĂM] [--out THƯ_MỤC]``.
CLI_EXPORT = (
    "xuất báo cáo tổng hợp của một đơn vị và mọi đơn vị trực thuộc: bảng Excel theo mẫu, "
    "dự thảo báo cáo Word, số liệu CSV, minh chứng ZIP"
)
CLI_EXPORT_YEAR = "năm của đợt báo cáo (mặc định: năm đang chạy)"
CLI_EXPORT_OUT = "thư mục lưu các tệp (mặc định: ./exports)"
CLI_META_YEAR = "NĂM"
CLI_META_DIR = "THƯ_MỤC"
CLI_EXPORT_PROGRESS = "{percent:3d}% {text}"
CLI_EXPORT_CANNOT_WRITE = "không ghi được các tệp vào {path}: {reason}"
# Why, by the system's error name; another one is said as the system said it.
CLI_EXPORT_REASONS = {
    "EEXIST": "đã có một tệp cùng tên, không phải thư mục",
    "ENOTDIR": "một phần của đường dẫn là tệp, không phải thư mục",
    "EACCES": "không có quyền ghi",
    "EPERM": "không có quyền ghi",
    "EROFS": "ổ đĩa chỉ cho đọc",
    "ENOSPC": "ổ đĩa đã đầy",
}

# ---------------------------------------------------------------------------------------------
# The campaign calendar, part 2: the reminders as sent (bot/engine/reminders.py), the admins'
# /calendar, /remind and /announce (handlers/calendar_admin.py).

REMIND_ANNOUNCE = (
    "Kính gửi thầy/cô của {unit}: Tuần lễ hưởng ứng học tập suốt đời năm {year} diễn ra từ "
    "{start} đến {end}, chủ đề «{theme}».\n"
    "Lễ khai mạc của đơn vị: ngày {opening}. Hạn gửi báo cáo: {deadline}.\n"
    "Thầy/cô nhớ chụp vài ảnh các hoạt động để làm minh chứng."
)
REMIND_OPENING_EVE = (
    "Nhắc thầy/cô: ngày mai ({opening}) là lễ khai mạc Tuần lễ hưởng ứng học tập suốt đời "
    "tại {unit}. Thầy/cô nhớ chụp ảnh buổi lễ làm minh chứng cho báo cáo."
)
REMIND_OPENING_DAY = (
    "Hôm nay ({opening}) là lễ khai mạc Tuần lễ hưởng ứng học tập suốt đời tại {unit}. "
    "Chúc buổi lễ thành công; ảnh minh chứng thầy/cô gửi vào đây sau buổi lễ."
)
REMIND_REPORT_OPEN = (
    "Tuần lễ hưởng ứng học tập suốt đời đã kết thúc. Thầy/cô có thể nhập báo cáo của {unit} "
    "ngay bây giờ (hạn: {deadline}). Gõ «tiếp tục» để bắt đầu."
)
REMIND_DEADLINE = (
    "Nhắc thầy/cô: còn {days} ngày đến hạn gửi báo cáo của {unit} ({deadline}).\n"
    "Báo cáo {missing}.\nGõ «tiếp tục» để làm tiếp từ chỗ đã dừng."
)
REMIND_DEADLINE_DAY = (
    "Hôm nay là ngày cuối gửi báo cáo của {unit} ({deadline}).\n"
    "Báo cáo {missing}.\nGõ «tiếp tục» để làm tiếp từ chỗ đã dừng."
)
REMIND_AREA_DEADLINE = (
    "Nhắc thầy/cô quản trị: còn {days} ngày đến hạn {unit} gửi báo cáo tổng hợp "
    "({deadline}). Đã có {done}/{total} đơn vị trực thuộc gửi báo cáo.\n"
    "Gõ /status để xem, /nop_tong_hop để gửi báo cáo tổng hợp."
)
REMIND_AREA_DEADLINE_DAY = (
    "Hôm nay là ngày cuối {unit} gửi báo cáo tổng hợp ({deadline}). Đã có {done}/{total} "
    "đơn vị trực thuộc gửi báo cáo.\nGõ /status để xem, /nop_tong_hop để gửi báo cáo tổng hợp."
)
REMIND_MISSING_TO_ADMINS = (
    "Kính gửi thầy/cô quản trị {unit}: đã hết hạn ({deadline}), còn {count} đơn vị "
    "chưa gửi báo cáo:\n{lines}\nGõ /remind để nhắc các đơn vị này."
)
REMIND_MISSING_UNIT = "• {code} — {name}{contact}"
REMIND_CONTACT = " (liên hệ: {contact})"
REMIND_MISSING_MORE = "• … và {count} đơn vị khác (gõ /status để xem đủ)"
REMIND_BEFORE = "trước ngày {before}"
REMIND_NO_DEADLINE = "chưa quy định"
# /calendar: the plan over the admin's area, with what became of each reminder.
CAL_TITLE = "Lịch nhắc việc của {unit}, năm {year} (giờ Việt Nam):"
CAL_LINE = "• {when} — {what}: {units} đơn vị; {state}"
CAL_WAITING = "chưa đến giờ"
CAL_NOT_SENT = "chưa gửi"
CAL_SENT = "đã gửi {count} người"
CAL_SKIPPED = "{count} người đã chặn bot (bỏ qua)"
CAL_DROPPED = "{count} người không gửi vì đã quá giờ"
CAL_FAILED = "{count} tin gửi lỗi"
CAL_EMPTY = "Không còn lời nhắc nào trong kế hoạch của {unit}."
CAL_NO_HOME = (
    "Thầy/cô chưa gắn với đơn vị nào: lệnh này dùng cho đơn vị của thầy/cô. "
    "Với /calendar, thầy/cô có thể ghi mã đơn vị, ví dụ: /calendar {example}"
)
# /remind: now, to the units of the area whose report is not sent.
REMIND_NOW = (
    "Nhắc từ quản trị {area}: báo cáo của {unit} chưa gửi (hạn: {deadline}).\n"
    "Báo cáo {missing}.\nGõ «tiếp tục» để làm tiếp từ chỗ đã dừng."
)
REMIND_COUNTS = (
    "Sẽ nhắc {units} đơn vị chưa gửi báo cáo thuộc {area}: {people} người nhận.{skipped}"
)
REMIND_CONFIRM = "{counts}\nGõ «{command}» để gửi."
REMIND_YES = "/remind có"
REMIND_YES_UNIT = "/remind {code} có"
REMIND_UNREACHABLE = " {count} người đã chặn bot nên không nhận được."
REMIND_NOBODY = (
    "Không có ai để nhắc: các đơn vị thuộc {area} đã gửi báo cáo hoặc chưa có ai tham gia."
)
REMIND_SENT = "Đã gửi lời nhắc tới {people} người của {units} đơn vị."
# /announce TEXT: to every member of the area.
ANNOUNCE_USAGE = (
    "Gõ /announce NỘI DUNG để soạn thông báo cho mọi thành viên thuộc đơn vị của thầy/cô, "
    "hoặc /announce MÃ_ĐƠN_VỊ: NỘI DUNG cho riêng một đơn vị trực thuộc; "
    "bot cho biết số người nhận trước khi gửi."
)
ANNOUNCE_COUNTS = (
    "Thông báo sau sẽ gửi tới {people} người thuộc {units} đơn vị của {area}.{skipped}"
)
ANNOUNCE_CONFIRM = "{counts}\n\n{text}\n\nGõ «/announce có» để gửi."
ANNOUNCE_NOTHING = "Chưa có thông báo nào chờ gửi. Gõ /announce NỘI DUNG để soạn."
ANNOUNCE_FROM = "Thông báo từ {area}:\n{text}"
ANNOUNCE_SENT = "Đã gửi thông báo tới {people} người."
ANNOUNCE_NOBODY = "Chưa có ai tham gia trong các đơn vị thuộc {area}: không có ai để gửi."
ADMIN_HELP_CALENDAR = (
    "• /calendar [MÃ_ĐƠN_VỊ]: lịch nhắc việc, đã gửi cho bao nhiêu người, lỗi hoặc bỏ qua"
)
ADMIN_HELP_REMIND = (
    "• /remind [MÃ_ĐƠN_VỊ]: nhắc ngay các đơn vị chưa gửi báo cáo (báo số người nhận trước)"
)
ADMIN_HELP_ANNOUNCE = (
    "• /announce [MÃ_ĐƠN_VỊ:] NỘI DUNG: gửi thông báo tới mọi thành viên (báo số người nhận trước)"
)
# ``tuanle calendar simulate``: the calendar on a fast clock, against the real platforms.
CLI_CALENDAR_SIMULATE = (
    "chạy thử lịch nhắc với đồng hồ chạy nhanh, gửi thật qua các nền tảng đã cấu hình "
    "(dừng tuanle run trước)"
)
CLI_SIM_FROM = "ngày bắt đầu (DD/MM/YYYY hoặc YYYY-MM-DD)"
CLI_SIM_TO = "ngày kết thúc (tính cả ngày này)"
CLI_SIM_SPEED = "đồng hồ nhanh gấp bao nhiêu lần (mặc định 3600: một giờ mỗi giây)"
CLI_META_DATE = "NGÀY"
CLI_META_SPEED = "N"
SIM_BAD_DATE = "ngày không hợp lệ: {value} (viết DD/MM/YYYY hoặc YYYY-MM-DD)"
SIM_BAD_SPEED = "tốc độ phải là số dương: {value}"
SIM_BAD_RANGE = "ngày kết thúc phải sau hoặc bằng ngày bắt đầu"
SIM_START = (
    "Chạy thử lịch nhắc từ {first:%d/%m/%Y} đến hết {last:%d/%m/%Y}, nhanh gấp {speed:g} lần."
)
SIM_DAY = (
    "{day:%d/%m/%Y}: tổng cộng đã xếp gửi {queued}, bỏ qua {skipped} (chặn bot), "
    "bỏ vì quá giờ {dropped}, gửi lỗi {failed}"
)
