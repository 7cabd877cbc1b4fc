"""Plot of the seed mIoU against the background score."""
import io
from typing import Dict

from mmwsss.utils import atomic_write_bytes


def plot_seed_curve(summary: Dict, path: str) -> None:
    """Save the mIoU-vs-background-score curve of a seed evaluation.

    Args:
        summary (dict): :class:`SeedMetric` summary (``curve``, ``mIoU``,
            ``bg_score``).
        path (str): Output PNG.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=100)
    ax.plot(summary['curve']['bg_score'], summary['curve']['mIoU'], lw=1.5)
    ax.axvline(summary['bg_score'], color='gray', ls='--', lw=1)
    ax.scatter([summary['bg_score']], [summary['mIoU']], color='C3', zorder=3)
    ax.set_xlabel('background score')
    ax.set_ylabel('seed mIoU (%)')
    ax.set_title(f'best {summary["mIoU"]:.2f} at {summary["bg_score"]:.2f}')
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png')
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
