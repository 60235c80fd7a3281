"""The Vietnamese of every ``--help`` text, keyed by its English (as gettext keys by msgid).

The English stays beside the code it describes; this catalogue gives the Vietnamese that
``mdpoverty … --help`` prints by default. Keys are compared with their whitespace folded, so
re-wrapping the English does not lose its translation; changing its words does, and
``tests/test_lang.py`` then names the text left untranslated. Column names of the CSV/JSON
outputs stay as codes here (``household_id``): they are what scripts read.
"""

from __future__ import annotations

EXIT_VI = (
    "\b\nMã thoát:\n"
    "  0  xong: mọi hộ đều được phân loại\n"
    "  1  lỗi dữ liệu: có hộ chưa phân loại được (xem bảng lỗi)\n"
    "  2  dùng lệnh sai, hoặc tệp đầu vào không đọc được\n"
    "  3  lỗi nội bộ (lỗi của chương trình: xin báo lại)"
)

HELP_VI: dict[str, str] = {
    # the command group
    "Classify Vietnamese households under the multidimensional poverty standard "
    "(rà soát hộ nghèo, hộ cận nghèo) and write the review reports.": (
        "Rà soát hộ nghèo, hộ cận nghèo theo chuẩn nghèo đa chiều và lập các biểu báo cáo "
        "kết quả rà soát."
    ),
    "Show the version and exit.": "In phiên bản rồi thoát.",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    # exit codes
    "\b\nExit codes:\n"
    "  0  done: every household classed\n"
    "  1  data problems: some households not classed (see the issues)\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it)": EXIT_VI,
    "\b\nExit codes:\n"
    "  0  done: every household classed and counted\n"
    "  1  data problems: some households not classed, left out of the counts (see the\n"
    "     not_classed column and the sheet 'Hộ chưa phân loại')\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it), including a report that does not add\n"
    "     up, which is never written": (
        "\b\nMã thoát:\n"
        "  0  xong: mọi hộ đều được phân loại và tổng hợp\n"
        "  1  lỗi dữ liệu: có hộ chưa phân loại được, không tính vào số liệu (xem cột\n"
        "     not_classed và trang 'Hộ chưa phân loại')\n"
        "  2  dùng lệnh sai, hoặc tệp đầu vào không đọc được\n"
        "  3  lỗi nội bộ (lỗi của chương trình: xin báo lại), kể cả báo cáo cộng không\n"
        "     khớp — báo cáo đó không bao giờ được ghi ra"
    ),
    "\b\nExit codes:\n"
    "  0  done: every household in the measures\n"
    "  1  data problems: some households left out (see stderr and the excluded table)\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it)": (
        "\b\nMã thoát:\n"
        "  0  xong: mọi hộ đều được tính\n"
        "  1  lỗi dữ liệu: có hộ bị loại ra (xem thông báo và bảng excluded)\n"
        "  2  dùng lệnh sai, hoặc tệp đầu vào không đọc được\n"
        "  3  lỗi nội bộ (lỗi của chương trình: xin báo lại)"
    ),
    "\b\nExit codes:\n"
    "  0  done: every household of both rounds classed and counted\n"
    "  1  data problems: some households not classed, left out of the rates (see the\n"
    "     not_classed column); a missed target is a result, not an error\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it)": (
        "\b\nMã thoát:\n"
        "  0  xong: mọi hộ của cả hai kỳ đều được phân loại và tổng hợp\n"
        "  1  lỗi dữ liệu: có hộ chưa phân loại được, không tính vào tỷ lệ (xem cột\n"
        "     not_classed); không đạt chỉ tiêu là một kết quả, không phải lỗi\n"
        "  2  dùng lệnh sai, hoặc tệp đầu vào không đọc được\n"
        "  3  lỗi nội bộ (lỗi của chương trình: xin báo lại)"
    ),
    # options shared by the commands
    "Members CSV/Parquet, when not beside the households file.": (
        "Tệp thành viên CSV/Parquet, khi không nằm cạnh tệp hộ gia đình."
    ),
    "Bundled standard id (see `mdpoverty standards`) or a TOML file (default: the standard "
    "of the review round the survey dates belong to).": (
        "Mã chuẩn có sẵn (xem `mdpoverty standards`) hoặc tệp TOML (mặc định: chuẩn của kỳ "
        "rà soát chứa ngày rà soát của khảo sát)."
    ),
    "Survey date for households without one (YYYY-MM-DD or dd/mm/yyyy).": (
        "Ngày rà soát cho các hộ chưa ghi ngày (dd/mm/yyyy hoặc YYYY-MM-DD)."
    ),
    "Write to this file (format from its suffix).": (
        "Ghi kết quả ra tệp này (định dạng theo đuôi tệp)."
    ),
    "Write to this file (format from suffix).": (
        "Ghi kết quả ra tệp này (định dạng theo đuôi tệp)."
    ),
    "Output format (default: from -o, else csv when piped).": (
        "Định dạng kết quả (mặc định: theo -o; khi chuyển sang lệnh khác: csv)."
    ),
    "Output format (default: from -o, else a table on a terminal and CSV when piped).": (
        "Định dạng kết quả (mặc định: theo -o; nếu không, bảng trên màn hình và CSV khi "
        "chuyển sang lệnh khác)."
    ),
    "Language of messages, help and the issue table (vi or en; also MDPOVERTY_LANG).": (
        "Ngôn ngữ của thông báo, hướng dẫn và bảng lỗi (vi hoặc en; hoặc biến môi trường "
        "MDPOVERTY_LANG)."
    ),
    "Less on stderr (repeatable).": "Bớt thông báo (lặp lại để bớt thêm).",
    "More on stderr (repeatable).": "Thêm thông báo (lặp lại để thêm nữa).",
    "Also write SURVEY.checked.xlsx: a copy of the workbook with every cell that has an "
    "issue filled red (error) or amber (warning) and commented, and a first sheet listing "
    "the issues with links to their cells (.xlsx surveys only).": (
        "Ghi thêm KHẢO_SÁT.checked.xlsx: bản sao của tệp, mỗi ô có lỗi được tô đỏ (lỗi) hoặc "
        "vàng cam (cảnh báo) kèm ghi chú, và trang đầu liệt kê các lỗi với liên kết tới từng "
        "ô (chỉ với tệp khảo sát .xlsx)."
    ),
    "Write the annotated copy here instead (implies --annotate).": (
        "Ghi bản đánh dấu lỗi vào tệp này (kèm luôn --annotate)."
    ),
    # classify
    "Validate SURVEY and class every household (poor, near_poor, average, not_poor).\n\n"
    "Writes one row per household, in input order. With -o out.xlsx the workbook is the "
    "official lists, laid out like the forms and always in Vietnamese: every household, the "
    "poor, the near-poor (and the farm households of average living standard where the "
    "standard has that band), a summary with charts, the issue table (in --lang) and a sheet "
    '"Dữ liệu" with the columns and codes of .csv. With .csv/.parquet/.json the issues go '
    "beside it (out.issues.csv). Without -o: a table on a terminal, CSV when piped.\n\n"
    "SURVEY may be a Parquet dataset folder (households/ and members/, hive-partitioned "
    "alike, e.g. by province and commune): it is classed partition by partition, and a .csv "
    "or .parquet output (or CSV piped to stdout) is written as it goes, so memory is bounded "
    "by the largest partition.": (
        "Kiểm tra KHẢO_SÁT và phân loại từng hộ (hộ nghèo, hộ cận nghèo, hộ có mức sống "
        "trung bình, hộ không nghèo).\n\n"
        "Mỗi hộ một dòng, theo thứ tự trong tệp. Với -o ket-qua.xlsx, tệp Excel là các danh "
        "sách chính thức, trình bày như biểu mẫu và luôn bằng tiếng Việt: toàn bộ hộ, hộ "
        "nghèo, hộ cận nghèo (và hộ làm nông nghiệp có mức sống trung bình khi chuẩn có mức "
        'này), trang tổng hợp có biểu đồ, bảng lỗi (theo --lang) và trang "Dữ liệu" với các '
        "cột và mã như tệp .csv. Với .csv/.parquet/.json, bảng lỗi được ghi bên cạnh "
        "(ket-qua.issues.csv). Không có -o: bảng trên màn hình, CSV khi chuyển sang lệnh khác."
        "\n\nKHẢO_SÁT có thể là một thư mục dữ liệu Parquet (households/ và members/, phân "
        "vùng kiểu hive giống nhau, ví dụ theo tỉnh và xã): dữ liệu được phân loại lần lượt "
        "từng phân vùng, và tệp .csv hoặc .parquet (hoặc CSV chuyển sang lệnh khác) được ghi "
        "dần, nên bộ nhớ cần chỉ bằng phân vùng lớn nhất."
    ),
    # validate
    "Check SURVEY and list every problem, located to the sheet, Excel row and column.\n\n"
    "Columns: sheet, row (as Excel shows it), column (the header as written), value, check, "
    "severity, message (in --lang), household_id, field, message_vi, message_en. Severity "
    '"error" means the household cannot be classed; "warning" does not block it; "info" lists '
    "a layout row skipped (numbered row, repeated header, total row, signature block). With "
    "-o issues.xlsx the first sheet is for people (headers, severity and messages in --lang), "
    "the second keeps these columns and codes.\n\n"
    "SURVEY may be a Parquet dataset folder (see classify): with -o .csv/.parquet, or CSV "
    "piped to stdout, its issues are written partition by partition.": (
        "Kiểm tra KHẢO_SÁT và liệt kê mọi lỗi, chỉ rõ trang, dòng và cột trong Excel.\n\n"
        "Các cột: sheet (trang), row (dòng như Excel hiển thị), column (tiêu đề cột như đã "
        "ghi), value (giá trị), check (mã kiểm tra), severity (mức độ), message (thông báo "
        "theo --lang), household_id (mã hộ), field (mã cột), message_vi, message_en. Mức độ "
        '"error" (lỗi): hộ không phân loại được; "warning" (cảnh báo): hộ vẫn được phân loại; '
        '"info" (thông tin): dòng trình bày được bỏ qua (dòng đánh số cột, tiêu đề lặp lại, '
        "dòng tổng cộng, phần ký tên). Với -o loi.xlsx, trang đầu dành cho người đọc (tiêu "
        "đề, mức độ và thông báo theo --lang), trang thứ hai giữ các cột và mã trên.\n\n"
        "KHẢO_SÁT có thể là một thư mục dữ liệu Parquet (xem classify): với -o .csv/.parquet, "
        "hoặc CSV chuyển sang lệnh khác, lỗi được ghi dần theo từng phân vùng."
    ),
    # --engine / --scheduler (a dataset folder)
    "For a dataset folder: class its partitions one after the other in this process "
    "(local), or on a Dask cluster (dask; pip install 'mdpoverty[dask]').": (
        "Với thư mục dữ liệu: phân loại lần lượt từng phân vùng trong tiến trình này (local), "
        "hoặc trên một cụm máy Dask (dask; pip install 'mdpoverty[dask]')."
    ),
    "With --engine dask: the scheduler of a running Dask cluster (tcp://host:8786); without "
    "it a local cluster is started for the run.": (
        "Với --engine dask: bộ điều phối của một cụm Dask đang chạy (tcp://máy:8786); không "
        "có thì một cụm cục bộ được khởi động cho lần chạy này."
    ),
    # explain
    "Say what a check id means and how to fix the cell (all ids when none is given).": (
        "Giải thích một mã kiểm tra và cách sửa ô (mọi mã khi không nêu mã nào)."
    ),
    # standards
    "List the bundled standards, or show one (its lines, cutoff, indicators and the review "
    "round it is used for).": (
        "Liệt kê các chuẩn có sẵn, hoặc xem một chuẩn (chuẩn thu nhập, ngưỡng thiếu hụt, các "
        "chỉ số và kỳ rà soát áp dụng)."
    ),
    "Write an editable copy of NAME to this .toml file (a province's own standard): the "
    "values the law has not published are commented placeholders to fill.": (
        "Ghi bản sao có thể sửa của chuẩn TÊN_CHUẨN ra tệp .toml này (chuẩn riêng của tỉnh): "
        "các giá trị văn bản pháp luật chưa công bố là chỗ trống để điền, đang để chú thích."
    ),
    # template
    "Write an empty survey workbook to hand to village heads.\n\n"
    "Sheets 'Hộ gia đình' and 'Thành viên' with the headers mdpoverty reads, dropdown lists "
    "of the official labels for every coded and Có/Không column, dates and amounts validated "
    "as they are typed, ID columns as text, a note on every header, and a sheet 'Hướng dẫn' "
    "that lists every column. Fill it, then run `mdpoverty validate` on it. The workbook is "
    "always in Vietnamese, the language of the national form: --lang sets the language of "
    "the messages only.": (
        "Ghi một tệp khảo sát trống để giao cho trưởng thôn.\n\n"
        "Trang 'Hộ gia đình' và 'Thành viên' với các tiêu đề mdpoverty đọc được, danh sách "
        "chọn các nhãn chính thức cho mọi cột mã và cột Có/Không, ngày và số tiền được kiểm "
        "tra ngay khi nhập, cột mã số dạng văn bản, ghi chú ở mỗi tiêu đề, và trang "
        "'Hướng dẫn' liệt kê mọi cột. Điền xong thì chạy `mdpoverty validate` với tệp đó. "
        "Tệp luôn bằng tiếng Việt, ngôn ngữ của biểu mẫu quốc gia: --lang chỉ đổi ngôn ngữ "
        "của thông báo."
    ),
    "The workbook to write (.xlsx).": "Tệp Excel cần ghi (.xlsx).",
    "Bundled standard id or a TOML file: which columns the survey needs (default: the "
    "standard of the review round running today).": (
        "Mã chuẩn có sẵn hoặc tệp TOML: khảo sát cần những cột nào (mặc định: chuẩn của kỳ rà "
        "soát đang diễn ra hôm nay)."
    ),
    # report
    "Write the official review report (Forms 1–15) for SURVEYS.\n\n"
    "SURVEYS are one or more survey workbooks (or CSV pairs, or classify outputs), or a "
    "folder of them: a commune, or every commune of a district, read, validated and classed "
    "together. Households with errors are left out of the counts; each form says how many "
    "per unit (column not_classed). Forms 2 and 3 (changes in poor / near-poor households) "
    "compare with --previous, else with the survey's previous_class column.\n\n"
    "\b\n"
    "-o report.xlsx   every form on its own sheet, laid out like the official forms\n"
    "-o form1.csv     the tidy table of one form (with --form all: report.form1.csv …)\n"
    "(no -o)          tables on a terminal; CSV of one form, or JSON, when piped\n\n"
    "A Parquet dataset folder (see classify) gives Forms 1, 4–8, 10, 12 and 13 from the sums "
    "of its partitions, one partition in memory at a time; name other forms with --form to "
    "build them from the whole round in memory.": (
        "Lập báo cáo kết quả rà soát chính thức (Biểu 1–15) cho CÁC_KHẢO_SÁT.\n\n"
        "CÁC_KHẢO_SÁT là một hay nhiều tệp khảo sát (hoặc cặp tệp CSV, hoặc kết quả của "
        "classify), hoặc một thư mục chứa chúng: một xã, hoặc mọi xã của một huyện, được đọc, "
        "kiểm tra và phân loại cùng nhau. Hộ có lỗi không được tính vào số liệu; mỗi biểu ghi "
        "số hộ đó của từng đơn vị (cột not_classed). Biểu 2 và 3 (biến động hộ nghèo, hộ cận "
        "nghèo) so sánh với --previous, nếu không thì với cột phân loại kỳ trước của khảo "
        "sát.\n\n"
        "\b\n"
        "-o bao-cao.xlsx  mỗi biểu một trang, trình bày như biểu mẫu chính thức\n"
        "-o bieu1.csv     bảng số liệu của một biểu (với --form all: bao-cao.form1.csv …)\n"
        "(không có -o)    bảng trên màn hình; CSV của một biểu, hoặc JSON, khi chuyển sang\n"
        "                 lệnh khác\n\n"
        "Với thư mục dữ liệu Parquet (xem classify), Biểu 1, 4–8, 10, 12 và 13 được lập từ số "
        "cộng của từng phân vùng, mỗi lần chỉ một phân vùng trong bộ nhớ; các biểu khác chọn "
        "bằng --form để lập từ toàn bộ kỳ rà soát trong bộ nhớ."
    ),
    "Which form: 1 to 15, several (1,4,10) or all.": (
        "Biểu nào: từ 1 đến 15, nhiều biểu (1,4,10) hoặc all (tất cả)."
    ),
    "The previous round (survey, folder, or classify output; repeatable). Default: the "
    "survey's previous_class column.": (
        "Kỳ rà soát trước (tệp khảo sát, thư mục, hoặc kết quả của classify; có thể lặp lại). "
        "Mặc định: cột phân loại kỳ trước của khảo sát."
    ),
    "Bundled standard id or a TOML file (both rounds; default: the standard of the review "
    "round each round's survey dates belong to).": (
        "Mã chuẩn có sẵn hoặc tệp TOML (cho cả hai kỳ; mặc định: chuẩn của kỳ rà soát chứa "
        "ngày rà soát của từng kỳ)."
    ),
    # changes
    "List every household with its class in PREVIOUS and CURRENT and the change (§4).\n\n"
    "PREVIOUS and CURRENT are surveys, folders of surveys, or classify outputs; household "
    "IDs link the rounds. Columns: household_id, province, district, commune, "
    "previous_class, class, transition, transition_vi (the list a commune posts; the unit's "
    "whole path, on the current round's map when the previous round had districts and this "
    "one has none). --changed keeps only the households whose status changed.": (
        "Liệt kê mọi hộ với phân loại ở KỲ_TRƯỚC và KỲ_NÀY và biến động (§4).\n\n"
        "KỲ_TRƯỚC và KỲ_NÀY là tệp khảo sát, thư mục khảo sát, hoặc kết quả của classify; "
        "hai kỳ được nối với nhau theo mã hộ. Các cột: household_id (mã hộ), province (tỉnh), "
        "district (huyện), commune (xã), previous_class (phân loại kỳ trước), class (phân "
        "loại), transition, transition_vi (biến động) — danh sách xã niêm yết; đơn vị ghi đủ "
        "cấp, theo địa giới của kỳ này khi kỳ trước còn cấp huyện còn kỳ này không. "
        "--changed chỉ giữ các hộ có thay đổi."
    ),
    "Only households whose status changed.": "Chỉ các hộ có thay đổi.",
    # measures
    "Alkire–Foster measures of SURVEY: H, A, M0, headcounts and contributions per indicator, "
    "by subgroup, with the change from a previous round and, for a sample survey, standard "
    "errors and 95 % confidence intervals (a commune review is a census: none).\n\n"
    "CSV columns: group, unit_count, H, A, M0, h_<code>… (censored headcount ratios), "
    "contrib_<code>… (percent contributions, summing to 100), then by, households, "
    "population, pop_share, share_of_M0, u_<code>… (uncensored) and, for a sample, "
    "standard errors and confidence limits. Ratios are fractions to six decimals.": (
        "Các chỉ số Alkire–Foster của KHẢO_SÁT: H, A, M0, tỷ lệ thiếu hụt và mức đóng góp "
        "của từng chỉ số, theo nhóm, kèm thay đổi so với kỳ trước và, với khảo sát chọn mẫu, "
        "sai số chuẩn và khoảng tin cậy 95 % (rà soát ở xã là tổng điều tra: không có).\n\n"
        "Các cột CSV: group, unit_count, H, A, M0, h_<mã>… (tỷ lệ thiếu hụt đã kiểm duyệt), "
        "contrib_<mã>… (phần trăm đóng góp, cộng lại bằng 100), rồi by, households, "
        "population, pop_share, share_of_M0, u_<mã>… (chưa kiểm duyệt) và, với khảo sát chọn "
        "mẫu, sai số chuẩn và giới hạn tin cậy. Các tỷ lệ là phân số, sáu chữ số thập phân."
    ),
    "Poverty cutoff as a fraction of the weighted indicators (0.25 = 3 of 12; 1/3 works).": (
        "Ngưỡng nghèo, là phần của tổng trọng số các chỉ số (0.25 = 3 trên 12; viết 1/3 cũng được)."
    ),
    "equal (1/12 each), nested (equal per service, then within), a TOML file, or a bundled "
    "weights file by name (vn-2022-2025-services, vn-2022-2025-indicators).": (
        "equal (mỗi chỉ số 1/12), nested (chia đều cho từng dịch vụ, rồi chia trong dịch "
        "vụ), một tệp TOML, hoặc tên một bộ trọng số có sẵn (vn-2022-2025-services, "
        "vn-2022-2025-indicators)."
    ),
    "Count persons (each member carries the household's flags) or households.": (
        "Đếm theo người (mỗi thành viên mang các chỉ số thiếu hụt của hộ) hoặc theo hộ."
    ),
    "Subgroups, comma-separated household columns: one block of rows per column, one row "
    "per level (e.g. commune,area,ethnic_minority). A commune, district or village is its "
    "whole path: a name shared by two units is shown with its parents, "
    "'Xã Tân Lập (Tỉnh A)'.": (
        "Các nhóm: tên cột của trang hộ, cách nhau bằng dấu phẩy; mỗi cột một khối dòng, mỗi "
        "giá trị một dòng (ví dụ commune,area,ethnic_minority). Xã, huyện, thôn được ghi đủ "
        "cấp: hai đơn vị trùng tên được ghi kèm cấp trên, 'Xã Tân Lập (Tỉnh A)'."
    ),
    "The previous round (survey or classify output): adds the change table.": (
        "Kỳ rà soát trước (tệp khảo sát hoặc kết quả của classify): thêm bảng thay đổi."
    ),
    "Years between the rounds (default: from survey dates).": (
        "Số năm giữa hai kỳ (mặc định: tính từ ngày rà soát)."
    ),
    "Which table CSV shows (default: measures; change with --previous).": (
        "Bảng nào được ghi ra CSV (mặc định: measures; change khi có --previous)."
    ),
    # targets
    "Put each commune, district and province against the poverty-reduction targets.\n\n"
    "For the poor-household rate and the ethnic-minority poor-household rate: the rate in "
    "the previous and the current round, the fall in percentage points a year, and whether "
    "it meets the programme's target (≥ 1 point a year, ≥ 2 for ethnic-minority households, "
    "by default); a unit above its parent's average must fall faster than the parent.\n\n"
    "Columns (CSV): number, level, unit, parent, then for each rate its households and poor "
    "households at the start and the end, the two rates (%), the fall and the fall per year "
    "(points), the target and whether it is met, then above_parent_average, "
    "falls_faster_than_parent and not_classed.": (
        "Đối chiếu từng xã, huyện, tỉnh với chỉ tiêu giảm nghèo.\n\n"
        "Với tỷ lệ hộ nghèo và tỷ lệ hộ nghèo dân tộc thiểu số: tỷ lệ ở kỳ trước và kỳ này, "
        "mức giảm (điểm phần trăm mỗi năm), và có đạt chỉ tiêu của Chương trình không (mặc "
        "định ≥ 1 điểm mỗi năm, ≥ 2 với hộ dân tộc thiểu số); đơn vị có tỷ lệ cao hơn bình "
        "quân của cấp trên phải giảm nhanh hơn cấp trên.\n\n"
        "Các cột (CSV): number, level, unit, parent, rồi với mỗi tỷ lệ: số hộ và số hộ nghèo "
        "đầu kỳ và cuối kỳ, hai tỷ lệ (%), mức giảm và mức giảm mỗi năm (điểm), chỉ tiêu và "
        "có đạt không, rồi above_parent_average, falls_faster_than_parent và not_classed."
    ),
    "The previous round (survey, folder, or classify output; repeatable).": (
        "Kỳ rà soát trước (tệp khảo sát, thư mục, hoặc kết quả của classify; có thể lặp lại)."
    ),
    "Bundled target plan id or a TOML file (default: ntp-2021-2025).": (
        "Mã bộ chỉ tiêu có sẵn hoặc tệp TOML (mặc định: ntp-2021-2025)."
    ),
    "Bundled standard id or a TOML file (both rounds).": (
        "Mã chuẩn có sẵn hoặc tệp TOML (cho cả hai kỳ)."
    ),
    # why
    "Explain why each HOUSEHOLD_ID of SURVEY has its class: the standard and round, the "
    "income figure against the line, each indicator with the members or facts that decided "
    "it, the reviewer's overrides, the legal references, the rule that gives the class and "
    "what would change it; with --previous, the transition. A household with errors gets its "
    "errors, each located to its cell.": (
        "Giải thích vì sao từng hộ MÃ_HỘ của KHẢO_SÁT được phân loại như vậy: chuẩn và kỳ rà "
        "soát áp dụng, thu nhập so với chuẩn, từng chỉ số cùng thành viên hoặc thông tin đã "
        "quyết định chỉ số đó, đánh giá của cán bộ rà soát, căn cứ pháp lý, quy tắc phân loại "
        "và điều gì sẽ làm thay đổi phân loại; với --previous, biến động so với kỳ trước. Hộ có "
        "lỗi thì được liệt kê các lỗi, chỉ rõ từng ô."
    ),
    "\b\nExit codes:\n"
    "  0  every household explained\n"
    "  1  a household not in the survey, or one not classed (its errors are listed)\n"
    "  2  usage error, or an input file that cannot be read\n"
    "  3  internal error (a bug: please report it)": (
        "\b\nMã thoát:\n"
        "  0  xong: mọi hộ đều được giải thích\n"
        "  1  có mã hộ không có trong khảo sát, hoặc hộ chưa phân loại được (đã liệt kê lỗi)\n"
        "  2  dùng lệnh sai, hoặc tệp đầu vào không đọc được\n"
        "  3  lỗi nội bộ (lỗi của chương trình: xin báo lại)"
    ),
    "The previous round (survey, folder or classify output): the household's class then, "
    "its transition (the Form 2/3 column) and what changed.": (
        "Kỳ rà soát trước (tệp khảo sát, thư mục hoặc kết quả classify): phân loại của hộ khi "
        "đó, biến động (cột của Biểu 2/3) và những gì đã thay đổi."
    ),
    "Bundled standard id or a TOML file (default: the standard of the survey's round).": (
        "Mã chuẩn có sẵn hoặc tệp TOML (mặc định: chuẩn của kỳ rà soát mà khảo sát thuộc về)."
    ),
    "text (default), json, or xlsx (default: from -o's suffix).": (
        "text (văn bản, mặc định), json hoặc xlsx (mặc định: theo đuôi tệp của -o)."
    ),
    # --redact (every command that writes)
    "Outputs that may leave the commune (Decree 13/2023/NĐ-CP): names and birth dates "
    "dropped, household IDs replaced by a keyed pseudonym (HMAC-SHA256, key from "
    "MDPOVERTY_REDACT_KEY or --redact-key-file; the same key links the rounds). Counts and "
    "forms are unchanged.": (
        "Kết quả được gửi ra khỏi xã (Nghị định 13/2023/NĐ-CP): bỏ họ tên và ngày sinh, thay "
        "mã hộ bằng bí danh có khoá (HMAC-SHA256, khoá lấy từ MDPOVERTY_REDACT_KEY hoặc "
        "--redact-key-file; cùng một khoá thì nối được các kỳ). Số liệu và các biểu không đổi."
    ),
    "Read the pseudonym key from this file (implies --redact).": (
        "Đọc khoá bí danh từ tệp này (kéo theo --redact)."
    ),
    # lists
    "Write the list an agency needs to act on SURVEY's results.\n\n"
    "Each list carries the household's ID, head's name, village and commune, sorted by "
    "commune and village, and states its legal basis in its header. With -o list.xlsx a "
    "printable Vietnamese workbook (service-gaps: one sheet per agency), a sheet 'Căn cứ' "
    "(the windows, groups and agency mapping with their references and confidence marks) "
    "and 'Dữ liệu' (the codes). With .csv/.parquet/.json the tidy table with codes. "
    "Newly escaped households are counted from poverty_exit_date to the survey date; the "
    "window's last day is inside.": (
        "Lập danh sách mà cơ quan, đơn vị cần để hỗ trợ theo kết quả rà soát KHẢO_SÁT.\n\n"
        "Mỗi danh sách có mã hộ, họ tên chủ hộ, thôn và xã, xếp theo xã rồi thôn, và ghi căn "
        "cứ pháp lý ở đầu trang. Với -o danh-sach.xlsx: tệp Excel tiếng Việt để in (danh sách "
        "theo ngành: mỗi cơ quan một trang), trang 'Căn cứ' (thời hạn hưởng chính sách, nhóm "
        "ưu tiên và phân công cơ quan, kèm căn cứ và mức độ tin cậy) và trang 'Dữ liệu' (các "
        "mã). Với .csv/.parquet/.json: bảng dữ liệu với các mã. Hộ mới thoát nghèo, thoát cận "
        "nghèo được tính thời hạn từ ngày thoát (poverty_exit_date) đến ngày rà soát; ngày "
        "cuối cùng của thời hạn vẫn được hưởng."
    ),
    "Which list: beneficiaries (poor, near-poor and newly escaped households in a support "
    "window, with priority groups), service-gaps (deprived poor and near-poor households by "
    "the agency responsible), stable-work (no working-age member in stable work), credit "
    "(asking for credit, or short of capital or tools), social-protection (no labour "
    "capacity).": (
        "Danh sách nào: beneficiaries (hộ nghèo, hộ cận nghèo và hộ mới thoát nghèo còn trong "
        "thời hạn hưởng chính sách, kèm nhóm ưu tiên), service-gaps (hộ nghèo, hộ cận nghèo "
        "thiếu hụt dịch vụ, theo cơ quan phụ trách), stable-work (không có thành viên trong "
        "độ tuổi lao động có việc làm ổn định), credit (có nhu cầu vay vốn, hoặc thiếu vốn, "
        "thiếu công cụ sản xuất), social-protection (không có khả năng lao động)."
    ),
    "A province's own indicator → agency mapping (TOML, as data/support/agencies.toml) for "
    "--list service-gaps.": (
        "Tệp phân công chỉ số → cơ quan của tỉnh (TOML, như data/support/agencies.toml) cho "
        "--list service-gaps."
    ),
}

# Placeholders of the usage line: arguments and the value an option takes.
METAVAR_VI: dict[str, str] = {
    "SURVEY": "KHẢO_SÁT",
    "HOUSEHOLD_IDS": "MÃ_HỘ",
    "SURVEYS": "CÁC_KHẢO_SÁT",
    "CHECK_ID": "MÃ_KIỂM_TRA",
    "NAME": "TÊN_CHUẨN",
    "PREVIOUS": "KỲ_TRƯỚC",
    "CURRENT": "KỲ_NÀY",
    "COMMAND": "LỆNH",
    "TEXT": "VĂN_BẢN",
    "PATH": "ĐƯỜNG_DẪN",
    "FILE": "TỆP",
    "DIRECTORY": "THƯ_MỤC",
    "INTEGER": "SỐ_NGUYÊN",
    "FLOAT": "SỐ",
    "ADDRESS": "ĐỊA_CHỈ",
}
OPTIONS_METAVAR_VI = "[TUỲ_CHỌN]"
SUBCOMMAND_METAVAR_VI = "LỆNH [THAM_SỐ]..."


def key(text: str) -> str:
    """A help text with its whitespace folded: the catalogue's key."""
    return " ".join(text.replace("\b", " ").split())


_BY_KEY = {key(en): vi for en, vi in HELP_VI.items()}


def help_vi(text: str | None) -> str | None:
    """The Vietnamese of an English help text (the text itself when none is catalogued)."""
    if not text:
        return text
    return _BY_KEY.get(key(text), text)


def has_vi(text: str) -> bool:
    return key(text) in _BY_KEY
