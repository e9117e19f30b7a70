"""Face detection and masking on plain Pillow images (no database, no network).

Detection is OpenCV's Haar cascade ``frontalface_alt2``, which ships inside
``opencv-python-headless`` 4.x (5.x wheels have no cascades: keep the ``<5`` pin). It is a
flag for a human reviewer, not a guarantee: Haar misses profiles, small and occluded faces,
which is why every image also needs a reviewer's attestation (DESIGN.md §5).

Masking is a solid fill or a coarse pixelation, never a light blur: blur and fine mosaics can
be reversed by machine learning (McPherson, Shokri and Shmatikov 2016, arXiv:1609.00408).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageDraw

MaskStyle = Literal["fill", "pixelate"]

CASCADE_FILE = "haarcascade_frontalface_alt2.xml"
# Detect on a downscale: ~60-90 ms instead of ~800 ms on a 1024 px photo, with the same box
# on the fixtures (reference/tooling.md §1). Faces smaller than MIN_FACE_PX at this scale
# (about 4 % of the longest side) are not found.
DETECTION_MAX_SIDE = 512
SCALE_FACTOR = 1.1
MIN_NEIGHBORS = 5
MIN_FACE_PX = 20

# Masks cover more than the detected box: Haar boxes are tight (brow to chin) and hair,
# ears and jaw line identify too.
MASK_MARGIN = 0.25
# Pixelation keeps at most this many blocks across a face, so each block is at least a
# sixth of the masked box: too coarse to recover features from.
PIXELATE_BLOCKS = 6
FILL_COLOUR = (128, 128, 128)


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A detected face, in pixels of the image it was detected on."""

    x: int
    y: int
    width: int
    height: int

    def as_dict(self) -> dict[str, int]:
        """The JSON form stored on ``CustomImage.faces``."""
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> FaceBox:
        return cls(x=data["x"], y=data["y"], width=data["width"], height=data["height"])

    def enlarged(self, *, margin: float, bounds: tuple[int, int]) -> FaceBox:
        """This box grown by ``margin`` of its size on every side, clipped to ``bounds``."""
        dx, dy = math.ceil(self.width * margin), math.ceil(self.height * margin)
        left, top = max(0, self.x - dx), max(0, self.y - dy)
        right = min(bounds[0], self.x + self.width + dx)
        bottom = min(bounds[1], self.y + self.height + dy)
        return FaceBox(x=left, y=top, width=right - left, height=bottom - top)


# One classifier per thread: OpenCV does not document detectMultiScale as thread-safe, and
# loading the XML costs only a few milliseconds.
_local = threading.local()


def _classifier() -> cv2.CascadeClassifier:
    classifier = getattr(_local, "classifier", None)
    if classifier is None:
        path = Path(cv2.data.haarcascades) / CASCADE_FILE
        classifier = cv2.CascadeClassifier(str(path))
        if classifier.empty():
            raise RuntimeError(f"OpenCV could not load {path}: is opencv-python-headless < 5?")
        _local.classifier = classifier
    return classifier


def detect_faces(image: Image.Image) -> list[FaceBox]:
    """Frontal faces in ``image``, as boxes in its own pixel coordinates.

    The image is converted to greyscale and downscaled so its longest side is at most
    ``DETECTION_MAX_SIDE``; boxes are scaled back up and clipped to the image.
    """
    width, height = image.size
    if width == 0 or height == 0:
        return []
    scale = min(1.0, DETECTION_MAX_SIDE / max(width, height))
    grey = image.convert("L")
    if scale < 1.0:
        small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
        grey = grey.resize(small_size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    found = _classifier().detectMultiScale(
        np.asarray(grey),
        scaleFactor=SCALE_FACTOR,
        minNeighbors=MIN_NEIGHBORS,
        minSize=(MIN_FACE_PX, MIN_FACE_PX),
    )
    boxes = []
    for x, y, w, h in found:
        left, top = math.floor(x / scale), math.floor(y / scale)
        right = min(width, math.ceil((x + w) / scale))
        bottom = min(height, math.ceil((y + h) / scale))
        boxes.append(FaceBox(x=left, y=top, width=right - left, height=bottom - top))
    return sorted(boxes, key=lambda box: (box.y, box.x))


def mask_faces(image: Image.Image, boxes: list[FaceBox], *, style: MaskStyle) -> Image.Image:
    """A copy of ``image`` with every box (plus ``MASK_MARGIN``) filled or pixelated."""
    if style not in ("fill", "pixelate"):
        raise ValueError(f"Unknown mask style {style!r}.")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    masked = image.convert("RGBA" if has_alpha else "RGB")
    draw = ImageDraw.Draw(masked)
    for face in boxes:
        box = face.enlarged(margin=MASK_MARGIN, bounds=masked.size)
        if box.width <= 0 or box.height <= 0:
            continue
        corners = (box.x, box.y, box.x + box.width, box.y + box.height)
        if style == "fill":
            # Opaque even on transparent images: a see-through mask would hide nothing.
            draw.rectangle(
                (corners[0], corners[1], corners[2] - 1, corners[3] - 1), fill=FILL_COLOUR
            )
        else:
            region = masked.crop(corners)
            blocks = (min(PIXELATE_BLOCKS, box.width), min(PIXELATE_BLOCKS, box.height))
            coarse = region.resize(blocks, Image.Resampling.BOX)
            if has_alpha:
                coarse.putalpha(255)
            masked.paste(coarse.resize(region.size, Image.Resampling.NEAREST), corners[:2])
    return masked
