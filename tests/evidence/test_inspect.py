"""What happens to a teacher's upload before it is stored: accepted, cleaned, or refused politely.

Every fixture is made here with Pillow or written byte by byte; no binary file is committed.
"""

from __future__ import annotations

import hashlib
import struct
import typing
import unicodedata
import warnings
import zlib
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile, ImageOps, PngImagePlugin

from bot.evidence import EvidenceRefused, PreparedFile, RefusalText, inspect_upload
from handlers import messages as say
from handlers.common import refusal_text

MB = 1024 * 1024
LIMIT = 20 * MB
RED = (255, 0, 0)
BLUE = (0, 0, 255)
HANOI = ((21.0, 1.0, 42.0), (105.0, 51.0, 12.0))


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: orientation, maker, and a GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Serial-123456"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = HANOI[0]
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = HANOI[1]
    return exif


def left_red_right_blue(width: int = 40, height: int = 20) -> Image.Image:
    """A landscape picture whose left half is red and right half blue."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height))
    return image


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    """The bytes of image saved in fmt."""
    out = BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def phone_jpeg(orientation: int = 1) -> bytes:
    """A JPEG with GPS and device EXIF, as an iPhone 'Send as File' delivers it."""
    return encoded(left_red_right_blue(), "JPEG", exif=exif_with_gps(orientation), quality=95)


def noisy_jpeg(side: int = 256) -> bytes:
    """A JPEG big enough that cutting it in half loses real image data."""
    return encoded(Image.effect_noise((side, side), 64).convert("RGB"), "JPEG", quality=95)


def png_claiming(width: int, height: int, *, with_pixels: bool = True) -> bytes:
    """A 1-bit grey PNG of the given size: a few KB on the wire, width*height once decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj()
    row = b"\0" * (1 + (width + 7) // 8)
    rows_per_feed = 1000
    parts = []
    if with_pixels:
        for start in range(0, height, rows_per_feed):
            parts.append(compressor.compress(row * min(rows_per_feed, height - start)))
    else:
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def refusal(
    data: bytes, *, max_pixels: int = 40_000_000, accept_pdf: bool = True
) -> EvidenceRefused:
    """The refusal inspect_upload raises for data under the 20 MB limit."""
    with pytest.raises(EvidenceRefused) as caught:
        inspect_upload(data, max_bytes=LIMIT, max_pixels=max_pixels, accept_pdf=accept_pdf)
    return caught.value


def reopened(prepared: PreparedFile) -> Image.Image:
    """The stored bytes opened again, as a reader of the export would."""
    image = Image.open(BytesIO(prepared.data))
    image.load()
    return image


# Photos that are accepted


def test_a_photo_sent_as_a_file_loses_its_gps_location() -> None:
    original = phone_jpeg()
    assert Image.open(BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # precondition

    prepared = inspect_upload(original, max_bytes=LIMIT)

    stored = reopened(prepared)
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert len(stored.getexif()) == 0
    assert "exif" not in stored.info
    assert b"Exif\x00\x00" not in prepared.data
    assert b"PhoneMaker" not in prepared.data
    assert b"Serial-123456" not in prepared.data


def test_a_photo_loses_its_comment_and_xmp_location() -> None:
    xmp = b'<x:xmpmeta><rdf:Description exif:GPSLatitude="21,1.7N"/></x:xmpmeta>'
    original = encoded(left_red_right_blue(), "JPEG", comment=b"Nha co Lan", xmp=xmp)
    assert Image.open(BytesIO(original)).info.get("comment")  # precondition

    prepared = inspect_upload(original, max_bytes=LIMIT)

    stored = reopened(prepared)
    assert "comment" not in stored.info
    assert "xmp" not in stored.info
    assert b"Nha co Lan" not in prepared.data
    assert b"GPSLatitude" not in prepared.data


def test_a_sideways_phone_photo_is_stored_upright() -> None:
    prepared = inspect_upload(phone_jpeg(orientation=6), max_bytes=LIMIT)

    stored = reopened(prepared)
    assert (prepared.width, prepared.height) == (20, 40)
    assert stored.size == (20, 40)
    # Orientation 6 means "rotate 90° clockwise to view": the red left half ends up on top.
    top, bottom = stored.getpixel((10, 5)), stored.getpixel((10, 35))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_a_photo_sent_as_a_nameless_octet_stream_is_recognised_as_a_jpeg() -> None:
    prepared = inspect_upload(phone_jpeg(), max_bytes=LIMIT)

    assert prepared.mime == "image/jpeg"
    assert prepared.extension == "jpg"
    assert (prepared.width, prepared.height) == (40, 20)
    assert reopened(prepared).format == "JPEG"


def test_a_png_screenshot_is_kept_pixel_for_pixel() -> None:
    picture = left_red_right_blue()
    prepared = inspect_upload(encoded(picture, "PNG"), max_bytes=LIMIT)

    assert (prepared.mime, prepared.extension) == ("image/png", "png")
    assert (prepared.width, prepared.height) == (40, 20)
    assert reopened(prepared).convert("RGB").tobytes() == picture.tobytes()


def test_a_png_loses_its_exif_and_text_notes() -> None:
    notes = PngImagePlugin.PngInfo()
    notes.add_text("Comment", "Nhà riêng của cô Lan")
    original = encoded(left_red_right_blue(), "PNG", exif=exif_with_gps(), pnginfo=notes)
    assert "exif" in Image.open(BytesIO(original)).info  # precondition

    prepared = inspect_upload(original, max_bytes=LIMIT)

    stored = reopened(prepared)
    assert len(stored.getexif()) == 0
    assert "Comment" not in stored.info
    assert b"eXIf" not in prepared.data
    assert b"tEXt" not in prepared.data


def test_a_png_keeps_its_transparency() -> None:
    picture = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    picture.putpixel((1, 1), (255, 0, 0, 255))

    stored = reopened(inspect_upload(encoded(picture, "PNG"), max_bytes=LIMIT))

    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0)) == (0, 0, 0, 0)
    assert stored.getpixel((1, 1)) == (255, 0, 0, 255)


def test_a_webp_photo_is_accepted_without_its_gps_location() -> None:
    original = encoded(left_red_right_blue(), "WEBP", exif=exif_with_gps(orientation=6))

    prepared = inspect_upload(original, max_bytes=LIMIT)

    stored = reopened(prepared)
    assert (prepared.mime, prepared.extension) == ("image/webp", "webp")
    assert (prepared.width, prepared.height) == (20, 40)
    assert len(stored.getexif()) == 0
    assert b"EXIF" not in prepared.data
    assert b"PhoneMaker" not in prepared.data


def test_a_photo_keeps_its_colour_profile() -> None:
    profile = b"\0" * 128 + b"pretend-icc-profile"
    original = encoded(left_red_right_blue(), "JPEG", icc_profile=profile)

    stored = reopened(inspect_upload(original, max_bytes=LIMIT))

    assert stored.info.get("icc_profile") == profile


def test_the_same_photo_sent_twice_has_the_same_fingerprint() -> None:
    original = phone_jpeg()

    first = inspect_upload(original, max_bytes=LIMIT)
    second = inspect_upload(bytes(original), max_bytes=LIMIT)

    assert first.sha256 == second.sha256 == hashlib.sha256(original).hexdigest()
    assert first.size == len(original)


def test_a_different_photo_has_a_different_fingerprint() -> None:
    assert (
        inspect_upload(phone_jpeg(), max_bytes=LIMIT).sha256
        != inspect_upload(phone_jpeg(orientation=6), max_bytes=LIMIT).sha256
    )


# PDFs


def test_a_pdf_report_is_kept_byte_for_byte() -> None:
    original = encoded(left_red_right_blue(), "PDF")

    prepared = inspect_upload(original, max_bytes=LIMIT)

    assert prepared.data == original
    assert (prepared.mime, prepared.extension) == ("application/pdf", "pdf")
    assert (prepared.width, prepared.height) == (None, None)
    assert prepared.sha256 == hashlib.sha256(original).hexdigest()


def test_a_pdf_is_refused_where_only_photos_are_accepted() -> None:
    refused = refusal(encoded(left_red_right_blue(), "PDF"), accept_pdf=False)

    assert refused.reason == "pdf_not_accepted"
    assert "JPEG" in refusal_text(refused)


def test_a_pdf_cut_short_is_refused_as_broken() -> None:
    original = encoded(left_red_right_blue(), "PDF")

    assert refusal(original[: len(original) // 2]).reason == "corrupt"


# Files that are not photos


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"").reason == "empty"


def test_a_web_page_pretending_to_be_a_pdf_is_refused() -> None:
    polyglot = b"<html><body><script>alert(1)</script></body></html>\n%PDF-1.4\n%%EOF\n"

    refused = refusal(polyglot)

    assert refused.reason == "not_supported"
    assert "PDF" in refusal_text(refused)


def test_a_gif_is_refused_with_a_hint_to_send_a_normal_photo() -> None:
    refused = refusal(encoded(left_red_right_blue(), "GIF"))

    assert refused.reason == "not_supported"
    assert "JPEG" in refusal_text(refused)
    assert "ảnh thông thường" in refusal_text(refused)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", id="heic"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00", id="zip"),
        pytest.param("Báo cáo tuần lễ học tập".encode(), id="text"),
        pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt ", id="wav"),
        pytest.param(b"GIF89a\x01\x00\x01\x00", id="gif-header"),
        pytest.param(b"\xff\xd8", id="two-bytes-of-jpeg"),
    ],
)
def test_a_file_that_is_not_a_photo_or_pdf_is_refused(data: bytes) -> None:
    assert refusal(data).reason == "not_supported"


def test_a_25_mb_file_is_refused_before_it_is_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the size check must come before Pillow")

    monkeypatch.setattr(Image, "open", must_not_open)
    blob = b"\xff\xd8\xff\xe0" + bytes(25 * MB)

    refused = refusal(blob)

    assert refused.reason == "too_large"
    assert "20 MB" in refusal_text(refused)


def test_the_size_limit_is_told_with_a_decimal_comma() -> None:
    with pytest.raises(EvidenceRefused) as caught:
        inspect_upload(bytes(11 * MB), max_bytes=10 * MB + MB // 2)

    assert "10,5 MB" in refusal_text(caught.value)


# Broken and hostile images


def test_a_half_uploaded_photo_is_refused_as_broken() -> None:
    original = noisy_jpeg()

    assert refusal(original[: len(original) // 2]).reason == "corrupt"


def test_a_jpeg_header_with_nothing_after_it_is_refused_as_broken() -> None:
    assert refusal(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00").reason == "corrupt"


def test_a_20000_by_20000_png_bomb_is_refused() -> None:
    bomb = png_claiming(20_000, 20_000)
    assert len(bomb) < 100_000  # small on the wire, 400 megapixels once decoded

    assert refusal(bomb).reason == "bomb"


def test_a_photo_over_the_pixel_cap_is_refused_from_its_header_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def must_not_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels decoded before the size check")

    monkeypatch.setattr(ImageFile.ImageFile, "load", must_not_decode)

    refused = refusal(png_claiming(8_000, 8_000, with_pixels=False))  # 64 MP > 40 MP

    assert refused.reason == "bomb"
    assert "độ phân giải thấp hơn" in refusal_text(refused)


def test_a_lower_pixel_cap_refuses_a_normal_photo() -> None:
    assert refusal(phone_jpeg(), max_pixels=40 * 20 - 1).reason == "bomb"


def test_pillows_bomb_warning_refuses_even_under_a_generous_cap() -> None:
    limit_before = Image.MAX_IMAGE_PIXELS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a caller that silences warnings must still be safe
        filters_before = list(warnings.filters)
        refused = refusal(png_claiming(10_000, 10_000, with_pixels=False), max_pixels=10**9)
        assert warnings.filters == filters_before

    assert refused.reason == "bomb"
    assert limit_before == Image.MAX_IMAGE_PIXELS


# The texts the teacher reads

REFUSALS = [say.EVIDENCE_REFUSALS[key] for key in sorted(say.EVIDENCE_REFUSALS)]


@pytest.mark.parametrize("text", REFUSALS)
def test_every_refusal_is_polite_and_says_what_to_send_instead(text: str) -> None:
    assert unicodedata.is_normalized("NFC", text)
    assert "Thầy/cô vui lòng" in text
    assert text.endswith(".")
    assert "gửi" in text
    assert len(text) < 1024  # fits a Telegram caption, let alone a message


def test_every_text_a_refusal_can_name_is_in_the_catalogue() -> None:
    assert set(typing.get_args(RefusalText)) == set(say.EVIDENCE_REFUSALS)


# Anything at all


SAMPLES = [
    phone_jpeg(orientation=6),
    encoded(left_red_right_blue(), "PNG"),
    encoded(left_red_right_blue(), "WEBP"),
    encoded(left_red_right_blue(), "PDF"),
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    sample=st.sampled_from(SAMPLES),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=1),
)
def test_any_damaged_upload_is_either_stored_or_politely_refused(
    sample: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    damaged = bytearray(sample)
    for position, value in edits:
        damaged[position % len(damaged)] = value
    data = bytes(damaged[: max(1, cut % (len(damaged) + 1))])

    try:
        prepared = inspect_upload(data, max_bytes=LIMIT)
    except EvidenceRefused as refused:
        assert refusal_text(refused)
    else:
        assert prepared.sha256 == hashlib.sha256(data).hexdigest()
        assert prepared.extension in {"jpg", "png", "webp", "pdf"}
        assert b"PhoneMaker" not in prepared.data or prepared.extension == "pdf"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_camera_orientation_is_turned_like_pillow_turns_it(orientation: int) -> None:
    original = encoded(left_red_right_blue(), "PNG", exif=exif_with_gps(orientation))
    expected = ImageOps.exif_transpose(Image.open(BytesIO(original)))

    stored = reopened(inspect_upload(original, max_bytes=LIMIT))

    assert stored.size == expected.size
    assert stored.convert("RGB").tobytes() == expected.convert("RGB").tobytes()


def test_a_photo_with_a_garbled_gps_tag_is_still_accepted_upright() -> None:
    # Renumbering GPSLatitude (3 rationals) as GPSDestDistanceRef (a string) makes
    # ImageOps.exif_transpose crash with TypeError while rewriting the EXIF; found by fuzzing.
    original = bytearray(phone_jpeg(orientation=6))
    latitude_entry = original.find(b"\x00\x02\x00\x05\x00\x00\x00\x03")
    assert latitude_entry > 0  # precondition
    original[latitude_entry + 1] = 0x19

    prepared = inspect_upload(bytes(original), max_bytes=LIMIT)

    assert (prepared.width, prepared.height) == (20, 40)
    assert b"Exif\x00\x00" not in prepared.data
