"""Images that are not digits, for asking a digit classifier what it thinks of them.

All are 28x28 grey images in [0, 1], shaped (N, 28, 28, 1) float32 like
``helpers.data.load_mnist()``, and made deterministically (seeded noise, shapes and
letters drawn with Pillow's built-in font), so every machine sees the same pictures.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIZE = 28


def _stack(images) -> np.ndarray:
    return np.asarray(images, dtype=np.float32).reshape(-1, SIZE, SIZE, 1)


def noise(count: int, seed: int = 0) -> np.ndarray:
    """Uniform noise in [0, 1]: (count, 28, 28, 1)."""
    return _stack(np.random.default_rng(seed).random((count, SIZE, SIZE)))


def blanks() -> np.ndarray:
    """An all-black and an all-white image: (2, 28, 28, 1)."""
    return _stack([np.zeros((SIZE, SIZE)), np.ones((SIZE, SIZE))])


def inverted(digits: np.ndarray) -> np.ndarray:
    """White digits on black become black on white: 1 - x, same shape."""
    return _stack(1.0 - np.asarray(digits, dtype=np.float32))


def rotated(digits: np.ndarray, quarter_turns: int = 2) -> np.ndarray:
    """Digits turned by 90 degrees times ``quarter_turns``, same shape."""
    digits = np.asarray(digits, dtype=np.float32).reshape(-1, SIZE, SIZE)
    return _stack(np.rot90(digits, k=quarter_turns, axes=(1, 2)))


def _canvas():
    image = Image.new("L", (SIZE, SIZE), 0)
    return image, ImageDraw.Draw(image)


def shapes() -> np.ndarray:
    """A ring, a square, a triangle, a cross and a disc, drawn white on black: (5, 28, 28, 1)."""
    drawings = []
    for kind in ("ring", "square", "triangle", "cross", "disc"):
        image, draw = _canvas()
        if kind == "ring":
            draw.ellipse((5, 5, 22, 22), outline=255, width=3)
        elif kind == "square":
            draw.rectangle((6, 6, 21, 21), outline=255, width=3)
        elif kind == "triangle":
            draw.polygon([(14, 4), (4, 23), (23, 23)], outline=255, width=3)
        elif kind == "cross":
            draw.line((6, 6, 21, 21), fill=255, width=3)
            draw.line((6, 21, 21, 6), fill=255, width=3)
        else:
            draw.ellipse((7, 7, 20, 20), fill=255)
        drawings.append(np.asarray(image) / 255.0)
    return _stack(drawings)


def letters(text: str = "AKXHW") -> np.ndarray:
    """Capital letters drawn white on black with Pillow's built-in font: (len(text), 28, 28, 1)."""
    if not text:
        raise ValueError("letters() needs at least one character to draw.")
    font = ImageFont.load_default(size=22)
    drawings = []
    for char in text:
        image, draw = _canvas()
        draw.text((SIZE / 2, SIZE / 2), char, fill=255, font=font, anchor="mm")
        drawings.append(np.asarray(image) / 255.0)
    return _stack(drawings)
