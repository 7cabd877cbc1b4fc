"""Convert the MXNet ImageNet weights of ResNet-38 into a ResNet38d checkpoint.

The source is the MXNet ``.params`` file of the ImageNet-trained wide
ResNet-38 (``ilsvrc-cls_rna-a1_cls1000_ep-0001.params``). The file is read
directly (no MXNet needed); the output is a PyTorch checkpoint
``{'state_dict': ..., 'meta': ...}`` that
``ResNet38d(init_cfg=dict(type='Pretrained', checkpoint=DST))`` loads.

Usage::

    python tools/model_converters/mxnet2torch.py SRC DST [--check]

An MXNet NDArray list file is, in little-endian byte order:

- uint64 list magic ``0x112``, uint64 reserved;
- uint64 number of arrays, then each array:

  - uint32 magic. ``0xF993FAC9`` (V2) and ``0xF993FACA`` (V3) are followed
    by an int32 storage type (only 0, dense, is supported) and the shape;
    ``0xF993FAC8`` (V1) by the shape. The shape is an int32 ``ndim`` and
    ``ndim`` int64 dims. Any other value is the ``ndim`` of a legacy shape,
    followed by ``ndim`` uint32 dims;
  - an array without shape (``ndim`` 0, or an unknown shape in V3, where
    ``ndim`` 0 is a scalar) is empty and ends there;
  - int32 device type, int32 device id, int32 dtype flag;
  - the data, C order;

- uint64 number of names, then each name as uint64 length + UTF-8 bytes.
"""
import argparse
import io
import math
import os
import os.path as osp
import re
import struct
from collections import OrderedDict
from typing import BinaryIO, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch

from mmwsss.models.backbones import ResNet38d
from mmwsss.utils.io import atomic_write_bytes

LIST_MAGIC = 0x112
V1_MAGIC = 0xF993FAC8
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA
MAX_NDIM = 32
DTYPES = {
    0: np.dtype('<f4'),
    1: np.dtype('<f8'),
    2: np.dtype('<f2'),
    3: np.dtype('u1'),
    4: np.dtype('<i4'),
    5: np.dtype('i1'),
    6: np.dtype('<i8'),
}
STORAGE_TYPES = {1: 'row_sparse', 2: 'csr'}

# names of the ImageNet classifier, which the backbone has no use for
DROPPED_NAMES = ('linear1000_weight', 'linear1000_bias')
BN_SUFFIXES = {
    'gamma': 'weight',
    'beta': 'bias',
    'moving_mean': 'running_mean',
    'moving_var': 'running_var',
}
_BLOCK = (r'(?P<stage>\d+)(?:a|b(?P<index>\d+))'
          r'_branch(?P<branch>1|2a|2b1|2b2)')
_CONV_NAME = re.compile(rf'res{_BLOCK}_weight')
_BN_NAME = re.compile(rf'bn{_BLOCK}_(?P<param>{"|".join(BN_SUFFIXES)})')
_BN7_NAME = re.compile(rf'bn7_(?P<param>{"|".join(BN_SUFFIXES)})')


class MXNetFormatError(ValueError):
    """Raised when a file is not a well-formed MXNet NDArray list."""


class _Reader:
    """Reads little-endian values from a file, with errors that tell where.

    Args:
        path (str): The file name, for the error messages.
        stream (BinaryIO): The open file.
    """

    def __init__(self, path: str, stream: BinaryIO) -> None:
        self.path = path
        self.stream = stream
        self.size = os.fstat(stream.fileno()).st_size

    @property
    def offset(self) -> int:
        """int: The current byte offset."""
        return self.stream.tell()

    def error(self,
              what: str,
              message: str,
              offset: Optional[int] = None) -> MXNetFormatError:
        """Build an error naming the file, the offset and the item."""
        offset = self.offset if offset is None else offset
        return MXNetFormatError(
            f'{self.path}: {what} at byte offset {offset}: {message}')

    def check_left(self, nbytes: int, what: str) -> None:
        """Raise if fewer than ``nbytes`` bytes are left in the file."""
        left = self.size - self.offset
        if nbytes > left:
            raise self.error(
                what, f'needs {nbytes} bytes but only {left} are left '
                '(truncated or corrupt file).')

    def read(self, nbytes: int, what: str) -> bytes:
        """Read exactly ``nbytes`` bytes."""
        self.check_left(nbytes, what)
        data = self.stream.read(nbytes)
        if len(data) != nbytes:
            raise self.error(what, 'unexpected end of file.')
        return data

    def unpack(self, fmt: str, what: str) -> tuple:
        """Read and unpack one little-endian ``struct`` format."""
        fmt = '<' + fmt
        return struct.unpack(fmt, self.read(struct.calcsize(fmt), what))

    def array(self, dtype: np.dtype, shape: Tuple[int, ...],
              what: str) -> np.ndarray:
        """Read a C-order array of ``dtype`` and ``shape``."""
        count = math.prod(shape)
        self.check_left(count * dtype.itemsize, what)
        out = np.empty(count, dtype=dtype)
        if self.stream.readinto(out.view(np.uint8)) != out.nbytes:
            raise self.error(what, 'unexpected end of file.')
        return out.reshape(shape)


def _read_shape(reader: _Reader, what: str, legacy_ndim: Optional[int],
                np_shape: bool) -> Optional[Tuple[int, ...]]:
    """Read the shape of one array.

    Args:
        reader (_Reader): The reader, placed after the array magic (and the
            storage type).
        what (str): The array, for the error messages.
        legacy_ndim (int, optional): The ndim of a legacy shape (the value
            read in place of a magic), None for a V1/V2/V3 shape.
        np_shape (bool): Whether the shape follows the V3 convention, where
            ndim -1 or a dim -1 means unknown and ndim 0 is a scalar.

    Returns:
        tuple[int] | None: The shape, or None for an empty array.
    """
    offset = reader.offset
    if legacy_ndim is None:
        ndim, = reader.unpack('i', what + ' ndim')
    else:
        ndim = legacy_ndim
    if np_shape and ndim == -1:
        return None
    if not 0 <= ndim <= MAX_NDIM:
        raise reader.error(what, f'invalid ndim {ndim}.', offset)
    dim_fmt = 'I' if legacy_ndim is not None else 'q'
    shape = reader.unpack(dim_fmt * ndim, what + ' shape')
    if np_shape and -1 in shape:
        return None
    if any(d < 0 for d in shape):
        raise reader.error(what, f'invalid shape {shape}.', offset)
    if ndim == 0 and not np_shape:
        return None
    return shape


def _read_array(reader: _Reader, what: str) -> np.ndarray:
    """Read one NDArray record.

    Args:
        reader (_Reader): The reader, placed at the record.
        what (str): The array, for the error messages.

    Returns:
        np.ndarray: The array (float32 with no element for an empty one).
    """
    magic_offset = reader.offset
    magic, = reader.unpack('I', what + ' magic')
    if magic in (V2_MAGIC, V3_MAGIC):
        stype, = reader.unpack('i', what + ' storage type')
        if stype != 0:
            name = STORAGE_TYPES.get(stype, 'unknown')
            raise reader.error(
                what, f'storage type {stype} ({name}) is not supported, '
                'only dense arrays are.', magic_offset)
        shape = _read_shape(reader, what, None, magic == V3_MAGIC)
    elif magic == V1_MAGIC:
        shape = _read_shape(reader, what, None, False)
    else:
        if magic > MAX_NDIM:
            raise reader.error(
                what, f'unknown array magic 0x{magic:08X} (neither a known '
                'version nor the ndim of a legacy array).', magic_offset)
        shape = _read_shape(reader, what, magic, False)
    if shape is None:
        return np.empty(0, dtype=np.float32)
    reader.unpack('ii', what + ' context')
    flag_offset = reader.offset
    flag, = reader.unpack('i', what + ' dtype flag')
    if flag not in DTYPES:
        raise reader.error(what, f'unknown dtype flag {flag}.', flag_offset)
    return reader.array(DTYPES[flag], shape, what + ' data')


def load_ndarray_list(path: str) -> Dict[str, np.ndarray]:
    """Load an MXNet NDArray list file (``.params``, ``.nd``).

    Args:
        path (str): The file.

    Returns:
        dict[str, np.ndarray]: The arrays by name (e.g.
        ``'arg:conv1a_weight'``), in file order, with native byte order.

    Raises:
        MXNetFormatError: If the file is truncated or malformed, has an
            unknown magic or dtype, a sparse array, duplicate names or a
            number of names different from the number of arrays.
    """
    with open(path, 'rb') as stream:
        reader = _Reader(path, stream)
        magic, _ = reader.unpack('QQ', 'file header')
        if magic != LIST_MAGIC:
            raise reader.error(
                'file header', f'magic 0x{magic:X} is not the NDArray list '
                f'magic 0x{LIST_MAGIC:X}; not an MXNet NDArray file.', 0)
        num_arrays, = reader.unpack('Q', 'number of arrays')
        arrays = []
        for i in range(num_arrays):
            arrays.append(_read_array(reader, f'array #{i}'))
        count_offset = reader.offset
        num_names, = reader.unpack('Q', 'number of names')
        if num_names != num_arrays:
            raise reader.error(
                'number of names', f'the file holds {num_arrays} arrays but '
                f'{num_names} names.', count_offset)
        result = OrderedDict()
        for i, array in enumerate(arrays):
            name_offset = reader.offset
            length, = reader.unpack('Q', f'name #{i} length')
            raw = reader.read(length, f'name #{i}')
            try:
                name = raw.decode('utf-8')
            except UnicodeDecodeError as e:
                raise reader.error(f'name #{i}', f'not UTF-8 ({e}).',
                                   name_offset) from e
            if name in result:
                raise reader.error(f'name #{i}', f'duplicate name {name!r}.',
                                   name_offset)
            result[name] = array.astype(
                array.dtype.newbyteorder('='), copy=False)
        if reader.offset != reader.size:
            raise reader.error(
                'end of file', f'{reader.size - reader.offset} unexpected '
                'trailing bytes.')
    return result


def map_name(name: str) -> Optional[str]:
    """Map an MXNet ResNet-38 parameter name to its ResNet38d name.

    Args:
        name (str): The MXNet name, with or without its ``arg:``/``aux:``
            prefix, e.g. ``'arg:res4b5_branch2b1_weight'``.

    Returns:
        str | None: The ResNet38d name (``'b4_5.conv_branch2b1.weight'``), or
        None for the ImageNet classifier, which is dropped.

    Raises:
        ValueError: If the name is not part of the naming scheme.
    """
    key = name.split(':', 1)[1] if name.startswith(('arg:', 'aux:')) else name
    if key in DROPPED_NAMES:
        return None
    if key == 'conv1a_weight':
        return 'conv1a.weight'
    match = _BN7_NAME.fullmatch(key)
    if match:
        return f'bn7.{BN_SUFFIXES[match["param"]]}'
    match = _CONV_NAME.fullmatch(key) or _BN_NAME.fullmatch(key)
    if match is None:
        raise ValueError(f'Unknown MXNet parameter name {name!r}: it is not '
                         'a ResNet-38 parameter.')
    block = f'b{match["stage"]}'
    if match['index'] is not None:
        block += f'_{match["index"]}'
    if 'param' in match.groupdict():
        return (f'{block}.bn_branch{match["branch"]}.'
                f'{BN_SUFFIXES[match["param"]]}')
    return f'{block}.conv_branch{match["branch"]}.weight'


def convert_resnet38d(
        arrays: Mapping[str, np.ndarray]) -> 'OrderedDict[str, torch.Tensor]':
    """Convert MXNet ResNet-38 arrays into a ResNet38d state dict.

    Floating arrays become float32 tensors; the classifier is dropped.

    Args:
        arrays (Mapping[str, np.ndarray]): The arrays by MXNet name, as
            returned by :func:`load_ndarray_list`.

    Returns:
        OrderedDict[str, torch.Tensor]: The state dict, in file order.

    Raises:
        ValueError: On an unknown name, a non-floating array or two names
            mapped to the same parameter.
    """
    state_dict = OrderedDict()
    sources = {}
    for name, array in arrays.items():
        key = map_name(name)
        if key is None:
            continue
        if key in state_dict:
            raise ValueError(f'{name!r} and {sources[key]!r} both map to '
                             f'{key!r}.')
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(f'{name!r} has dtype {array.dtype}, expected a '
                             'floating array.')
        state_dict[key] = torch.from_numpy(
            np.ascontiguousarray(array, dtype=np.float32))
        sources[key] = name
    return state_dict


def expected_shapes(width_div: int = 1) -> Dict[str, Tuple[int, ...]]:
    """Shapes of the parameters and buffers a checkpoint gives ResNet38d.

    The backbone is built on the ``meta`` device, so no memory is allocated
    for its weights. The BN ``num_batches_tracked`` counters are left out:
    PyTorch fills them in when a state dict without them is loaded.

    Args:
        width_div (int): ``width_div`` of the backbone. Defaults to 1.

    Returns:
        dict[str, tuple[int]]: Shape by state dict key.
    """
    with torch.device('meta'):
        model = ResNet38d(width_div=width_div)
    return {
        key: tuple(value.shape)
        for key, value in model.state_dict().items()
        if not key.endswith('num_batches_tracked')
    }


def check_shapes(shapes: Mapping[str, Sequence[int]],
                 width_div: int = 1) -> None:
    """Check converted keys and shapes against ResNet38d.

    Args:
        shapes (Mapping[str, Sequence[int]]): Shape by converted key.
        width_div (int): ``width_div`` of the backbone. Defaults to 1.

    Raises:
        ValueError: Listing the unexpected, missing and mismatched keys.
    """
    expected = expected_shapes(width_div)
    problems = []
    unexpected = [k for k in shapes if k not in expected]
    missing = [k for k in expected if k not in shapes]
    mismatched = [
        f'{k}: {tuple(s)} vs {expected[k]}' for k, s in shapes.items()
        if k in expected and tuple(s) != expected[k]
    ]
    if unexpected:
        problems.append(f'unexpected keys: {unexpected}')
    if missing:
        problems.append(f'missing keys: {missing}')
    if mismatched:
        problems.append(f'shape mismatches (converted vs ResNet38d): '
                        f'{mismatched}')
    if problems:
        raise ValueError('The converted weights do not fit ResNet38d ('
                         f'width_div={width_div}): ' + '; '.join(problems))


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Convert the MXNet ImageNet weights of ResNet-38 into a '
        'ResNet38d checkpoint.')
    parser.add_argument('src', help='the MXNet .params file')
    parser.add_argument('dst', help='the output checkpoint (.pth)')
    parser.add_argument(
        '--check',
        action='store_true',
        help='check that the converted keys and shapes are exactly those '
        'of ResNet38d')
    parser.add_argument(
        '--width-div',
        type=int,
        default=1,
        help='width_div of the ResNet38d that --check compares with')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Run the converter.

    Args:
        argv (Sequence[str], optional): The arguments, without the program
            name. Defaults to None, meaning ``sys.argv[1:]``.
    """
    args = parse_args(argv)
    arrays = load_ndarray_list(args.src)
    state_dict = convert_resnet38d(arrays)
    if args.check:
        shapes = {key: value.shape for key, value in state_dict.items()}
        check_shapes(shapes, args.width_div)
    checkpoint = {
        'state_dict': state_dict,
        'meta': {
            'arch': 'ResNet38d',
            'source': osp.basename(args.src),
            'dropped': [n for n in arrays if map_name(n) is None],
        },
    }
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write_bytes(args.dst, buffer.getvalue())
    print(f'Converted {len(state_dict)} tensors from {args.src} '
          f'to {args.dst}.')


if __name__ == '__main__':
    main()
