"""Photo rules without S3: announced type and size, and the bytes' own signature."""

from __future__ import annotations

import pytest

from chalicelib.errors import PhotoRejected
from chalicelib.photos import MAX_BYTES, check_announced, sniffed_type


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"%PDF-1.7\n%", None),
        (b"<svg xmlns=", None),
    ],
)
def test_only_jpeg_png_and_webp_signatures_are_recognised(head, kind):
    assert sniffed_type(head) == kind


@pytest.mark.parametrize(
    ("content_type", "size", "code", "field"),
    [
        ("image/svg+xml", 2000, "photo_type", "content_type"),
        ("application/pdf", 2000, "photo_type", "content_type"),
        ("image/jpeg", MAX_BYTES + 1, "photo_too_large", "size"),
        ("image/png", 10, "photo_too_small", "size"),
    ],
)
def test_an_unacceptable_upload_is_refused_before_it_starts(content_type, size, code, field):
    with pytest.raises(PhotoRejected) as caught:
        check_announced(content_type, size)

    assert (caught.value.code, caught.value.field) == (code, field)


def test_a_jpeg_of_the_largest_size_allowed_is_accepted():
    check_announced("image/jpeg", MAX_BYTES)
