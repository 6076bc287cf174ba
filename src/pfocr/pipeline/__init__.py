"""Pipeline layer: the per-figure function and the run orchestrator."""

from pfocr.pipeline.process import PipelineSettings, StageFailure, process_figure
from pfocr.pipeline.run import RunSummary, default_workers, run_pipeline

__all__ = [
    "PipelineSettings",
    "RunSummary",
    "StageFailure",
    "default_workers",
    "process_figure",
    "run_pipeline",
]
