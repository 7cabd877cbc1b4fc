"""Safe reading and writing of ``cls_labels.npy`` image-label files.

WSSS repositories ship image-level labels as ``cls_labels.npy``: a numpy
object array holding a pickled ``dict`` that maps an image id to a multi-hot
vector of the foreground classes, read there with
``np.load(path, allow_pickle=True).item()``. Unpickling runs arbitrary code, so
this module reads the pickle with an unpickler that only resolves the handful
of numpy globals such a file needs, and refuses anything else.
"""
import io
import pickle
from typing import Dict

import numpy as np

from mmwsss.utils import atomic_write_bytes

# The only globals a pickled dict of numpy arrays refers to.
_ALLOWED_GLOBALS = {
    ('numpy.core.multiarray', '_reconstruct'),
    ('numpy._core.multiarray', '_reconstruct'),
    ('numpy.core.multiarray', 'scalar'),
    ('numpy._core.multiarray', 'scalar'),
    ('numpy', 'ndarray'),
    ('numpy', 'dtype'),
    ('_codecs', 'encode'),
}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that resolves nothing but numpy array reconstruction."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f'global {module}.{name} is not allowed in a label file')
        return super().find_class(module, name)


def load_cls_labels(path: str, num_classes: int) -> Dict[str, np.ndarray]:
    """Read a ``cls_labels.npy`` file without trusting its pickle.

    Args:
        path (str): Path of the ``.npy`` file.
        num_classes (int): Number of foreground classes every vector must
            have.

    Returns:
        dict[str, np.ndarray]: Image id -> float32 multi-hot of shape
        ``(num_classes,)``.

    Raises:
        ValueError: If the file is not a ``.npy`` dict of multi-hot vectors,
            naming the file and the offending key.
    """
    with open(path, 'rb') as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                _, _, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                _, _, dtype = np.lib.format.read_array_header_2_0(f)
            if dtype != np.dtype(object):
                raise ValueError(f'expected a pickled dict, got dtype {dtype}')
            array = _NumpyOnlyUnpickler(f).load()
        except (ValueError, pickle.UnpicklingError, EOFError) as e:
            raise ValueError(f'{path} is not a cls_labels.npy file: {e}') \
                from e
    labels = array.item() if isinstance(array, np.ndarray) else array
    if not isinstance(labels, dict):
        raise ValueError(f'{path} must hold a dict of image id -> labels, '
                         f'got {type(labels).__name__}.')
    result = {}
    for key, value in labels.items():
        vector = np.asarray(value, dtype=np.float32)
        if vector.shape != (num_classes, ) or not np.isin(vector,
                                                          (0, 1)).all():
            raise ValueError(
                f'{path}: the label of {key!r} must be a 0/1 vector of '
                f'{num_classes} foreground classes, got {value!r}.')
        result[str(key)] = vector
    return result


def save_cls_labels(path: str, labels: Dict[str, np.ndarray]) -> None:
    """Write image labels in the ``cls_labels.npy`` format, atomically.

    Args:
        path (str): Destination ``.npy`` file.
        labels (dict[str, np.ndarray]): Image id -> multi-hot vector.
    """
    buffer = io.BytesIO()
    np.save(buffer, {k: np.asarray(v, np.float32) for k, v in labels.items()})
    atomic_write_bytes(path, buffer.getvalue())
