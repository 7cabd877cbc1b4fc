from .base import BaseWSSSClassifier
from .cam import CAM
from .eps import EPS
from .seam import SEAM
from .two_view import TwoViewClassifier

__all__ = ['BaseWSSSClassifier', 'CAM', 'EPS', 'SEAM', 'TwoViewClassifier']
