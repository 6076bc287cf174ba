"""Shared fixtures: pathway-like figures rendered by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from rendering import FIGURE_GENES, render_pathway


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
