"""Orchestration: which emitters run, in what order, with which executor and progress reporting."""

from __future__ import annotations

from heritage_ld.pipeline.build import (
    STEPS,
    BuildContext,
    BuildOptions,
    BuildReport,
    StepResult,
    build,
    source_date,
)
from heritage_ld.pipeline.executor import EXECUTORS, Executor, as_executor, default_jobs, make_executor
from heritage_ld.pipeline.progress import NullProgress, Progress

__all__ = [
    "EXECUTORS",
    "STEPS",
    "BuildContext",
    "BuildOptions",
    "BuildReport",
    "Executor",
    "NullProgress",
    "Progress",
    "StepResult",
    "as_executor",
    "build",
    "default_jobs",
    "make_executor",
    "source_date",
]
