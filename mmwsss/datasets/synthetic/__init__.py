"""The synthetic benchmark: scenes drawn from a seed, written in the PASCAL
VOC 2012 or the MS COCO 2014 layout.

The datasets package does not import it, so loading the registries never
loads the scene drawing.
"""
from .coco import write_synthetic_coco
from .voc import write_synthetic_voc

__all__ = ['write_synthetic_coco', 'write_synthetic_voc']
