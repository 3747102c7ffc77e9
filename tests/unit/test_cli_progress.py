"""The bag commands' progress bars draw themselves without a refresh thread (forked workers need that)."""

from __future__ import annotations

import io
import threading

from rich.console import Console

from heritage_ld.cli import _app


def test_progress_without_a_refresh_thread_starts_no_thread_and_still_draws(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    monkeypatch.setattr(_app, "err_console", Console(file=out, force_terminal=True, width=80))
    before = threading.active_count()
    with _app.make_progress(thread=False) as progress:
        bars = _app.RichProgress(progress, refresh_every=0.0)
        bars.start("validate bag", 10)
        for _ in range(10):
            bars.advance("validate bag")
        assert threading.active_count() == before
        bars.finish("validate bag")
        assert progress.tasks[0].completed == 10
    assert "validate bag" in out.getvalue() and "10/10" in out.getvalue()


def test_progress_with_a_refresh_thread_is_unchanged() -> None:
    progress = _app.make_progress(thread=True)
    assert progress.live.auto_refresh
    assert not _app.make_progress(thread=False).live.auto_refresh
