"""The geometry of a level-0 image pyramid: scale factors, sizes, tiles and their canonical Image API 3 paths.

A level-0 service (Image API 3.0 §6.1 "level0") answers only the requests its ``info.json`` declares, so a static
host serves them as files. This module decides, from an image's width and height alone (no pixels), every
request that is declared and the canonical path (§4.7) of each one; :mod:`heritage_ld.iiif.tiles` writes them.

* ``tiles`` (§5.4): 512-pixel square tiles at scale factors 1, 2, 4 … up to the first factor at which the whole
  image fits in one tile. Tile ``(tx, ty)`` at factor ``s`` covers the region ``x = tx·512·s``, ``y = ty·512·s``,
  ``w = min(512·s, W − x)``, ``h = min(512·s, H − y)`` and is ``⌈w/s⌉ × ⌈h/s⌉`` pixels (the request a client
  such as OpenSeadragon makes).
* ``sizes`` (§5.3): the whole image at the scale factors where its longest edge is at most 2048 pixels
  (``⌈W/s⌉ × ⌈H/s⌉``), and at full size. Larger intermediate levels are left out: a viewer deep-zooms with the
  tiles, and encoding them would cost a quarter more pixels per image.
* Paths (§4.7): region ``full`` when it is the whole image, else ``x,y,w,h``; size ``max`` for the whole image
  at full size, else ``w,h`` (tiles at scale 1 too: clients ask for ``w,h`` there); rotation ``0``;
  ``default.jpg``. ``full/max/0/default.jpg`` is always written (some viewers ask for it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["IMAGE_CONTEXT", "MAX_REDUCED_SIZE", "TILE_SIZE", "Pyramid", "Tile"]

#: The edge of a tile, in pixels of the scaled image (§5.4 ``tiles.width``).
TILE_SIZE = 512
#: The longest edge of the largest reduced size declared in ``sizes`` (the full size is always declared too).
MAX_REDUCED_SIZE = 2048
IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass(frozen=True, slots=True)
class Tile:
    """One declared request: a region of the full image and the pixel size it is delivered at."""

    scale: int
    x: int
    y: int
    w: int
    h: int
    out_w: int
    out_h: int
    path: str  # "{region}/{size}/0/default.jpg", canonical (Image API 3.0 §4.7)


@dataclass(frozen=True, slots=True)
class Pyramid:
    """Every request a level-0 ``info.json`` declares for a ``width`` × ``height`` image.

    >>> p = Pyramid(6000, 4000)
    >>> p.scale_factors
    (1, 2, 4, 8, 16)
    >>> p.sizes
    ((375, 250), (750, 500), (1500, 1000), (6000, 4000))
    >>> p.size_path(375, 250), p.size_path(6000, 4000)
    ('full/375,250/0/default.jpg', 'full/max/0/default.jpg')
    >>> [t.path for t in p.tiles()][-1]
    '5632,3584,368,416/368,416/0/default.jpg'
    """

    width: int
    height: int
    tile: int = TILE_SIZE

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise ValueError(f"an image needs a positive size, not {self.width}x{self.height}")

    @property
    def scale_factors(self) -> tuple[int, ...]:
        """1, 2, 4 … up to the first factor at which the whole image is one tile."""
        factors = [1]
        while max(_ceil_div(self.width, factors[-1]), _ceil_div(self.height, factors[-1])) > self.tile:
            factors.append(factors[-1] * 2)
        return tuple(factors)

    def level_size(self, scale: int) -> tuple[int, int]:
        """The whole image's size at a scale factor."""
        return _ceil_div(self.width, scale), _ceil_div(self.height, scale)

    @property
    def sizes(self) -> tuple[tuple[int, int], ...]:
        """The declared whole-image sizes, smallest first (as in the §5.3 example): every level whose longest
        edge is at most :data:`MAX_REDUCED_SIZE`, and the full size."""
        levels = [self.level_size(s) for s in reversed(self.scale_factors)]
        return tuple(size for size in levels if max(size) <= MAX_REDUCED_SIZE or size == levels[-1])

    def size_path(self, w: int, h: int) -> str:
        """The canonical path of the whole image at ``w`` × ``h``."""
        size = "max" if (w, h) == (self.width, self.height) else f"{w},{h}"
        return f"full/{size}/0/default.jpg"

    def tiles(self) -> Iterator[Tile]:
        """Every tile at every scale factor, largest scale first, then row by row."""
        step_base = self.tile
        for scale in reversed(self.scale_factors):
            step = step_base * scale
            for y in range(0, self.height, step):
                h = min(step, self.height - y)
                for x in range(0, self.width, step):
                    w = min(step, self.width - x)
                    out_w, out_h = _ceil_div(w, scale), _ceil_div(h, scale)
                    if (x, y, w, h) == (0, 0, self.width, self.height):
                        path = self.size_path(out_w, out_h)
                    else:
                        # Size as "w,h" even at scale 1, where §4.7 would say "max": it is what tiling
                        # clients (OpenSeadragon, Leaflet-IIIF) request from a level-0 service.
                        path = f"{x},{y},{w},{h}/{out_w},{out_h}/0/default.jpg"
                    yield Tile(scale, x, y, w, h, out_w, out_h, path)

    def paths(self) -> tuple[str, ...]:
        """Every path the ``info.json`` declares (tiles, sizes and ``full/max``), sorted, without duplicates."""
        out = {t.path for t in self.tiles()}
        out.update(self.size_path(w, h) for w, h in self.sizes)
        out.add("full/max/0/default.jpg")
        return tuple(sorted(out))

    def info(self, service_id: str, *, rights: str | None = None) -> dict[str, Any]:
        """The ``info.json`` document (Image API 3.0 §5) of this pyramid served at ``service_id``, keys in the
        order of the §5.9 example (serialise it with ``dumps(..., ordered=True)``).

        >>> Pyramid(600, 400).info("https://example.org/iiif/image/A-1")["tiles"]
        [{'width': 512, 'scaleFactors': [1, 2]}]
        """
        doc: dict[str, Any] = {
            "@context": IMAGE_CONTEXT,
            "id": service_id,
            "type": "ImageService3",
            "protocol": "http://iiif.io/api/image",
            "profile": "level0",
            "width": self.width,
            "height": self.height,
            "sizes": [{"width": w, "height": h} for w, h in self.sizes],
            "tiles": [{"width": self.tile, "scaleFactors": list(self.scale_factors)}],
        }
        if rights:
            doc["rights"] = rights
        return doc
