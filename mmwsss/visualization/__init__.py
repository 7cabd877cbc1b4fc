from .cam_overlay import cam_overlay
from .seed_curve import plot_seed_curve

__all__ = ['cam_overlay', 'plot_seed_curve']
