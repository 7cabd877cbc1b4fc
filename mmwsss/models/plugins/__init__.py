from .pixel_prototype_contrast import PixelPrototypeContrast

__all__ = ['PixelPrototypeContrast']
