from .mask_folder import evaluate_mask_folder
from .metrics import *  # noqa: F401,F403

__all__ = ['evaluate_mask_folder']
