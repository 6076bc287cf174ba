"""Shared fixtures: pathway-like figures rendered by the tests themselves.

Property tests explore new random inputs on every local run; under ``CI=1`` (set by
``.ci/run``) they replay the same derived examples, so a submission's result does not
depend on luck. Failures found locally are kept as explicit cases.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from rendering import FIGURE_GENES, render_pathway

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def figure_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of three rendered pathway figures (PNG) with a sidecar for one."""
    folder = tmp_path_factory.mktemp("figures")
    for name, labels in FIGURE_GENES.items():
        render_pathway(folder / f"{name}.png", labels)
    (folder / "egfr_pathway.yml").write_text(
        "figure_title: EGFR signalling\npmcid: PMC1234567\nnumber: Figure 2\nyear: 2020\n",
        encoding="utf-8",
    )
    return folder
