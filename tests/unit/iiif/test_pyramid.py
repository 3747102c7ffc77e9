from __future__ import annotations

import pytest

from heritage_ld.iiif import Pyramid


@pytest.mark.parametrize("size", [(1, 1), (511, 513), (512, 512), (1201, 803), (6000, 4000), (4097, 3)])
def test_tiles_cover_every_level_exactly_once(size: tuple[int, int]) -> None:
    p = Pyramid(*size)
    for scale in p.scale_factors:
        tiles = [t for t in p.tiles() if t.scale == scale]
        assert sum(t.w * t.h for t in tiles) == size[0] * size[1]
        assert all(t.out_w <= 512 and t.out_h <= 512 for t in tiles)
        assert sum(t.out_w for t in tiles if t.y == 0) == p.level_size(scale)[0]
    last = p.level_size(p.scale_factors[-1])
    assert max(last) <= 512
    assert len(p.scale_factors) == 1 or max(p.level_size(p.scale_factors[-2])) > 512


def test_sizes_and_paths() -> None:
    p = Pyramid(6000, 4000)
    assert p.sizes == ((375, 250), (750, 500), (1500, 1000), (6000, 4000))  # 3000x2000: > 2048, not declared
    paths = p.paths()
    assert "full/max/0/default.jpg" in paths and "full/375,250/0/default.jpg" in paths
    assert "5632,3584,368,416/368,416/0/default.jpg" in paths
    assert "4096,0,1904,4000/238,500/0/default.jpg" in paths
    assert len(paths) == len(set(paths))


def test_info_json_matches_the_libvips_level0_tiles() -> None:
    info = Pyramid(6000, 4000).info("https://example.org/iiif/abcd1234")
    assert info["tiles"] == [{"width": 512, "scaleFactors": [1, 2, 4, 8, 16]}]
    assert info["profile"] == "level0" and info["type"] == "ImageService3"


def test_small_image_is_one_tile_at_full_size() -> None:
    p = Pyramid(300, 200)
    assert p.scale_factors == (1,)
    assert [t.path for t in p.tiles()] == ["full/max/0/default.jpg"]
    with pytest.raises(ValueError):
        Pyramid(0, 10)
