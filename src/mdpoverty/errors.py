"""Exceptions for broken program inputs, and the catalogue of data checks.

Exceptions are for what stops the whole run (an unreadable file, a bad standard file, a bad
option). Problems in the data are never raised: validation collects them as rows of the issue
table, each with a stable ``check`` id from :data:`CHECKS` and a message in Vietnamese and
English that speaks to the person fixing the cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

# "info" records what the reader did (a layout row skipped): never blocks, never changes the
# exit code, nothing to fix.
Severity = Literal["error", "warning", "info"]


class MdpovertyError(Exception):
    """An input that stops the run. Carries one clear line in English and Vietnamese."""

    exit_code = 2

    def __init__(self, message: str, message_vi: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi or message

    def text(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message


class InputFileError(MdpovertyError):
    """A survey file that cannot be read at all (missing, not a workbook, corrupt, locked)."""


class StandardError(MdpovertyError):
    """A standard file that cannot be loaded, naming the file and the key at fault."""


class UsageError(MdpovertyError):
    """Options that do not fit together."""


@dataclass(frozen=True)
class Text:
    """A message fragment in both languages (or, for an issue per row, one per row)."""

    vi: Any
    en: Any

    def get(self, lang: str) -> Any:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity
    en: str
    vi: str
    fix_en: str
    fix_vi: str


def _c(id: str, severity: Severity, en: str, vi: str, fix_en: str, fix_vi: str) -> Check:
    return Check(id, severity, en, vi, fix_en, fix_vi)


# Message templates may use {value}, {expected} and {detail}.
CHECKS: dict[str, Check] = {
    c.id: c
    for c in [
        _c(
            "missing_sheet",
            "error",
            "sheet '{expected}' not found (sheets: {detail})",
            "không tìm thấy trang '{expected}' (các trang: {detail})",
            "Name the sheet 'Hộ gia đình' (households) or 'Thành viên' (members).",
            "Đặt tên trang là 'Hộ gia đình' hoặc 'Thành viên'.",
        ),
        _c(
            "missing_column",
            "error",
            "required column '{expected}' is missing",
            "thiếu cột bắt buộc '{expected}'",
            "Add the column with this header (English code or Vietnamese label).",
            "Thêm cột với tiêu đề này (mã tiếng Anh hoặc nhãn tiếng Việt).",
        ),
        _c(
            "unknown_column",
            "warning",
            "unknown column '{value}' is ignored{detail}",
            "cột '{value}' không xác định, bị bỏ qua{detail}",
            "Rename the header to a known column, or delete the column.",
            "Sửa tiêu đề cho đúng tên cột, hoặc xoá cột.",
        ),
        _c(
            "duplicate_column",
            "warning",
            "column '{value}' repeats '{expected}' without contradicting it; read once",
            "cột '{value}' trùng với '{expected}' và không mâu thuẫn; chỉ đọc một lần",
            "Delete the repeated column.",
            "Xoá cột bị trùng.",
        ),
        _c(
            "required",
            "error",
            "a value is required here ({expected})",
            "ô này bắt buộc phải có giá trị ({expected})",
            "Fill the cell.",
            "Điền giá trị vào ô.",
        ),
        _c(
            "needed",
            "error",
            "a value is needed to decide indicator '{detail}' ({expected})",
            "cần giá trị để xác định chỉ số '{detail}' ({expected})",
            "Fill the cell, or fill the household's dep_ column with the reviewer's assessment.",
            "Điền ô này, hoặc điền đánh giá của cán bộ rà soát vào cột thiếu hụt tương ứng.",
        ),
        _c(
            "duplicate_id",
            "error",
            "household ID '{value}' already appears in row {detail}; this row is not used",
            "mã hộ '{value}' đã có ở dòng {detail}; dòng này không được dùng",
            "Give each household its own ID, or delete the repeated row.",
            "Mỗi hộ một mã riêng, hoặc xoá dòng bị lặp.",
        ),
        _c(
            "orphan_member",
            "error",
            "household '{value}' is not in the households sheet (closest IDs there: {detail})",
            "hộ '{value}' không có trong trang hộ gia đình (mã gần nhất ở trang hộ: {detail})",
            "Correct the household ID (one of the closest?), or add the household.",
            "Sửa mã hộ (một trong các mã gần nhất?), hoặc bổ sung hộ vào trang hộ gia đình.",
        ),
        _c(
            "no_members",
            "error",
            "the household has no members, so its indicators cannot be derived",
            "hộ không có thành viên nên không xác định được các chỉ số",
            "Add the members, or fill every dep_ column with the reviewer's assessment.",
            "Bổ sung thành viên, hoặc điền tất cả các cột thiếu hụt.",
        ),
        _c(
            "not_a_number",
            "error",
            "'{value}' is not a number ({expected})",
            "'{value}' không phải là số ({expected})",
            "Type a number, e.g. 1500000, 1.500.000, 1.500.000 đ or 1,5 triệu for money; 31,96 "
            "for an area.",
            "Nhập số, ví dụ 1500000, 1.500.000, 1.500.000 đ hoặc 1,5 triệu cho số tiền; 31,96 "
            "cho diện tích.",
        ),
        _c(
            "not_a_date",
            "error",
            "'{value}' is not a date ({expected})",
            "'{value}' không phải là ngày ({expected})",
            "Type a date as dd/mm/yyyy, or a year.",
            "Nhập ngày dạng dd/mm/yyyy, hoặc năm.",
        ),
        _c(
            "not_yes_no",
            "error",
            "'{value}' is not yes/no; accepted: {expected}",
            "'{value}' không phải là có/không; chấp nhận: {expected}",
            "Type Có or Không (or C/K, 1/0, Đúng/Sai, yes/no; x or ✓ for yes).",
            "Nhập Có hoặc Không (hoặc C/K, 1/0, Đúng/Sai; x hoặc ✓ là có).",
        ),
        _c(
            "unknown_code",
            "error",
            "'{value}' is not a known value; expected one of: {expected}",
            "'{value}' không phải là giá trị hợp lệ; cần một trong: {expected}",
            "Pick one of the listed values (code or Vietnamese label).",
            "Chọn một trong các giá trị đã liệt kê (mã hoặc nhãn tiếng Việt).",
        ),
        _c(
            "unused_value",
            "warning",
            "{detail} — no rule of the standard used reads this column, so the household is "
            "still classed",
            "{detail} — chuẩn đang dùng không đọc cột này nên hộ vẫn được phân loại",
            "Correct the cell (it counts under a standard that reads the column), or leave it.",
            "Sửa ô này (cột được dùng ở chuẩn khác), hoặc để nguyên.",
        ),
        _c(
            "out_of_range",
            "error",
            "'{value}' is out of range ({expected})",
            "'{value}' nằm ngoài khoảng cho phép ({expected})",
            "Correct the value.",
            "Sửa lại giá trị.",
        ),
        _c(
            "birth_after_survey",
            "error",
            "birth date '{value}' is after the survey date {detail}",
            "ngày sinh '{value}' sau ngày rà soát {detail}",
            "Correct the birth date (or the household's survey date).",
            "Sửa ngày sinh (hoặc ngày rà soát của hộ).",
        ),
        _c(
            "no_income",
            "error",
            "no income figure: fill one of {expected}",
            "không có số liệu thu nhập: điền một trong {expected}",
            "Fill the per-capita income, the 12-month total, or the checklist score A.",
            "Điền thu nhập bình quân, tổng thu nhập 12 tháng, hoặc điểm A.",
        ),
        _c(
            "no_score_line",
            "error",
            "the standard '{expected}' has no score equivalent of the line (not published), so "
            "score A alone cannot place the household: fill the income, or supply the score "
            "lines as an [income.score_line] table in the province's standard file",
            "chuẩn '{expected}' không có mức điểm quy đổi (chưa công bố) nên không dùng riêng "
            "điểm A để phân loại hộ được: điền thu nhập, hoặc bổ sung bảng [income.score_line] "
            "vào tệp chuẩn của tỉnh",
            "Fill the income figure; or, where the province has set score equivalents, add an "
            "[income.score_line] table (rural, urban, unit, reference, confidence) to the "
            "province's standard file (mdpoverty standards <standard> --export tinh.toml) and "
            "run with --standard tinh.toml.",
            "Điền thu nhập; hoặc, nếu tỉnh đã quy định mức điểm quy đổi, thêm bảng "
            "[income.score_line] (mức điểm cho nông thôn và thành thị, đơn vị, văn bản quy định, "
            "độ tin cậy) vào tệp chuẩn của tỉnh (mdpoverty standards <chuẩn> --export "
            "tinh.toml) rồi chạy với --standard tinh.toml.",
        ),
        _c(
            "income_disagree",
            "warning",
            "'{value}' disagrees with {detail}; the earlier figure is used",
            "'{value}' không khớp với {detail}; dùng số liệu trước",
            "Check both income figures and keep the right one.",
            "Kiểm tra lại hai số liệu thu nhập và giữ số đúng.",
        ),
        _c(
            "score_b_mismatch",
            "warning",
            "score B '{value}' does not match the {detail} deprivations found "
            "(expected {expected})",
            "điểm B '{value}' không khớp với {detail} chỉ số thiếu hụt (cần {expected})",
            "Check the deprivation flags and the score B.",
            "Kiểm tra lại các chỉ số thiếu hụt và điểm B.",
        ),
        _c(
            "override_differs",
            "warning",
            "reviewer's value '{value}' overrides the derived value ({detail})",
            "đánh giá của cán bộ '{value}' thay cho giá trị tính được ({detail})",
            "Nothing to fix if the reviewer's assessment is right.",
            "Không cần sửa nếu đánh giá của cán bộ là đúng.",
        ),
        _c(
            "average_not_assessed",
            "warning",
            "only score A is given: the household is above the line, but the average band "
            "cannot be assessed",
            "chỉ có điểm A: hộ trên chuẩn nhưng không xác định được hộ có mức sống trung bình",
            "Fill the income figure to assess the average living standard.",
            "Điền thu nhập để xác định hộ có mức sống trung bình.",
        ),
        _c(
            "members_disagree",
            "warning",
            "member count '{value}' disagrees with the {detail} members listed; the list is used",
            "số nhân khẩu '{value}' không khớp với {detail} người trong danh sách; dùng danh sách",
            "Correct the count or the members sheet.",
            "Sửa số nhân khẩu hoặc trang thành viên.",
        ),
        _c(
            "standard_period",
            "warning",
            "survey date {value} belongs to the review round for the lists of {detail}, which "
            "the standard does not set (it sets the lists of {expected})",
            "ngày rà soát {value} thuộc kỳ rà soát cho danh sách năm {detail}, chuẩn này không "
            "áp dụng (chuẩn xác định danh sách các năm {expected})",
            "Check the survey date, or choose the standard of that round with --standard.",
            "Kiểm tra ngày rà soát, hoặc chọn chuẩn của kỳ đó bằng --standard.",
        ),
        _c(
            "other_round",
            "warning",
            "survey date {value} belongs to {detail}, not to the round the survey is classed "
            "for ({expected})",
            "ngày rà soát {value} thuộc {detail}, không thuộc kỳ rà soát dùng để phân loại "
            "({expected})",
            "Check the survey date; a household reviewed in another round belongs in that "
            "round's survey (or set --as-of / --standard knowingly).",
            "Kiểm tra ngày rà soát; hộ được rà soát ở kỳ khác thì đưa vào khảo sát của kỳ đó "
            "(hoặc chủ động chọn --as-of / --standard).",
        ),
        _c(
            "provisional_standard",
            "warning",
            "standard '{value}' is provisional: {expected}",
            "chuẩn '{value}' là tạm thời: {expected}",
            "Check the thresholds file before relying on the results; a province adds the "
            "unpublished values in its own file "
            "(mdpoverty standards <standard> --export tinh.toml).",
            "Kiểm tra tệp chuẩn trước khi dùng kết quả; tỉnh bổ sung các giá trị chưa công bố "
            "trong tệp chuẩn riêng (mdpoverty standards <chuẩn> --export tinh.toml).",
        ),
        _c(
            "no_average_band",
            "warning",
            "standard '{value}' has no average-living-standard band (not published): no "
            "household is classed average; those above the line are not_poor",
            "chuẩn '{value}' không có mức sống trung bình (chưa công bố): không hộ nào được xếp "
            "hộ có mức sống trung bình; hộ trên chuẩn là hộ không nghèo",
            "Where the province has set the band, add an [income.average_upper] table to its "
            "standard file (mdpoverty standards <standard> --export tinh.toml).",
            "Nếu tỉnh đã quy định mức sống trung bình, thêm bảng [income.average_upper] vào tệp "
            "chuẩn của tỉnh (mdpoverty standards <chuẩn> --export tinh.toml).",
        ),
        _c(
            "empty_sheet",
            "warning",
            "the sheet has no data rows",
            "trang không có dòng dữ liệu",
            "Fill the sheet.",
            "Nhập dữ liệu vào trang.",
        ),
        # Files that cannot be read at all: one line naming the file, exit 2 (mdpoverty.read).
        _c(
            "file_not_found",
            "error",
            "the file was not found",
            "không tìm thấy tệp",
            "Check the path and the file name (and that the file has been copied here).",
            "Kiểm tra đường dẫn và tên tệp (và tệp đã được chép vào đây chưa).",
        ),
        _c(
            "file_is_folder",
            "error",
            "a folder was given where a survey file is needed",
            "đưa vào một thư mục thay vì tệp khảo sát",
            "Give the workbook itself (mdpoverty report accepts a folder of workbooks).",
            "Chỉ rõ tệp Excel (lệnh mdpoverty report mới nhận cả thư mục).",
        ),
        _c(
            "file_empty",
            "error",
            "the file is empty",
            "tệp rỗng",
            "The file was cut off when sent or saved: ask for it again.",
            "Tệp bị hỏng khi gửi hoặc lưu: đề nghị gửi lại.",
        ),
        _c(
            "file_unreadable",
            "error",
            "the file cannot be opened or read",
            "không mở hoặc đọc được tệp",
            "Check that the file is not open elsewhere and that you may read it.",
            "Kiểm tra tệp không bị chương trình khác mở và bạn có quyền đọc.",
        ),
        _c(
            "not_a_workbook",
            "error",
            "the file is not an Excel workbook (.xlsx)",
            "tệp không phải là tệp Excel (.xlsx)",
            "Open it in Excel or LibreOffice and save it as .xlsx, or export .csv files.",
            "Mở bằng Excel hoặc LibreOffice rồi lưu dạng .xlsx, hoặc xuất ra tệp .csv.",
        ),
        _c(
            "workbook_locked",
            "error",
            "the workbook is password-protected, or an old .xls renamed",
            "tệp có mật khẩu, hoặc là tệp .xls cũ bị đổi tên",
            "Open it in Excel, remove the password (File > Info), save as .xlsx.",
            "Mở bằng Excel, bỏ mật khẩu (Tệp > Thông tin), lưu lại dạng .xlsx.",
        ),
        _c(
            "workbook_damaged",
            "error",
            "the workbook is damaged and cannot be read",
            "tệp Excel bị hỏng, không đọc được",
            "Open it in Excel (it may offer to repair it) and save it again, or ask for it again.",
            "Mở bằng Excel (có thể Excel đề nghị sửa) rồi lưu lại, hoặc đề nghị gửi lại tệp.",
        ),
        _c(
            "not_utf8",
            "error",
            "the CSV file is not UTF-8 text",
            "tệp CSV không phải văn bản UTF-8",
            "Save it again as 'CSV UTF-8 (Comma delimited)'.",
            "Lưu lại dạng 'CSV UTF-8 (Comma delimited)'.",
        ),
        _c(
            "unsupported_file",
            "error",
            "the file type is not supported",
            "loại tệp không được hỗ trợ",
            "Give an .xlsx workbook, or a households .csv/.parquet with its members file.",
            "Dùng tệp .xlsx, hoặc tệp hộ .csv/.parquet kèm tệp thành viên.",
        ),
        # File-level refusals (mdpoverty.read.safety): the whole file is refused, exit 2.
        _c(
            "zip_bomb",
            "error",
            "refused: {detail}; a zip bomb or a forged workbook, not a file Excel writes",
            "bị từ chối: {detail}; có thể là zip bomb hoặc tệp giả mạo, Excel không tạo ra tệp "
            "như vậy",
            "Do not open the file elsewhere; ask the sender for the survey again, saved from "
            "Excel as .xlsx. A genuine survey this large: split it into smaller workbooks.",
            "Không mở tệp bằng chương trình khác; đề nghị người gửi gửi lại tệp khảo sát, lưu từ "
            "Excel dạng .xlsx. Nếu tệp thật sự lớn như vậy: chia thành nhiều tệp nhỏ hơn.",
        ),
        _c(
            "xml_entity",
            "error",
            "refused: part '{value}' of the workbook {detail} (XML entity expansion), which "
            "Excel never writes",
            "bị từ chối: thành phần '{value}' của tệp {detail} (mở rộng thực thể XML), Excel "
            "không bao giờ ghi như vậy",
            "Ask the sender for the survey again, saved from Excel as .xlsx.",
            "Đề nghị người gửi gửi lại tệp khảo sát, lưu từ Excel dạng .xlsx.",
        ),
        _c(
            "far_cell",
            "error",
            "refused: cell {value} lies far outside the data: {detail}",
            "bị từ chối: ô {value} nằm quá xa vùng dữ liệu: {detail}",
            "In Excel press Ctrl+End to find the last used cell; delete that stray cell (or the "
            "empty rows and columns up to it), save and run again.",
            "Trong Excel nhấn Ctrl+End để tìm ô cuối cùng có dữ liệu; xoá ô thừa đó (hoặc các "
            "dòng, cột trống tới ô đó), lưu lại rồi chạy lại.",
        ),
        # Officers' layout habits (mdpoverty.read.layout) and a column given twice.
        _c(
            "duplicate_column_differs",
            "error",
            "'{value}' differs from '{expected}' in the first column '{detail}'; the household "
            "is not classed from either copy",
            "'{value}' khác với '{expected}' ở cột '{detail}' (cột trùng đầu tiên); hộ không "
            "được phân loại theo cột nào",
            "Keep one copy of the column with the right value, delete the other.",
            "Giữ một cột với giá trị đúng, xoá cột còn lại.",
        ),
        _c(
            "numbered_row",
            "info",
            "row of column numbers under the header, skipped",
            "dòng đánh số cột dưới tiêu đề, bỏ qua",
            "Nothing to fix: the row is not data.",
            "Không cần sửa: dòng này không phải dữ liệu.",
        ),
        _c(
            "repeated_header",
            "info",
            "header row repeated (for printing), skipped",
            "dòng tiêu đề lặp lại (để in), bỏ qua",
            "Nothing to fix: the row is not data.",
            "Không cần sửa: dòng này không phải dữ liệu.",
        ),
        _c(
            "total_row",
            "info",
            "total row '{value}', skipped",
            "dòng tổng cộng '{value}', bỏ qua",
            "Nothing to fix: totals are not households (mdpoverty report computes them).",
            "Không cần sửa: dòng tổng không phải là hộ (lệnh mdpoverty report tự tính tổng).",
        ),
        _c(
            "signature_row",
            "info",
            "signature block under the table ('{value}'), skipped",
            "phần ký tên dưới bảng ('{value}'), bỏ qua",
            "Nothing to fix: the row is not data.",
            "Không cần sửa: dòng này không phải dữ liệu.",
        ),
        _c(
            "no_members_sheet",
            "error",
            "the workbook has no members sheet ('Thành viên'), and its households sheet lacks "
            "the dep_ columns that would replace it",
            "tệp không có trang thành viên ('Thành viên'), và trang hộ thiếu các cột thiếu hụt "
            "để thay thế",
            "Add the members sheet (named 'Thành viên' or 'members'), or give every household "
            "the reviewer's dep_ columns for the member indicators.",
            "Bổ sung trang thành viên (đặt tên 'Thành viên'), hoặc điền các cột thiếu hụt về "
            "thành viên cho mọi hộ.",
        ),
        # Household IDs matched across sheets after folding (mdpoverty.validate.fold_id).
        _c(
            "id_folded",
            "warning",
            "household ID '{value}' matches '{detail}' of the households sheet only when "
            "{expected} are ignored; the member is attached to that household",
            "mã hộ '{value}' chỉ khớp với mã '{detail}' ở trang hộ khi bỏ qua {expected}; thành "
            "viên được gắn với hộ đó",
            "Type the ID exactly as in the households sheet (copy it from there).",
            "Nhập mã hộ đúng như ở trang hộ gia đình (sao chép từ trang đó).",
        ),
        _c(
            "members_unlinked_near",
            "warning",
            "household '{value}' is classed from the members linked to it, but member rows near "
            "it are linked to no household (members sheet, rows {detail})",
            "hộ '{value}' được phân loại theo các thành viên đã gắn với hộ, nhưng có dòng thành "
            "viên gần đó không gắn với hộ nào (trang thành viên, dòng {detail})",
            "If those rows are members of this household, correct their household ID (Mã hộ): "
            "its class may change.",
            "Nếu các dòng đó là thành viên của hộ này, sửa mã hộ của các dòng đó: kết quả phân "
            "loại của hộ có thể thay đổi.",
        ),
    ]
}


def message(check: str, lang: str, **fields: object) -> str:
    c = CHECKS[check]
    template = c.vi if lang == "vi" else c.en
    return template.format(**{"value": "", "expected": "", "detail": "", **fields})
