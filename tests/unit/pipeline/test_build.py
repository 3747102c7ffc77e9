from __future__ import annotations

from pathlib import Path

import pytest

from heritage_ld.errors import UsageError
from heritage_ld.model import Collection, MultilingualText
from heritage_ld.pipeline import STEPS, BuildOptions, build, source_date


def _collection() -> Collection:
    return Collection(key="c", title=MultilingualText.of(en="C"), base_url="https://example.org/c")


def test_unknown_step_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown build step"):
        build(_collection(), tmp_path / "out", only=["nope"])


@pytest.mark.parametrize("base_url", ["javascript:alert(1)//", "file:///etc/", "ftp://x.org/", "http://",
                                      "https://x.org/a b"])
def test_a_base_url_option_that_is_not_http_is_refused(tmp_path: Path, base_url: str) -> None:
    # red-team of #11: --base-url was minted into every IRI unchecked (javascript: ids in every manifest)
    with pytest.raises(UsageError, match="not a usable base URL"):
        build(_collection(), tmp_path / "out", only=["rdf"], options=BuildOptions(base_url=base_url))
    assert not (tmp_path / "out" / "rdf").exists()


def test_steps_run_in_registry_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    b = importlib.import_module("heritage_ld.pipeline.build")

    calls: list[str] = []

    def make(name: str):  # type: ignore[no-untyped-def]
        def run(ctx: b.BuildContext) -> b.StepResult:
            calls.append(name)
            assert ctx.urls.base_url == "https://override.example"
            return b.StepResult(summary=name)

        return run

    monkeypatch.setattr(b, "_load", lambda name: make(name))
    report = build(
        _collection(),
        tmp_path / "out",
        only=["site", "rdf"],
        options=BuildOptions(base_url="https://override.example/"),
        executor="serial",
    )
    assert calls == ["rdf", "site"]
    assert list(report.results) == ["rdf", "site"]
    assert (tmp_path / "out").is_dir()
    assert list(STEPS)[:3] == ["rdf", "edm", "iiif"]


def test_source_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date(BuildOptions()) is None
    assert source_date(BuildOptions(source_date_epoch=5)) == 5
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert source_date(BuildOptions()) == 86400
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        source_date(BuildOptions())


def test_missing_optional_package_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib

    b = importlib.import_module("heritage_ld.pipeline.build")
    monkeypatch.setitem(b.STEPS, "ghost", "heritage_ld_no_such_module.step:run")
    with pytest.raises(UsageError, match="'ghost' step needs the Python package 'heritage_ld_no_such_module'"):
        build(_collection(), tmp_path / "out", only=["ghost"])
