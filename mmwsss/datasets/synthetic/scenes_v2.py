"""Version 2 of the synthetic scenes: class-correlated bodies and context.

Version 1 (:func:`.shapes.render_scene`) draws every body from one
family shared by all classes, so only the small heads tell the class and no
refinement by feature similarity can spread a class over a body. Version 2
keeps the heads, the clutter, the occlusion, the 1-3 classes per image and
the saliency of version 1, and makes two changes that bring the scenes
closer to PASCAL VOC:

- **Materials.** A body is drawn from one of a few shared materials (a
  colour family and a texture kind and scale, see ``MATERIALS``). Each class
  has a preferred and a secondary material (``CLASS_MATERIALS``), taken with
  probabilities ``MATERIAL_PREFERRED`` and ``MATERIAL_SECONDARY``, else a
  random one. Several classes share a material, so a body is correlated with
  its class but ambiguous, as fur, metal or wool is on VOC.
- **Context.** A background region type (sky or wall at the top, water or
  grass at the bottom) appears with probability ``CONTEXT_LINKED`` when one
  of its classes (``CONTEXT_CLASSES``) is in the image and rarely otherwise
  (``CONTEXT_OTHER``), as boats come with water and planes with sky.

The module-level constants are the knobs that the calibration of the
benchmark turns (see ``tools/dataset_converters/synthetic_voc.md``).
"""
from typing import Dict, NamedTuple, Optional, Set, Tuple

import cv2
import numpy as np

from .shapes import (Range, Shape, SyntheticScene, add_distractors, blend,
                     compose_scene, draw_clutter, draw_shape, hsv_colour,
                     place_objects, sample_labels, shaded_mix, smooth_noise,
                     stripes, texture_mix)


class Material(NamedTuple):
    """A body material: a colour family and a texture.

    Attributes:
        hue (float): Centre of the hue range, in [0, 1).
        hue_jitter (float): Half-width of the hue range.
        saturation (tuple[float, float]): Range of the saturation.
        value (tuple[float, float]): Range of the value (brightness).
        kind (int): Texture kind of
            :func:`.shapes.texture_mix` (0 mottled, 1 spotted,
            2 streaked).
        scale (float): Feature size of the texture (1: version 1's).
    """
    hue: float
    hue_jitter: float
    saturation: Range
    value: Range
    kind: int
    scale: float


MATERIALS: Dict[str, Material] = dict(
    metal=Material(0.6, 0.05, (0.0, 0.12), (0.55, 0.85), 2, 0.7),
    paint=Material(0.0, 0.04, (0.45, 0.65), (0.45, 0.7), 0, 2.5),
    fur_brown=Material(0.07, 0.03, (0.4, 0.65), (0.3, 0.55), 2, 1.0),
    fur_dark=Material(0.08, 0.1, (0.0, 0.2), (0.1, 0.28), 0, 0.6),
    wool=Material(0.12, 0.03, (0.05, 0.2), (0.72, 0.9), 1, 0.6),
    feathers=Material(0.14, 0.04, (0.3, 0.5), (0.5, 0.7), 1, 1.2),
    wood=Material(0.09, 0.02, (0.45, 0.65), (0.45, 0.65), 2, 2.0),
    fabric=Material(0.7, 0.06, (0.3, 0.5), (0.35, 0.6), 0, 1.0))
# (preferred, secondary) material of each class, in VOC's class order
# (aeroplane, bicycle, bird, boat, bottle, bus, car, cat, chair, cow,
# diningtable, dog, horse, motorbike, person, pottedplant, sheep, sofa,
# train, tvmonitor): every pair differs, every material is some class's
# preferred one and most are preferred by 2-4 classes.
CLASS_MATERIALS = (
    ('metal', 'paint'), ('paint', 'metal'), ('feathers', 'fur_brown'),
    ('paint', 'wood'), ('metal', 'fabric'), ('paint', 'fabric'),
    ('metal', 'fur_dark'), ('fur_brown', 'fur_dark'), ('wood', 'fabric'),
    ('fur_dark', 'wool'), ('wood', 'paint'), ('fur_brown', 'wool'),
    ('fur_dark', 'fur_brown'), ('paint', 'fur_dark'), ('fabric', 'fur_brown'),
    ('wood', 'feathers'), ('wool', 'fur_dark'), ('fabric', 'wool'),
    ('metal', 'wood'), ('fur_dark', 'metal'))
# Probability that a body takes its class's preferred material, and its
# secondary one; otherwise the material is drawn uniformly. The body cue:
# raising them makes bodies easier to classify.
MATERIAL_PREFERRED = 0.6
MATERIAL_SECONDARY = 0.25
HEAD_AREA_V2 = (0.15, 0.3)  # head area / body area
OBJECT_SIZE_V2 = (0.4, 0.85)  # longer object side / shorter image side
# distance of the head's centre outside the body outline / head radius:
# inside the body, as most discriminative parts of VOC's objects are
HEAD_OFFSET_V2 = -1.0

# The image side (top or bottom) each context region lies on, and its
# classes (0-based indices in VOC's order). A class has one context at most.
CONTEXT_SLOTS = dict(sky='top', wall='top', water='bottom', grass='bottom')
CONTEXT_CLASSES = dict(
    sky=(0, 2),
    wall=(4, 8, 10, 15, 17, 19),
    water=(3, ),
    grass=(9, 11, 12, 16))
# Probability that a slot gets a context region when one of its contexts'
# classes is in the image (one of these contexts, uniformly), and when none
# is (any context of the slot, uniformly).
CONTEXT_LINKED = 0.85
CONTEXT_OTHER = 0.15
CONTEXT_EXTENT = (0.25, 0.45)  # region depth / image height


def pick_material(rng: np.random.Generator,
                  class_index: Optional[int]) -> Material:
    """Draw the material of a body of class ``class_index`` (0-based), or
    of a distractor (None: uniform)."""
    draw = rng.random()
    if class_index is not None:
        preferred, secondary = CLASS_MATERIALS[class_index]
        if draw < MATERIAL_PREFERRED:
            return MATERIALS[preferred]
        if draw < MATERIAL_PREFERRED + MATERIAL_SECONDARY:
            return MATERIALS[secondary]
    return list(MATERIALS.values())[rng.integers(len(MATERIALS))]


def material_colour(rng: np.random.Generator,
                    material: Material) -> np.ndarray:
    """Draw an RGB colour of ``material``'s family, shape ``(3,)``."""
    return hsv_colour(
        material.hue + rng.uniform(-1, 1) * material.hue_jitter,
        rng.uniform(*material.saturation), rng.uniform(*material.value))


def material_texture(rng: np.random.Generator,
                     mask: np.ndarray,
                     avoid: np.ndarray,
                     class_index: Optional[int] = None) -> np.ndarray:
    """Texture of a body (or a body-like distractor) of a drawn material.

    Two colours of the material (the first of a few draws of the base colour
    that stands out from ``avoid``, the mean colour of the background under
    the body) mixed by the material's texture and shaded darker towards the
    outline (see :func:`pick_material` for the material).

    Returns:
        np.ndarray: ``(H, W, 3)`` float32 texture in [0, 1].
    """
    material = pick_material(rng, class_index)
    for _ in range(4):
        base = material_colour(rng, material)
        if np.abs(base - avoid).sum() > 0.45:
            break
    mix = texture_mix(rng, mask.shape, material.kind, material.scale)
    return shaded_mix(base, material_colour(rng, material), mix, mask)


def pick_contexts(rng: np.random.Generator,
                  classes: Set[int]) -> Tuple[str, ...]:
    """Draw the context regions of an image given its (1-based) classes.

    For each slot (top, bottom): if some of the image's classes belong to
    contexts of the slot, one of those contexts with probability
    ``CONTEXT_LINKED``; otherwise any context of the slot with probability
    ``CONTEXT_OTHER``.

    Returns:
        tuple[str]: The names of the drawn contexts, at most one per slot.
    """
    picked = []
    for slot in ('top', 'bottom'):
        names = [n for n, s in CONTEXT_SLOTS.items() if s == slot]
        linked = [
            n for n in names if {c - 1 for c in classes} & set(
                CONTEXT_CLASSES[n])
        ]
        chance = CONTEXT_LINKED if linked else CONTEXT_OTHER
        if rng.random() < chance:
            names = linked or names
            picked.append(names[rng.integers(len(names))])
    return tuple(picked)


def context_region(rng: np.random.Generator, shape: Shape,
                   slot: str) -> np.ndarray:
    """Mask of a band along the top or bottom of the image, with a wavy
    edge, ``CONTEXT_EXTENT`` of the image height deep.

    Returns:
        np.ndarray: ``(H, W)`` bool mask.
    """
    depth = rng.uniform(*CONTEXT_EXTENT) * shape[0]
    wave = (smooth_noise(rng, (1, shape[1]), 4)[0, :, 0] - 0.5) * 0.3 * depth
    rows = np.arange(shape[0])[:, None]
    if slot == 'top':
        return rows < depth + wave
    return rows >= shape[0] - depth - wave


def context_texture(rng: np.random.Generator, shape: Shape,
                    name: str) -> np.ndarray:
    """Texture of a context region over the whole image.

    Sky: a blue gradient paling downwards with soft clouds. Wall: a pale
    warm colour with faint vertical stripes. Water: dark blue-green with
    bright horizontal ripples. Grass: green with vertical blades.

    Returns:
        np.ndarray: ``(H, W, 3)`` float32 texture in [0, 1].
    """
    rows = np.arange(shape[0], dtype=np.float32)[:, None, None]
    if name == 'sky':
        hue = 0.58 + rng.uniform(-0.03, 0.03)
        top = hsv_colour(hue, rng.uniform(0.45, 0.65), rng.uniform(0.7, 0.9))
        low = hsv_colour(hue, rng.uniform(0.1, 0.25), rng.uniform(0.85, 1.0))
        ramp = np.clip(rows / (CONTEXT_EXTENT[1] * shape[0]), 0, 1)
        clouds = np.clip(
            (smooth_noise(rng, shape, int(rng.integers(3, 7))) - 0.55) * 3, 0,
            1)
        return (top * (1 - ramp) + low * ramp) * (1 - clouds) + 0.95 * clouds
    if name == 'wall':
        colour = hsv_colour(
            rng.uniform(0.05, 0.15), rng.uniform(0.1, 0.3),
            rng.uniform(0.65, 0.9))
        lines = stripes(shape, rng.uniform(4, 9), 0.0)[..., None]
        return colour * (1 - 0.12 * lines) \
            * (0.9 + 0.2 * smooth_noise(rng, shape, 3))
    if name == 'water':
        hue = 0.53 + rng.uniform(-0.03, 0.03)
        deep = hsv_colour(hue, rng.uniform(0.45, 0.7), rng.uniform(0.3, 0.5))
        light = hsv_colour(hue, rng.uniform(0.2, 0.4), rng.uniform(0.6, 0.8))
        wobble = smooth_noise(rng, shape, 6)
        phase = rows / rng.uniform(2.5, 5) + 2 * wobble
        mix = ((np.sin(2 * np.pi * phase) + 1) / 2)**3
        return deep * (1 - mix) + light * mix
    hue = 0.28 + rng.uniform(-0.03, 0.03)
    dark = hsv_colour(hue, rng.uniform(0.5, 0.7), rng.uniform(0.2, 0.35))
    light = hsv_colour(hue, rng.uniform(0.45, 0.65), rng.uniform(0.45, 0.65))
    blades = cv2.GaussianBlur(
        rng.random(shape, dtype=np.float32), (0, 0), 0.6, sigmaY=2.5)
    mix = np.clip((blades - 0.5) * 6 + 0.5, 0, 1)[..., None]
    return dark * (1 - mix) + light * mix


def render_scene_v2(rng: np.random.Generator, num_classes: int,
                    image_size: Tuple[int, int]) -> SyntheticScene:
    """Draw one version 2 scene with its mask, part map and saliency.

    The objects are placed first; the context regions follow from the
    classes that found a place; then the clutter, the context regions, the
    body-like distractors (of random materials) and the objects are drawn.

    Args:
        rng (np.random.Generator): The random generator; the scene depends
            on it only.
        num_classes (int): Number of foreground classes, at most
            ``MAX_CLASSES``.
        image_size (tuple[int, int]): Range ``(min, max)`` of each image
            side in pixels; height and width are drawn independently.

    Returns:
        SyntheticScene: The scene, with ``contexts`` set.
    """
    shape = draw_shape(rng, image_size)
    objects = place_objects(rng, shape, sample_labels(rng, num_classes),
                            HEAD_AREA_V2, OBJECT_SIZE_V2, HEAD_OFFSET_V2)
    contexts = pick_contexts(rng, {label for label, _, _ in objects})
    image = draw_clutter(rng, shape)
    for name in contexts:
        region = context_region(rng, shape, CONTEXT_SLOTS[name])
        image = blend(image, context_texture(rng, shape, name), region)
    image, distractors = add_distractors(rng, image, material_texture)
    return compose_scene(rng, image, distractors, objects, material_texture,
                         contexts)
