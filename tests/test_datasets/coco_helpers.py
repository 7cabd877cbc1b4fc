"""The tiny COCO-layout dataset of the tests and its scenes."""
import numpy as np

from mmwsss.datasets.synthetic.coco import coco_scene, split_numbers

# 8 train images (numbers 3 and 7 without objects), 4 val images (number
# 500003 without objects), 48-64 px
TINY_COCO = dict(
    seed=0,
    num_train=8,
    num_val=4,
    image_size=(48, 64),
    num_classes=20,
    empty_every=4)


def tiny_scenes(split: str) -> list:
    """``(number, scene)`` of every image of ``split`` of ``TINY_COCO``."""
    numbers = split_numbers(TINY_COCO['num_train'],
                            TINY_COCO['num_val'])[split]
    return [(n,
             coco_scene(TINY_COCO['seed'], n, TINY_COCO['num_classes'],
                        TINY_COCO['image_size'], TINY_COCO['empty_every']))
            for n in numbers]


def class_map(scene) -> np.ndarray:
    """The scene's visible classes per pixel, without the ignore band
    (synthetic class k is COCO's k-th category, contiguous index k)."""
    lut = np.array((0, ) + scene.classes, np.uint8)
    return lut[scene.instances]
