from .pixel_prototype_contrast import (PixelPrototypeContrast,
                                       PseudoLabelsAndPrototypes,
                                       pseudo_labels_and_prototypes)

__all__ = [
    'PixelPrototypeContrast', 'PseudoLabelsAndPrototypes',
    'pseudo_labels_and_prototypes'
]
