from .base import BaseWSSSClassifier
from .cam import CAM
from .eps import EPS
from .seam import SEAM

__all__ = ['BaseWSSSClassifier', 'CAM', 'EPS', 'SEAM']
