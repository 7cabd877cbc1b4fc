from .cam_overlay import cam_overlay, heat_overlay
from .seed_curve import plot_seed_curve
from .seed_figure import label_colours, seed_figure

__all__ = [
    'cam_overlay', 'heat_overlay', 'label_colours', 'plot_seed_curve',
    'seed_figure'
]
