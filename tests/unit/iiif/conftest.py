"""An in-memory collection with real image files (odd sizes, JPEG, 16-bit TIFF, PNG with alpha) and PDFs
(two pages each, written by Pillow's PDF writer: a page of ``w`` × ``h`` pixels is ``w`` × ``h`` points)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from PIL import Image

from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    Item,
    ItemKind,
    MediaFile,
    MediaRole,
    MultilingualText,
    Place,
    Section,
    UrlScheme,
    parse_edtf,
)

BASE = "https://example.org/hanoi-1972"
HOSTILE = 'Say "hi" <script>alert(1)</script> \u200f\u05e9\u05dc\u05d5\u05dd\u200e & \\ done'

T = MultilingualText.of


def _image(root: Path, name: str, size: tuple[int, int], mode: str = "RGB", fmt: str | None = None) -> MediaFile:
    path = root / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "I;16":
        im = Image.linear_gradient("L").resize(size).convert("I").point(lambda v: v * 256).convert("I;16")
    else:
        im = Image.radial_gradient("L").resize(size).convert(mode)
    im.save(path, fmt) if fmt else im.save(path)
    return MediaFile(PurePosixPath("media") / name)


def _pdf(root: Path, name: str, pages: list[tuple[int, int]]) -> MediaFile:
    path = root / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.radial_gradient("L").resize(size).convert("RGB") for size in pages]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=72.0)
    return MediaFile(PurePosixPath("media") / name)


@pytest.fixture(scope="session")
def catalogue_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("iiif-catalogue")


@pytest.fixture(scope="session")
def collection(catalogue_root: Path) -> Collection:
    root = catalogue_root
    museum = Agent("hanoi-museum", AgentKind.GROUP, T(vi="Bảo tàng Hà Nội", en="Hanoi Museum"),
                   homepage="https://baotanghanoi.com.vn/", logo="media/logo.png")
    _image(root, "logo.png", (64, 32))
    photographer = Agent("doan-cong-tinh", AgentKind.PERSON, T(vi="Đoàn Công Tính"))
    kham_thien = Place("kham-thien", T(vi="Phố Khâm Thiên", en="Kham Thien Street"), 21.0191, 105.8372)
    hanoi = Place("hanoi", T(vi="Hà Nội", en="Hanoi"))
    jpg = _image(root, "HN.001.jpg", (1201, 803))
    tif_master = _image(root, "HN.002.tif", (700, 1100), mode="I;16")
    tif_access = _image(root, "HN.002.jpg", (700, 1100), mode="L")
    png = _image(root, "HN.003-1.png", (513, 512), mode="RGBA")
    png2 = _image(root, "HN.003-2.png", (300, 200))
    pdf = _pdf(root, "HN.003.pdf", [(420, 595), (595, 420)])
    notice = _pdf(root, "HN.006.pdf", [(595, 842), (842, 595)])
    items = (
        Item("HN.001", ItemKind.PHOTOGRAPH, T(vi="Trẻ em trên phố Khâm Thiên", en="Children on Kham Thien Street"),
              section="silence", description=T(en="After the bombing of 26 December 1972."),
              date=parse_edtf("1972-12-27"), creators=(Attribution(photographer, "photographer"),),
              places=(kham_thien, hanoi), media=(jpg,)),
        Item("HN.002", ItemKind.PHOTOGRAPH, T(en=HOSTILE), section="confront", description=T(en="<b>bold</b>"),
              date=parse_edtf("1972-12-18/1972-12-29"),
              media=(tif_master, MediaFile(tif_access.path, MediaRole.ACCESS, derived_from=tif_master.path))),
        Item("HN.003", ItemKind.DOCUMENT, T(vi="Lá thư", en="A letter"), section="silence",
              media=(png, png2, pdf)),
        Item("HN.004", ItemKind.ARTIFACT, T(en="A helmet without photographs"), section="peace"),
        Item("HN.005", ItemKind.PHOTOGRAPH, T(vi="Hòa bình", en="Peace"), section="peace",
              date=parse_edtf("1973~"), media=(_image(root, "HN.005.jpg", (2000, 1333)),)),
        Item("HN.006", ItemKind.DOCUMENT, T(vi="Thông báo sơ tán", en="Evacuation notice"), section="confront",
              media=(notice,)),
    )
    return Collection(
        key="hanoi-1972", title=T(vi="Hà Nội 1972 – Khát vọng hòa bình", en="Hanoi 1972 – Aspiration for Peace"),
        base_url=BASE, publisher=museum, rights="http://rightsstatements.org/vocab/InC-EDU/1.0/",
        credit_line=T(vi="Ảnh: Bảo tàng Hà Nội", en="Photo: Hanoi Museum"),
        sections=(Section("silence", T(en="The Silence Moment", vi="Khoảnh khắc lặng im")),
                  Section("confront", T(en="Confront", vi="Đối đầu")),
                  Section("peace", T(en="Peace", vi="Hòa bình"))),
        items=items, agents=(museum, photographer), places=(kham_thien, hanoi), root=root,
    )


@pytest.fixture(scope="session")
def urls() -> UrlScheme:
    return UrlScheme(BASE)


@pytest.fixture(scope="session")
def hostile() -> str:
    """The title of HN.002: quotes, a script tag, right-to-left marks and Hebrew, an ampersand, a backslash."""
    return HOSTILE
