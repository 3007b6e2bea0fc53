"""A commune's area as plain data (no database) for the report draft and evidence ZIP tests.

The commune "Xã Hòa Bình" has three schools and a centre: two schools and the commune itself
have submitted, one school is still a draft (it counts nowhere), the centre has not started.
The expected sums are written out by hand from the answers below, not computed by the code
under test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from bot.domain.loader import load_campaigns
from bot.domain.rollup import EvidenceInfo, NominationInfo, Subtree, UnitInfo, UnitReport

CAMPAIGN = load_campaigns()[2023]
NOW = datetime(2023, 10, 16, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam

COMMUNE = UnitInfo(1, "X01", "Xã Hòa Bình", "commune", None, "0901 000 001")
SCHOOL_A = UnitInfo(2, "T01", "Trường THCS Nguyễn Du", "school", 1)
SCHOOL_B = UnitInfo(3, "T02", "Trường Tiểu học Lê Lợi", "school", 1)
SCHOOL_DRAFT = UnitInfo(4, "T03", "Trường Mầm non Hoa Sen", "school", 1)
CENTRE = UnitInfo(5, "C01", "TTHTCĐ xã Hòa Bình", "centre", 1)
UNITS = (COMMUNE, SCHOOL_A, SCHOOL_B, SCHOOL_DRAFT, CENTRE)

ANSWERS_A: Mapping[str, int | str | None] = {
    "opening:held": 1,
    "opening:date": "2023-10-02",
    "run:1": 1,
    "1.7:quantity": 3,
    "1.7:people": 1200,
    "1.9:quantity": 2,
    "1.9:people": 60,
    "2:quantity": 4,
    "3:quantity": 150,
    "run:5": 1,
    "5.4:quantity": 2,
    "5.4:people": 340,
    "run:10": 1,
    "10.1:amount": 5_000_000,
    "10.2:amount": 2_500_000,
    "narr:results": "Học sinh hào hứng với cuộc thi kể chuyện theo sách.",
    "narr:difficulties": "Thiếu kinh phí in tài liệu.",
}
ANSWERS_B: Mapping[str, int | str | None] = {
    "opening:held": 1,
    "opening:date": "2023-10-03",
    "run:1": 1,
    "1.7:quantity": 5,
    "1.7:people": 800,
    "2:quantity": 1,
    "run:4": 1,
    "4.1:quantity": 12,
    "4.2:quantity": 430,
    "run:10": 1,
    "10.2:amount": 1_000_000,
    "11:text": "Ngày hội đọc sách cùng phụ huynh",
    "narr:recommendations": "Đề nghị hỗ trợ\x07 thêm sách\x00 cho thư viện.",
}
ANSWERS_COMMUNE: Mapping[str, int | str | None] = {
    "opening:held": 1,
    "opening:date": "2023-10-02",
    "run:1": 1,
    "1.8:quantity": 1,
    "1.8:people": 45,
    "run:10": 1,
    "10.1:amount": 20_000_000,
    "narr:results": "Các trường đều hưởng ứng Tuần lễ.",
}
ANSWERS_DRAFT: Mapping[str, int | str | None] = {
    "run:1": 1,
    "1.7:quantity": 99,
    "1.7:people": 9999,
    "narr:results": "Bản nháp, chưa gửi",
}

# The numbers the draft must print, summed by hand over the submitted reports (A, B, commune).
EXPECTED = {
    "1:quantity": 3 + 2 + 5 + 1,
    "1:people": 1200 + 60 + 800 + 45,
    "1.7:quantity": 3 + 5,
    "1.7:people": 1200 + 800,
    "2:quantity": 4 + 1,
    "3:quantity": 150,
    "4.2:quantity": 430,
    "5:quantity": 2,
    "5.4:people": 340,
    "7.2:quantity": 2,  # the two schools; the commune is no "cơ sở giáo dục"
    "10.1:amount": 5_000_000 + 20_000_000,
    "10.2:amount": 2_500_000 + 1_000_000,
}


def evidence(unit: UnitInfo, count: int, mime: str = "image/jpeg") -> tuple[EvidenceInfo, ...]:
    """``count`` files of the unit, their content b"<code>/<n>" (see ``evidence_bytes``)."""
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[mime]
    found = []
    for number in range(count):
        data = evidence_bytes(unit, number)
        sha = hashlib.sha256(data).hexdigest()
        found.append(
            EvidenceInfo(
                stored_key=f"{sha[:2]}/{sha[2:4]}/{sha}.{extension}",
                mime=mime,
                size=len(data),
                sha256=sha,
                sent_at=NOW + timedelta(minutes=number),
                sent_by=f"Cô giáo {unit.name}",
            )
        )
    return tuple(found)


def evidence_bytes(unit: UnitInfo, number: int) -> bytes:
    return f"{unit.code}/{number}".encode()


def report(
    unit: UnitInfo,
    answers: Mapping[str, int | str | None],
    *,
    status: str = "submitted",
    files: Sequence[EvidenceInfo] = (),
    nominations: Sequence[NominationInfo] = (),
) -> UnitReport:
    opening = answers.get("opening:date")
    return UnitReport(
        unit_id=unit.id,
        status=status,
        reference=f"2023-{unit.id:05d}",
        revision=1,
        submitted_at=NOW if status == "submitted" else None,
        opening_date=date.fromisoformat(opening) if isinstance(opening, str) else None,
        answers=answers,
        evidence=tuple(files),
        nominations=tuple(nominations),
    )


NOMINATIONS_A = (
    NominationInfo("collective", "Tổ Ngữ văn", "Tổ chức tốt cuộc thi kể chuyện theo sách"),
    NominationInfo("individual", "Nguyễn Thị Lan", "Phụ trách thư viện, 3 buổi đọc sách"),
)
NOMINATIONS_COMMUNE = (NominationInfo("individual", "Trần Văn Hùng", "Chỉ đạo tổ chức Tuần lễ"),)


def commune_area() -> Subtree:
    """The commune and its units, as /export reads them."""
    reports = {
        COMMUNE.id: report(COMMUNE, ANSWERS_COMMUNE, nominations=NOMINATIONS_COMMUNE),
        SCHOOL_A.id: report(
            SCHOOL_A, ANSWERS_A, files=evidence(SCHOOL_A, 3), nominations=NOMINATIONS_A
        ),
        SCHOOL_B.id: report(SCHOOL_B, ANSWERS_B, files=evidence(SCHOOL_B, 2)),
        SCHOOL_DRAFT.id: report(
            SCHOOL_DRAFT, ANSWERS_DRAFT, status="draft", files=evidence(SCHOOL_DRAFT, 1)
        ),
    }
    return Subtree(CAMPAIGN, COMMUNE, UNITS, reports, generated_at=NOW)
