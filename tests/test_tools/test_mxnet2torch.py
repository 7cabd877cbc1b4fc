import importlib.util
import os
import os.path as osp
import re
import struct
import subprocess
import sys

import numpy as np
import pytest
import torch

from mmwsss.models.backbones import ResNet38d

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'model_converters', 'mxnet2torch.py')
WIDTH_DIV = 16

_spec = importlib.util.spec_from_file_location('mxnet2torch', TOOL)
mxnet2torch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mxnet2torch)

# dtype flags of MXNet
FLAGS = {
    np.dtype(np.float32): 0,
    np.dtype(np.float64): 1,
    np.dtype(np.float16): 2,
    np.dtype(np.uint8): 3,
    np.dtype(np.int32): 4,
    np.dtype(np.int8): 5,
    np.dtype(np.int64): 6
}
MAGICS = {'v1': 0xF993FAC8, 'v2': 0xF993FAC9, 'v3': 0xF993FACA}


def mxnet_name(key):
    """MXNet name of a ResNet38d state dict key, written from the naming
    scheme of the ImageNet file."""
    bn_names = {
        'weight': ('arg', 'gamma'),
        'bias': ('arg', 'beta'),
        'running_mean': ('aux', 'moving_mean'),
        'running_var': ('aux', 'moving_var')
    }
    if key == 'conv1a.weight':
        return 'arg:conv1a_weight'
    parts = key.split('.')
    if parts[0] == 'bn7':
        prefix, suffix = bn_names[parts[1]]
        return f'{prefix}:bn7_{suffix}'
    block, layer, param = parts
    match = re.fullmatch(r'b(\d)(?:_(\d))?', block)
    unit = 'a' if match.group(2) is None else f'b{match.group(2)}'
    kind, branch = layer.split('_', 1)
    if kind == 'conv':
        return f'arg:res{match.group(1)}{unit}_{branch}_weight'
    prefix, suffix = bn_names[param]
    return f'{prefix}:bn{match.group(1)}{unit}_{branch}_{suffix}'


def encode_array(array, variant):
    """Bytes of one NDArray record in the given header variant."""
    array = np.asarray(array)
    out = bytearray()
    if variant == 'legacy':
        out += struct.pack(f'<I{array.ndim}I', array.ndim, *array.shape)
    else:
        out += struct.pack('<I', MAGICS[variant])
        if variant in ('v2', 'v3'):
            out += struct.pack('<i', 0)  # dense storage
        out += struct.pack(f'<I{array.ndim}q', array.ndim, *array.shape)
    if array.ndim == 0 and variant != 'v3':
        return bytes(out)
    out += struct.pack('<ii', 1, 0)  # cpu(0)
    out += struct.pack('<i', FLAGS[array.dtype])
    out += array.astype(array.dtype.newbyteorder('<')).tobytes(order='C')
    return bytes(out)


def encode_list(named_arrays, variant='legacy', records=None):
    """Bytes of an NDArray list file; ``records`` replaces the encoded
    arrays when given."""
    names = list(named_arrays)
    if records is None:
        records = [encode_array(a, variant) for a in named_arrays.values()]
    out = bytearray(struct.pack('<QQ', 0x112, 0))
    out += struct.pack('<Q', len(records))
    for record in records:
        out += record
    out += struct.pack('<Q', len(names))
    for name in names:
        raw = name.encode('utf-8')
        out += struct.pack('<Q', len(raw)) + raw
    return bytes(out)


def tiny_arrays(seed=0):
    """Random MXNet-named arrays of a ResNet38d with ``WIDTH_DIV``, plus the
    classifier, conv1a stored as float16."""
    rng = np.random.default_rng(seed)
    model = ResNet38d(width_div=WIDTH_DIV)
    arrays = {}
    for key, value in model.state_dict().items():
        if key.endswith('num_batches_tracked'):
            continue
        array = rng.standard_normal(tuple(value.shape)).astype(np.float32)
        if key.endswith('running_var'):
            array = np.abs(array) + 0.5
        arrays[mxnet_name(key)] = array
    arrays['arg:conv1a_weight'] = arrays['arg:conv1a_weight'].astype(
        np.float16)
    arrays['arg:linear1000_weight'] = rng.standard_normal(
        (10, 4096 // WIDTH_DIV)).astype(np.float32)
    arrays['arg:linear1000_bias'] = np.zeros(10, np.float32)
    return arrays


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)
    return str(path)


@pytest.mark.parametrize('variant', ['legacy', 'v1', 'v2', 'v3'])
def test_convert_and_load(tmp_path, variant):
    arrays = tiny_arrays()
    path = write(tmp_path / 'w.params', encode_list(arrays, variant))
    loaded = mxnet2torch.load_ndarray_list(path)
    assert list(loaded) == list(arrays)
    assert loaded['arg:conv1a_weight'].dtype == np.float16
    for name, array in arrays.items():
        np.testing.assert_array_equal(loaded[name], array)

    state_dict = mxnet2torch.convert_resnet38d(loaded)
    assert len(state_dict) == len(arrays) - 2
    assert all(v.dtype == torch.float32 for v in state_dict.values())
    mxnet2torch.check_shapes({
        k: v.shape
        for k, v in state_dict.items()
    }, WIDTH_DIV)

    model = ResNet38d(width_div=WIDTH_DIV)
    model.load_state_dict(state_dict, strict=True)
    model_state = model.state_dict()
    for key in model_state:
        if key.endswith('num_batches_tracked'):
            continue
        expected = torch.from_numpy(arrays[mxnet_name(key)].astype(np.float32))
        assert torch.equal(model_state[key], expected), key


def test_full_size_name_mapping():
    with torch.device('meta'):
        model = ResNet38d()
    shapes = {
        k: tuple(v.shape)
        for k, v in model.state_dict().items()
        if not k.endswith('num_batches_tracked')
    }
    assert shapes == mxnet2torch.expected_shapes()
    # 43 convolutions, 4 tensors for each of the 37 BN layers
    assert len(shapes) == 43 + 4 * 37
    names = [mxnet_name(k) for k in shapes]
    names += ['arg:linear1000_weight', 'arg:linear1000_bias']
    mapped = {}
    for name in names:
        key = mxnet2torch.map_name(name)
        if key is not None:
            mapped[key] = shapes[key]
    assert mapped == shapes
    mxnet2torch.check_shapes(mapped)

    literal = {
        'arg:conv1a_weight': 'conv1a.weight',
        'arg:res2a_branch2a_weight': 'b2.conv_branch2a.weight',
        'arg:res2b1_branch1_weight': 'b2_1.conv_branch1.weight',
        'arg:res4b5_branch2b1_weight': 'b4_5.conv_branch2b1.weight',
        'arg:res7a_branch2b2_weight': 'b7.conv_branch2b2.weight',
        'arg:bn2a_branch2a_gamma': 'b2.bn_branch2a.weight',
        'arg:bn2a_branch2a_beta': 'b2.bn_branch2a.bias',
        'aux:bn2a_branch2a_moving_mean': 'b2.bn_branch2a.running_mean',
        'aux:bn6a_branch2b2_moving_var': 'b6.bn_branch2b2.running_var',
        'arg:bn7_gamma': 'bn7.weight',
        'aux:bn7_moving_var': 'bn7.running_var',
        'arg:linear1000_weight': None,
        'arg:linear1000_bias': None,
    }
    for name, key in literal.items():
        assert mxnet2torch.map_name(name) == key
    assert shapes['b7.conv_branch2b1.weight'] == (2048, 1024, 3, 3)
    assert shapes['b5.conv_branch2a.weight'] == (512, 512, 3, 3)


def test_check_shapes_reports_problems():
    shapes = mxnet2torch.expected_shapes(WIDTH_DIV)
    shapes.pop('b3.conv_branch1.weight')
    shapes['bn7.weight'] = (3, )
    shapes['b9.conv_branch1.weight'] = (1, )
    with pytest.raises(ValueError) as info:
        mxnet2torch.check_shapes(shapes, WIDTH_DIV)
    message = str(info.value)
    for part in ('b3.conv_branch1.weight', 'bn7.weight',
                 'b9.conv_branch1.weight', 'missing', 'unexpected'):
        assert part in message


@pytest.mark.parametrize('name', [
    'arg:fc8_weight', 'arg:res2a_branch3_weight', 'arg:bn2a_branch2a_weight',
    'arg:res2a_branch2a_gamma', 'aux:bn8_moving_mean'
])
def test_unknown_name(name):
    with pytest.raises(ValueError, match=re.escape(repr(name))):
        mxnet2torch.map_name(name)
    with pytest.raises(ValueError, match=re.escape(repr(name))):
        mxnet2torch.convert_resnet38d({name: np.zeros(1, np.float32)})


def test_convert_rejects_integer_arrays():
    with pytest.raises(ValueError, match='arg:bn7_gamma'):
        mxnet2torch.convert_resnet38d({'arg:bn7_gamma': np.zeros(4, np.int32)})


def test_other_dtypes_and_empty_arrays(tmp_path):
    arrays = {
        'a': np.arange(6, dtype=np.float64).reshape(2, 3),
        'b': np.arange(4, dtype=np.int64),
        'c': np.arange(3, dtype=np.uint8),
        'd': np.arange(-2, 2, dtype=np.int8),
        'e': np.arange(5, dtype=np.int32),
    }
    for variant in ('legacy', 'v1', 'v2'):
        records = [encode_array(a, variant) for a in arrays.values()]
        records.append(encode_array(np.zeros(()), variant))  # empty
        named = dict(arrays, empty=None)
        path = write(tmp_path / f'{variant}.nd',
                     encode_list(named, records=records))
        loaded = mxnet2torch.load_ndarray_list(path)
        for name, array in arrays.items():
            assert loaded[name].dtype == array.dtype
            np.testing.assert_array_equal(loaded[name], array)
        assert loaded['empty'].size == 0
    # V3 follows numpy shapes: ndim 0 is a scalar with data
    path = write(tmp_path / 'v3.nd',
                 encode_list({'s': np.array(2.5, np.float32)}, 'v3'))
    assert mxnet2torch.load_ndarray_list(path)['s'] == 2.5


def test_truncated_files(tmp_path):
    data = encode_list(tiny_arrays(), 'v2')
    cuts = [0, 7, 16, 20, 30, 100, len(data) // 2, len(data) - 3]
    for cut in cuts:
        path = write(tmp_path / f'cut{cut}.params', data[:cut])
        with pytest.raises(mxnet2torch.MXNetFormatError) as info:
            mxnet2torch.load_ndarray_list(path)
        message = str(info.value)
        assert path in message and 'offset' in message
        assert 'truncated' in message
    # an absurd length is caught before anything is allocated
    bad = bytearray(encode_list({'x': np.zeros(2, np.float32)}, 'v1'))
    struct.pack_into('<q', bad, 32, 2**40)  # the dim after magic and ndim
    path = write(tmp_path / 'huge.params', bytes(bad))
    with pytest.raises(mxnet2torch.MXNetFormatError, match='array #0 data'):
        mxnet2torch.load_ndarray_list(path)


def test_bad_headers(tmp_path):
    good = {'arg:bn7_gamma': np.ones(4, np.float32)}
    data = bytearray(encode_list(good, 'v2'))

    bad = bytearray(data)
    struct.pack_into('<Q', bad, 0, 0x113)
    path = write(tmp_path / 'magic.params', bytes(bad))
    with pytest.raises(
            mxnet2torch.MXNetFormatError, match=r'offset 0: magic 0x113'):
        mxnet2torch.load_ndarray_list(path)

    bad = bytearray(data)
    struct.pack_into('<I', bad, 24, 0xDEADBEEF)
    path = write(tmp_path / 'array_magic.params', bytes(bad))
    with pytest.raises(
            mxnet2torch.MXNetFormatError,
            match=r'array #0 at byte offset 24: unknown '
            r'array magic 0xDEADBEEF'):
        mxnet2torch.load_ndarray_list(path)

    bad = bytearray(data)
    struct.pack_into('<i', bad, 28, 1)
    path = write(tmp_path / 'sparse.params', bytes(bad))
    with pytest.raises(mxnet2torch.MXNetFormatError, match='row_sparse'):
        mxnet2torch.load_ndarray_list(path)

    # header 24, magic 4, storage type 4, ndim 4, dim 8, context 8
    flag_offset = 24 + 4 + 4 + 4 + 8 + 8
    bad = bytearray(data)
    struct.pack_into('<i', bad, flag_offset, 9)
    path = write(tmp_path / 'dtype.params', bytes(bad))
    with pytest.raises(
            mxnet2torch.MXNetFormatError,
            match=f'offset {flag_offset}: unknown dtype flag 9'):
        mxnet2torch.load_ndarray_list(path)

    records = [encode_array(np.ones(4, np.float32), 'v2')] * 2
    path = write(tmp_path / 'count.params', encode_list(good, records=records))
    with pytest.raises(
            mxnet2torch.MXNetFormatError, match='2 arrays but 1 names'):
        mxnet2torch.load_ndarray_list(path)

    path = write(tmp_path / 'trailing.params', bytes(data) + b'\0')
    with pytest.raises(mxnet2torch.MXNetFormatError, match='trailing'):
        mxnet2torch.load_ndarray_list(path)

    records = [encode_array(np.ones(4, np.float32), 'v2')] * 2
    data = bytearray(encode_list({'ab': None, 'cd': None}, records=records))
    data[-2:] = b'ab'
    path = write(tmp_path / 'duplicate.params', bytes(data))
    with pytest.raises(
            mxnet2torch.MXNetFormatError,
            match="name #1.*duplicate name 'ab'"):
        mxnet2torch.load_ndarray_list(path)


def test_cli(tmp_path):
    src = write(tmp_path / 'w.params', encode_list(tiny_arrays(1), 'legacy'))
    dst = str(tmp_path / 'out' / 'r38.pth')
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [REPO, env.get('PYTHONPATH')]))
    result = subprocess.run([
        sys.executable, TOOL, src, dst, '--check', '--width-div',
        str(WIDTH_DIV)
    ],
                            capture_output=True,
                            text=True,
                            env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    num_tensors = len(mxnet2torch.expected_shapes(WIDTH_DIV))
    assert f'Converted {num_tensors} tensors' in result.stdout
    assert os.listdir(tmp_path / 'out') == ['r38.pth']

    checkpoint = torch.load(dst, weights_only=True)
    assert checkpoint['meta']['source'] == 'w.params'
    assert checkpoint['meta']['dropped'] == [
        'arg:linear1000_weight', 'arg:linear1000_bias'
    ]
    model = ResNet38d(
        width_div=WIDTH_DIV, init_cfg=dict(type='Pretrained', checkpoint=dst))
    model.init_weights()
    for key, value in checkpoint['state_dict'].items():
        assert torch.equal(model.state_dict()[key], value), key


def test_check_flag_refuses_other_width(tmp_path):
    src = write(tmp_path / 'w.params', encode_list(tiny_arrays(), 'v1'))
    dst = tmp_path / 'r38.pth'
    with pytest.raises(ValueError, match='do not fit ResNet38d'):
        mxnet2torch.main([src, str(dst), '--check'])
    assert not dst.exists()
    mxnet2torch.main([src, str(dst), '--check', '--width-div', '16'])
    assert dst.exists()
