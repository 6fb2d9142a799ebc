"""Charts of the dashboard as PNG: matplotlib without a display (the Agg backend)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure
from matplotlib.pyplot import close

from scenarios.plots import DPI


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes, at the scenario charts' resolution; the figure is closed."""
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=DPI)
    close(fig)
    return buf.getvalue()
