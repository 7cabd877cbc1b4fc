"""Drawing of the synthetic VOC-style scenes: clutter, objects and saliency.

Every object is a large *body* whose shape and texture come from one family
shared by all classes, plus a small *head* whose hue and pattern identify the
class (``len(HEAD_HUES) x len(HEAD_PATTERNS)`` combinations). A classifier
trained on image-level labels therefore fires on the heads and misses most of
the bodies, the way CAMs fire on the faces of people and animals on PASCAL
VOC. The backgrounds are textured clutter that sometimes holds body-like
blobs without a head, and the saliency map imitates an imperfect salient
object detector. Everything is drawn with vectorised numpy and OpenCV calls
from one ``numpy.random.Generator``, so a scene depends on that generator
only. Version 2 scenes (:mod:`.scenes_v2`) reuse these pieces with
class-correlated bodies and context regions.
"""
import colorsys
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import cv2
import numpy as np

PART_BACKGROUND, PART_BODY, PART_HEAD = 0, 1, 2
HEAD_HUES = (0.0, 0.15, 0.33, 0.58, 0.8)
HEAD_PATTERNS = ('plain', 'stripes', 'checker', 'eye')
MAX_CLASSES = len(HEAD_HUES) * len(HEAD_PATTERNS)
IGNORE_INDEX = 255

Shape = Tuple[int, int]
Range = Tuple[float, float]
# (class index, body mask, head mask) of an object placed in a scene.
PlacedObject = Tuple[int, np.ndarray, np.ndarray]
# (rng, mask, avoid, class index or None) -> (H, W, 3) body texture
BodyTexture = Callable[
    [np.random.Generator, np.ndarray, np.ndarray, Optional[int]], np.ndarray]

OBJECT_SIZE = (0.15, 0.7)  # longer object side / shorter image side
HEAD_AREA = (0.15, 0.3)  # head area / body area
# distance of the head's centre outside the body outline / head radius
# (negative: inside the body)
HEAD_OFFSET = 0.4
# probability that a body's texture kind follows its class (a weak cue)
BODY_CUE = 0.6
MIN_VISIBLE = 0.5  # fraction of an object, and of its head, left visible
PLACEMENT_TRIES = 12


@dataclass
class SyntheticScene:
    """One drawn scene.

    Attributes:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        mask (np.ndarray): ``(H, W)`` uint8 class indices (0 = background,
            1..num_classes) with ``IGNORE_INDEX`` on a thin band along every
            object boundary.
        parts (np.ndarray): ``(H, W)`` uint8 visible part of each pixel:
            ``PART_BACKGROUND``, ``PART_BODY`` or ``PART_HEAD``.
        instances (np.ndarray): ``(H, W)`` uint8, 0 on background and
            ``i + 1`` on the visible pixels of ``classes[i]``'s instance.
        classes (tuple[int]): The class index of each placed instance.
        saliency (np.ndarray): ``(H, W)`` uint8 soft saliency map, 0-255.
        contexts (tuple[str]): Names of the context regions drawn on the
            background (version 2 scenes, see :mod:`.scenes_v2`);
            empty for version 1.
    """
    image: np.ndarray
    mask: np.ndarray
    parts: np.ndarray
    instances: np.ndarray
    classes: Tuple[int, ...]
    saliency: np.ndarray
    contexts: Tuple[str, ...] = ()


def hsv_colour(hue: float, saturation: float, value: float) -> np.ndarray:
    """Return an RGB colour in [0, 1] as a float32 array of shape (3,)."""
    rgb = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return np.asarray(rgb, dtype=np.float32)


def random_colour(rng: np.random.Generator, saturation: Range,
                  value: Range) -> np.ndarray:
    """Draw an RGB colour of any hue within the given HSV ranges."""
    return hsv_colour(rng.random(), rng.uniform(*saturation),
                      rng.uniform(*value))


def smooth_noise(rng: np.random.Generator,
                 shape: Shape,
                 cells: int,
                 channels: int = 1) -> np.ndarray:
    """Low-frequency noise in [0, 1]: a random grid upsampled bicubically.

    Args:
        rng (np.random.Generator): The random generator.
        shape (tuple[int, int]): ``(H, W)`` of the result.
        cells (int): Grid cells along each side; more cells, finer noise.
        channels (int): Number of channels. Defaults to 1.

    Returns:
        np.ndarray: float32 array of shape ``(H, W, channels)``.
    """
    grid = rng.random((cells, cells, channels), dtype=np.float32)
    noise = cv2.resize(grid, shape[::-1], interpolation=cv2.INTER_CUBIC)
    return np.clip(noise, 0, 1).reshape(*shape, channels)


def stripes(shape: Shape, period: float, angle: float) -> np.ndarray:
    """Hard 0/1 stripes of the given period (px) and orientation (rad)."""
    y, x = np.ogrid[:shape[0], :shape[1]]
    t = (x * np.cos(angle) + y * np.sin(angle)) / period
    return (np.floor(t) % 2).astype(np.float32)


def fill_polygon(shape: Shape, points: np.ndarray) -> np.ndarray:
    """Rasterise a polygon given as ``(N, 2)`` float xy points to a mask."""
    canvas = np.zeros(shape, dtype=np.uint8)
    fixed = np.round(points * 16).astype(np.int32)
    cv2.fillPoly(canvas, [fixed], 1, lineType=cv2.LINE_8, shift=4)
    return canvas.astype(bool)


def blend(image: np.ndarray, texture: np.ndarray,
          mask: np.ndarray) -> np.ndarray:
    """Paste ``texture`` on ``image`` in place under ``mask``, softly.

    Only the bounding box of ``mask`` (plus the blur's reach) is touched.

    Returns:
        np.ndarray: ``image``.
    """
    x, y, w, h = cv2.boundingRect(mask.astype(np.uint8))
    box = np.s_[max(y - 3, 0):y + h + 3, max(x - 3, 0):x + w + 3]
    alpha = cv2.GaussianBlur(mask[box].astype(np.float32), (0, 0), 0.6)
    alpha = alpha.reshape(*alpha.shape[:2], 1)
    image[box] = image[box] * (1 - alpha) + texture[box] * alpha
    return image


def blob_outline(rng: np.random.Generator, num_points: int = 48) -> np.ndarray:
    """Draw a unit-size outline: an ellipse, a wobbly blob or a polygon.

    Returns:
        np.ndarray: ``(N, 2)`` xy points around the origin, radius <= ~1.3.
    """
    kind = rng.integers(3)
    if kind == 2:
        count = int(rng.integers(5, 9))
        theta = (np.arange(count) + rng.uniform(-0.3, 0.3, count)) \
            * 2 * np.pi / count
        radius = rng.uniform(0.75, 1.0, count)
    else:
        theta = np.linspace(0, 2 * np.pi, num_points, endpoint=False)
        radius = np.ones(num_points)
        if kind == 1:
            for k in range(2, 5):
                amplitude, phase = rng.uniform(0, 0.12), rng.uniform(0, 7)
                radius += amplitude * np.cos(k * theta + phase)
    x = radius * np.cos(theta)
    y = radius * np.sin(theta) * rng.uniform(0.45, 1.0)
    angle = rng.uniform(0, np.pi)
    cos, sin = np.cos(angle), np.sin(angle)
    return np.stack([x * cos - y * sin, x * sin + y * cos], axis=1)


def random_blob(rng: np.random.Generator,
                shape: Shape,
                size: Range,
                centre: Range = (0, 1)) -> np.ndarray:
    """Mask of a random blob (see :func:`blob_outline`).

    Args:
        rng (np.random.Generator): The random generator.
        shape (tuple[int, int]): ``(H, W)`` of the mask.
        size (tuple[float, float]): Range of its radius, as a fraction of
            the shorter image side.
        centre (tuple[float, float]): Range of its centre, as a fraction of
            each image side. Defaults to (0, 1).

    Returns:
        np.ndarray: ``(H, W)`` bool mask, possibly cut by the image border.
    """
    outline = blob_outline(rng) * rng.uniform(*size) * min(shape)
    return fill_polygon(shape, outline + rng.uniform(*centre, 2) * shape[::-1])


def polygon_area(points: np.ndarray) -> float:
    """Area of a simple polygon by the shoelace formula."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def sample_object(rng: np.random.Generator, shape: Shape, size: Range,
                  head_area: Range,
                  head_offset: float) -> Tuple[np.ndarray, np.ndarray]:
    """Draw the body and head outlines of one object inside the image.

    The head is a small disc centred on a ray from the body's centre
    through a point of its outline, ``head_offset`` head radii beyond that
    point: at a positive offset it sticks out like a head, at -1 or less it
    lies inside the body like a face or an emblem. Its area is a fraction
    in ``head_area`` of the body's. The object is scaled so that its longer
    side is a random fraction in ``size`` of the shorter image side (biased
    towards large objects, as on VOC), then placed fully inside the image.

    Returns:
        tuple[np.ndarray, np.ndarray]: body and head xy points in pixels.
    """
    body = blob_outline(rng)
    head_radius = np.sqrt(
        rng.uniform(*head_area) * polygon_area(body) / np.pi)
    anchor = body[rng.integers(len(body))]
    centre = anchor * (1 + head_offset * head_radius / np.linalg.norm(anchor))
    theta = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    head = centre + head_radius * np.stack(
        [np.cos(theta), rng.uniform(0.8, 1.0) * np.sin(theta)], axis=1)
    both = np.concatenate([body, head])
    low, high = both.min(axis=0), both.max(axis=0)
    length = (size[0] +
              (size[1] - size[0]) * np.sqrt(rng.random())) * min(shape)
    scale = min(length / (high - low).max(),
                *((np.array(shape[::-1]) - 2) / (high - low)))
    space = np.array(shape[::-1]) - 1 - (high - low) * scale
    offset = rng.uniform(0, 1, 2) * space - low * scale
    return body * scale + offset, head * scale + offset


def paint(shape: Shape, objects: List[PlacedObject]) -> Tuple[np.ndarray, ...]:
    """Paint objects in order (later ones occlude earlier ones).

    Returns:
        tuple[np.ndarray, ...]: the class map, the part map and the instance
        map, each ``(H, W)`` uint8.
    """
    labels, parts, instances = (np.zeros(shape, np.uint8) for _ in range(3))
    for index, (label, body, head) in enumerate(objects, 1):
        full = body | head
        labels[full] = label
        instances[full] = index
        parts[full] = PART_BODY
        parts[head] = PART_HEAD
    return labels, parts, instances


def visible_enough(shape: Shape, objects: List[PlacedObject]) -> bool:
    """Whether every object, and its head, keeps ``MIN_VISIBLE`` in view."""
    _, parts, instances = paint(shape, objects)
    for index, (_, body, head) in enumerate(objects, 1):
        seen = instances == index
        seen_head = seen & (parts == PART_HEAD)
        if (seen.sum() < MIN_VISIBLE * (body | head).sum()
                or seen_head.sum() < MIN_VISIBLE * head.sum()):
            return False
    return True


def place_objects(rng: np.random.Generator,
                  shape: Shape,
                  labels: List[int],
                  head_area: Range = HEAD_AREA,
                  object_size: Range = OBJECT_SIZE,
                  head_offset: float = HEAD_OFFSET) -> List[PlacedObject]:
    """Place one object per label, retrying positions that hide too much.

    An object that finds no place within ``PLACEMENT_TRIES`` is left out;
    the first one always fits. ``head_area`` and ``head_offset`` are passed
    to :func:`sample_object`; ``object_size`` is the range of an object's
    longer side over the shorter image side, whose top shrinks by 0.08 per
    object after the first.
    """
    size = (object_size[0], object_size[1] - 0.08 * (len(labels) - 1))
    placed: List[PlacedObject] = []
    for label in labels:
        for _ in range(PLACEMENT_TRIES):
            body, head = (
                fill_polygon(shape, points)
                for points in sample_object(rng, shape, size, head_area,
                                            head_offset))
            candidate = (label, body, head)
            if visible_enough(shape, placed + [candidate]):
                placed.append(candidate)
                break
    return placed


def texture_mix(rng: np.random.Generator,
                shape: Shape,
                kind: int,
                scale: float = 1.0) -> np.ndarray:
    """Noise that mixes the two colours of a body texture.

    Args:
        rng (np.random.Generator): The random generator.
        shape (tuple[int, int]): ``(H, W)`` of the result.
        kind (int): 0 mottled (smooth blotches), 1 spotted (blurred spots),
            2 streaked (noise blurred along one image axis).
        scale (float): Size of the texture's features relative to the
            default. Defaults to 1.

    Returns:
        np.ndarray: ``(H, W)`` float32 mix in [0, 1].
    """
    if kind == 0:
        return smooth_noise(rng, shape,
                            max(2, int(rng.integers(5, 12) / scale)))[..., 0]
    if kind == 1:
        cells = max(4, int(min(shape) // 5 / scale))
        spots = smooth_noise(rng, shape, cells)[..., 0] > 0.62
        return cv2.GaussianBlur(spots.astype(np.float32), (0, 0), 0.8 * scale)
    fine = rng.random(shape, dtype=np.float32)
    sigma = rng.uniform(0.5, 1.5, 2) * scale
    sigma[rng.integers(2)] *= 4
    mix = cv2.GaussianBlur(fine, (0, 0), sigma[0], sigmaY=sigma[1])
    return np.clip((mix - 0.5) * 6 + 0.5, 0, 1)


def shaded_mix(base: np.ndarray, second: np.ndarray, mix: np.ndarray,
               mask: np.ndarray) -> np.ndarray:
    """Mix two colours by ``mix`` and shade darker towards ``mask``'s outline.

    Args:
        base (np.ndarray): ``(3,)`` RGB colour where ``mix`` is 0.
        second (np.ndarray): ``(3,)`` RGB colour where ``mix`` is 1.
        mix (np.ndarray): ``(H, W)`` mix in [0, 1].
        mask (np.ndarray): ``(H, W)`` bool mask of the object.

    Returns:
        np.ndarray: ``(H, W, 3)`` float32 texture in [0, 1].
    """
    depth = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    shade = 0.65 + 0.35 * np.clip(depth / (0.35 * depth.max() + 1e-6), 0, 1)
    mix, shade = mix[..., None], shade[..., None]
    return (base * (1 - mix) + second * mix) * shade


def body_texture(rng: np.random.Generator,
                 mask: np.ndarray,
                 avoid: np.ndarray,
                 class_index: Optional[int] = None) -> np.ndarray:
    """Texture of a body (or a body-like distractor), alike for all classes.

    Two nearby colours mixed by noise of one of three kinds (mottled, spotted
    or streaked, see :func:`texture_mix`), shaded darker towards the outline.
    The base colour is the first of a few draws that stands out from
    ``avoid``, the mean colour of the background under the body. The kind is
    random, except that with probability ``BODY_CUE`` a body takes the kind
    of its class (``class_index % 3``): bodies carry a weak cue shared by a
    third of the classes, as the bodies of VOC's animals share fur, so a
    classifier fires strongly on heads and weakly on bodies. Distractors
    (``class_index`` None) always draw the kind at random.

    Returns:
        np.ndarray: ``(H, W, 3)`` float32 texture in [0, 1].
    """
    for _ in range(4):
        base = random_colour(rng, (0.15, 0.55), (0.35, 0.8))
        if np.abs(base - avoid).sum() > 0.45:
            break
    second = hsv_colour(
        colorsys.rgb_to_hsv(*base)[0] + rng.uniform(-0.08, 0.08),
        rng.uniform(0.15, 0.55), rng.uniform(0.35, 0.8))
    kind = rng.integers(3)
    if class_index is not None and rng.random() < BODY_CUE:
        kind = class_index % 3
    return shaded_mix(base, second, texture_mix(rng, mask.shape, kind), mask)


def head_texture(rng: np.random.Generator, mask: np.ndarray,
                 class_index: int) -> np.ndarray:
    """Texture of a head: the class sets the hue and the pattern.

    Args:
        rng (np.random.Generator): The random generator.
        mask (np.ndarray): ``(H, W)`` bool mask of the head.
        class_index (int): 0-based class index, below ``MAX_CLASSES``.

    Returns:
        np.ndarray: ``(H, W, 3)`` float32 texture in [0, 1].
    """
    hue = HEAD_HUES[class_index % len(HEAD_HUES)] + rng.uniform(-0.02, 0.02)
    colour = hsv_colour(hue, rng.uniform(0.85, 1.0), rng.uniform(0.8, 1.0))
    pattern = HEAD_PATTERNS[class_index // len(HEAD_HUES)]
    radius = np.sqrt(mask.sum() / np.pi)
    ys, xs = np.nonzero(mask)
    y, x = np.ogrid[:mask.shape[0], :mask.shape[1]]
    if pattern == 'plain':
        other, mix = colour, np.zeros(mask.shape, np.float32)
    elif pattern == 'stripes':
        other = colour * 0.15
        mix = stripes(mask.shape, max(2.0, 0.6 * radius),
                      rng.uniform(0, np.pi))
    elif pattern == 'checker':
        other = np.full(3, 0.95, np.float32)
        cell = max(2.0, 0.5 * radius)
        mix = ((np.floor(x / cell) + np.floor(y / cell)) % 2).astype(
            np.float32)
    else:
        other = colour * 0.08
        mix = ((x - xs.mean())**2 + (y - ys.mean())**2
               < (0.5 * radius)**2).astype(np.float32)
    mix = mix[..., None]
    return colour * (1 - mix) + other * mix


def draw_clutter(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """Draw textured clutter: smooth colour fields, stripes and patches.

    Returns:
        np.ndarray: ``(H, W, 3)`` float32 image in [0, 1].
    """
    colours = [random_colour(rng, (0.0, 0.6), (0.2, 0.9)) for _ in range(2)]
    mix = smooth_noise(rng, shape, int(rng.integers(2, 6)))
    image = colours[0] * (1 - mix) + colours[1] * mix
    image += (smooth_noise(rng, shape, int(rng.integers(6, 16)), 3) - 0.5) \
        * 0.2
    if rng.random() < 0.5:
        y, x = np.ogrid[:shape[0], :shape[1]]
        angle = rng.uniform(0, 2 * np.pi)
        cos, sin = np.cos(angle), np.sin(angle)
        cut = np.dot(shape[::-1], (cos, sin)) / 2
        half = x * cos + y * sin > cut + rng.uniform(-0.5, 0.5) * min(shape)
        lines = stripes(shape, rng.uniform(3, 10), rng.uniform(0, np.pi))
        shade = 0.6 * (half * lines)[..., None]
        tint = random_colour(rng, (0.0, 0.7), (0.2, 0.9))
        image = image * (1 - shade) + tint * shade
    for _ in range(int(rng.integers(1, 6))):
        patch = random_blob(rng, shape, (0.1, 0.4))
        colour = random_colour(rng, (0.0, 0.7), (0.15, 0.95))
        texture = colour * (0.8 + 0.4 * smooth_noise(rng, shape, 6))
        image = blend(image, texture, patch)
    return image


def add_distractors(
        rng: np.random.Generator, image: np.ndarray,
        texture: BodyTexture) -> Tuple[np.ndarray, np.ndarray]:
    """Add 0-2 body-like blobs without a head to a background.

    Args:
        rng (np.random.Generator): The random generator.
        image (np.ndarray): ``(H, W, 3)`` float32 background in [0, 1].
        texture (BodyTexture): The body texture of the scene style, called
            with ``class_index`` None.

    Returns:
        tuple[np.ndarray, np.ndarray]: the ``(H, W, 3)`` image and the
        ``(H, W)`` bool mask of the blobs.
    """
    shape = image.shape[:2]
    distractors = np.zeros(shape, bool)
    for _ in range(int(rng.choice(3, p=[0.5, 0.35, 0.15]))):
        blob = random_blob(rng, shape, (0.08, 0.3), (0.1, 0.9))
        if blob.any():
            image = blend(image, texture(rng, blob, image[blob].mean(0),
                                         None), blob)
            distractors |= blob
    return image, distractors


def ignore_boundaries(labels: np.ndarray) -> np.ndarray:
    """Mark ``IGNORE_INDEX`` on a 2-px band where two labels meet, as VOC."""
    kernel = np.ones((3, 3), np.uint8)
    edge = cv2.dilate(labels, kernel) != cv2.erode(labels, kernel)
    return np.where(edge, np.uint8(IGNORE_INDEX), labels)


def simulate_saliency(rng: np.random.Generator, instances: np.ndarray,
                      distractors: np.ndarray) -> np.ndarray:
    """Imitate the output of an off-the-shelf salient object detector.

    A per-image quality in (0, 1) sets how often and how badly the map errs:
    each object gets its own strength, the smallest object may be missed, a
    chunk of an object may be dropped, a distractor on the background may be
    added, the extent is grown or shrunk by a few pixels, and the result is
    blurred and gets low-frequency noise.

    Args:
        rng (np.random.Generator): The random generator.
        instances (np.ndarray): ``(H, W)`` uint8 instance map.
        distractors (np.ndarray): ``(H, W)`` bool body-like blobs.

    Returns:
        np.ndarray: ``(H, W)`` uint8 saliency, 0-255.
    """
    shape, side = instances.shape, min(instances.shape)
    miss = 1 - rng.beta(4.0, 1.5)
    count = int(instances.max())
    strength = np.zeros(count + 1, np.float32)
    strength[1:] = rng.uniform(0.9 - 0.35 * miss, 1.0, count)
    if count > 1 and rng.random() < 0.1 + 0.4 * miss:
        strength[np.argmin(np.bincount(instances.ravel())[1:]) + 1] = 0
    saliency = strength[instances]
    if rng.random() < 0.15 + 0.5 * miss and count:
        centre = np.unravel_index(
            rng.choice(np.flatnonzero(instances)), shape)[::-1]
        chunk = np.zeros(shape, np.uint8)
        axes = (rng.uniform(0.08, 0.25, 2) * side).astype(int) + 1
        cv2.ellipse(chunk, tuple(map(int, centre)), tuple(map(int, axes)),
                    rng.uniform(0, 180), 0, 360, 1, -1)
        saliency[chunk > 0] *= rng.uniform(0, 0.3)
    if rng.random() < 0.1 + 0.5 * miss:
        blob = distractors & (instances == 0)
        if not blob.any():
            blob = random_blob(rng, shape, (0.05, 0.2))
        saliency = np.maximum(saliency, blob * rng.uniform(0.3, 0.8))
    grow = int(rng.integers(-2, 3))
    if grow:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE,
                                           (2 * abs(grow) + 1, ) * 2)
        morph = cv2.dilate if grow > 0 else cv2.erode
        saliency = morph(saliency, kernel)
    saliency = cv2.GaussianBlur(saliency, (0, 0),
                                max(1.0, side / 128) * (1 + 3 * miss))
    saliency += (smooth_noise(rng, shape, 4)[..., 0] - 0.5) * 0.3 * miss
    return np.round(np.clip(saliency, 0, 1) * 255).astype(np.uint8)


def sample_labels(rng: np.random.Generator, num_classes: int) -> List[int]:
    """Draw 1-3 distinct classes, one of them sometimes with 2 instances."""
    count = min(int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])), num_classes)
    classes = rng.choice(num_classes, size=count, replace=False) + 1
    labels = [int(c) for c in classes]
    if rng.random() < 0.2:
        labels.append(int(rng.choice(classes)))
    return [labels[i] for i in rng.permutation(len(labels))]


def draw_shape(rng: np.random.Generator,
               image_size: Tuple[int, int]) -> Shape:
    """Draw ``(H, W)``, each side in the range ``image_size`` (inclusive)."""
    return tuple(
        int(s) for s in rng.integers(image_size[0], image_size[1] + 1, 2))


def compose_scene(rng: np.random.Generator,
                  image: np.ndarray,
                  distractors: np.ndarray,
                  objects: List[PlacedObject],
                  texture: BodyTexture,
                  contexts: Tuple[str, ...] = ()) -> SyntheticScene:
    """Draw the objects on a background and derive the annotations.

    Each body gets ``texture`` (with its 0-based class index), each head
    :func:`head_texture`; then photometric noise is added and the mask, the
    part and instance maps and the saliency map are derived.

    Args:
        rng (np.random.Generator): The random generator.
        image (np.ndarray): ``(H, W, 3)`` float32 background in [0, 1].
        distractors (np.ndarray): ``(H, W)`` bool body-like blobs of the
            background.
        objects (list[PlacedObject]): The placed objects, in drawing order.
        texture (BodyTexture): The body texture of the scene style.
        contexts (tuple[str]): Names of the context regions of the
            background. Defaults to none.

    Returns:
        SyntheticScene: The scene.
    """
    for label, body, head in objects:
        full = body | head
        image = blend(image, texture(rng, full, image[full].mean(0),
                                     label - 1), body)
        image = blend(image, head_texture(rng, head, label - 1), head)
    labels, parts, instances = paint(image.shape[:2], objects)
    image += rng.normal(0, rng.uniform(0.005, 0.02), image.shape)
    return SyntheticScene(
        image=np.round(np.clip(image, 0, 1) * 255).astype(np.uint8),
        mask=ignore_boundaries(labels),
        parts=parts,
        instances=instances,
        classes=tuple(label for label, _, _ in objects),
        saliency=simulate_saliency(rng, instances, distractors),
        contexts=contexts)


def render_scene(rng: np.random.Generator,
                 num_classes: int,
                 image_size: Tuple[int, int],
                 empty: bool = False) -> SyntheticScene:
    """Draw one scene with its mask, part map and saliency.

    Args:
        rng (np.random.Generator): The random generator; the scene depends
            on it only.
        num_classes (int): Number of foreground classes, at most
            ``MAX_CLASSES``.
        image_size (tuple[int, int]): Range ``(min, max)`` of each image
            side in pixels; height and width are drawn independently.
        empty (bool): Draw the cluttered background only, without objects
            (an image without any annotated object). Defaults to False.

    Returns:
        SyntheticScene: The scene.
    """
    shape = draw_shape(rng, image_size)
    image, distractors = add_distractors(rng, draw_clutter(rng, shape),
                                         body_texture)
    labels = [] if empty else sample_labels(rng, num_classes)
    objects = place_objects(rng, shape, labels)
    return compose_scene(rng, image, distractors, objects, body_texture)
