"""How long the image safety steps of an upload take: the face check's goal is ≤ 1 s.

Run from the repository root:
``DJANGO_SETTINGS_MODULE=settings.test .venv/bin/python bench/faces_bench.py``
(``make bench`` does). Needs no database: ``cms/core/faces.py`` and the sanitiser in
``cms/core/images.py`` work on bytes and Pillow images.

Prints the median of 7 runs (after one warm-up) of:
- ``detect_faces`` on scikit-image's astronaut portrait upscaled to 1024 px (the fixture of
  tests/cms/core/test_faces.py), against the 1 s goal;
- ``sanitise_image_bytes`` on a 2000×1500 JPEG carrying EXIF and GPS, the re-encode every
  upload goes through, and the face check on its result (together: what ``save()`` adds).
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import piexif
from PIL import Image
from skimage import data as skimage_data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cms.core.faces import detect_faces
from cms.core.images import sanitise_image_bytes

RUNS = 7
GOAL_MS = 1000.0


def median_ms(function: Callable[[], object], runs: int = RUNS) -> float:
    function()  # warm-up: loads the cascade, fills caches
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def photo_jpeg(size: tuple[int, int]) -> bytes:
    """A photo-like JPEG (the astronaut, stretched) with camera EXIF and GPS."""
    image = Image.fromarray(skimage_data.astronaut()).resize(size, Image.Resampling.BICUBIC)
    exif = piexif.dump(
        {
            "0th": {piexif.ImageIFD.Make: b"BenchCam", piexif.ImageIFD.Orientation: 1},
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((13, 1), (45, 1), (0, 1)),
            },
        }
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def main() -> None:
    portrait = Image.fromarray(skimage_data.astronaut()).resize(
        (1024, 1024), Image.Resampling.LANCZOS
    )
    faces = detect_faces(portrait)
    detect_ms = median_ms(lambda: detect_faces(portrait))
    print(
        f"detect_faces, astronaut 1024x1024: {detect_ms:.0f} ms median of {RUNS} "
        f"({detect_ms / GOAL_MS:.2f} of the 1 s goal), {len(faces)} face(s)"
    )

    upload = photo_jpeg((2000, 1500))
    clean = sanitise_image_bytes(upload, max_pixels=40_000_000)
    strip_ms = median_ms(lambda: sanitise_image_bytes(upload, max_pixels=40_000_000))
    check_ms = median_ms(lambda: detect_faces(clean.pixels))
    print(
        f"sanitise_image_bytes, JPEG 2000x1500 ({len(upload) / 1024:.0f} KiB -> "
        f"{len(clean.content) / 1024:.0f} KiB): {strip_ms:.0f} ms median of {RUNS}"
    )
    print(f"detect_faces on that 2000x1500 result: {check_ms:.0f} ms median of {RUNS}")
    print(f"added to an upload's save(): about {strip_ms + check_ms:.0f} ms")


if __name__ == "__main__":
    main()
