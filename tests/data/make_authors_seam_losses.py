"""Generate ``authors_seam_losses.pt``: SEAM's losses computed by the authors.

The authors' code is not part of this project. This script imports it at run
time from work trees the user extracts (see ``authors_seam_losses.md``),
checks that each file is the exact blob named below, feeds it small seeded
tensors and saves the tensors and what the authors' code computed from them.

Three cases share the inputs:

- ``seam``: SEAM, ``YudeWang/SEAM`` ``train_SEAM.py`` (view 2 = view 1
  scaled by 0.3) with ``network/resnet38_SEAM.py``.
- ``seam_ppc``: SEAM + PPC, ``usr922/wseg`` branch ``master``
  ``contrast_train.py`` (view 2 = view 1 resized to 128x128) with
  ``network/resnet38_contrast.py``.
- ``eps_ppc``: EPS + PPC, ``usr922/wseg`` branch ``esp`` ``module/train.py``
  ``train_contrast`` with ``network/resnet38_contrast.py`` (background
  channel last).

In every case the authors' ``Net`` is built as is, then its backbone
(``resnet38d.Net.forward_as_dict``) is replaced by a function returning the
stored ``conv4`` / ``conv5`` / ``conv6`` of the view, its classifier ``fc8``
by the identity (so ``conv6`` is the CAM), and its PCM convolutions by small
ones with the stored weights; the model is in eval mode (no dropout).
``Tensor.cuda`` is made the identity. The statements of the training loop
from the view-2 resize to the ECR loss are then executed unchanged.

Usage::

    python tests/data/make_authors_seam_losses.py \\
        --seam SEAM_TREE --wseg-master WSEG_MASTER_TREE \\
        --wseg-esp WSEG_ESP_TREE [--out tests/data/authors_seam_losses.pt]
"""
import argparse
import contextlib
import hashlib
import importlib
import importlib.util
import os.path as osp
import sys
import types
from argparse import Namespace

import torch
import torch.nn as nn
import torch.nn.functional as F

#: the loss names of SEAM's loop (and SEAM + PPC's)
SEAM_OUTPUTS = dict(
    loss_cls1='loss_cls1',
    loss_cls2='loss_cls2',
    loss_minpool1='loss_rvmin1',
    loss_minpool2='loss_rvmin2',
    loss_er='loss_er',
    loss_ecr='loss_ecr')
#: per case: the work tree argument, the training file (its git blob and
#: the executed lines, 1-based, inclusive), the network module (its git
#: blob), and the names the executed lines give the stored losses
CASES = {
    'seam':
    dict(
        tree='seam',
        train=('train_SEAM.py', '213b4aef75b8f5978e5593846ce1f31774e34225',
               (104, 139)),
        net=('network.resnet38_SEAM',
             'd819feb5d2d09ab43b0b072ab2ee6a4e7c8c06b7'),
        outputs=SEAM_OUTPUTS),
    'seam_ppc':
    dict(
        tree='wseg_master',
        train=('contrast_train.py', 'c0e6acaec43b52a6f68921c583ef327d67b6690f',
               (130, 172)),
        net=('network.resnet38_contrast',
             'a84bd40dc5274529b3e214616e99a5699b09f087'),
        outputs=SEAM_OUTPUTS),
    'eps_ppc':
    dict(
        tree='wseg_esp',
        train=('module/train.py', '9277c0157fb35abb06a13b09d153e5fd86741a60',
               (396, 419)),
        net=('network.resnet38_contrast',
             'f07c5d62da0838483325aa55198efe154137f341'),
        outputs=dict(
            loss_cls1='loss_cls',
            loss_cls2='loss_cls2',
            loss_minpool1='loss_cls_rv1',
            loss_minpool2='loss_cls_rv2',
            loss_er='loss_er',
            loss_ecr='loss_ecr')),
}
#: view-2 input size per case (set by the authors' code) and its feature grid
VIEW2 = {
    'seam': ((19, 24), (3, 3)),
    'seam_ppc': ((128, 128), (16, 16)),
    'eps_ppc': ((128, 128), (16, 16))
}
#: modules the authors' files import that the loss code does not need
UNUSED_IMPORTS = ('torchvision', 'torchvision.transforms', 'tensorboardX',
                  'pydensecrf', 'pydensecrf.densecrf', 'pydensecrf.utils')


class _Unused(types.ModuleType):
    """Stand-in for an uninstalled module the executed code never calls."""

    def __getattr__(self, name):
        return _Unused(f'{self.__name__}.{name}')


def git_blob(path: str) -> str:
    """The git blob id of a file."""
    with open(path, 'rb') as f:
        data = f.read()
    return hashlib.sha1(b'blob %d\0' % len(data) + data).hexdigest()


@contextlib.contextmanager
def imported_from(root: str):
    """Import from ``root``; forget the modules it brought afterwards."""
    before = set(sys.modules)
    sys.path.insert(0, root)
    try:
        yield
    finally:
        sys.path.remove(root)
        for name in set(sys.modules) - before:
            del sys.modules[name]


def make_inputs() -> dict:
    """Seeded inputs shared by the cases (all float32 but ``img1``)."""
    torch.manual_seed(0)
    n, grid1 = 2, (8, 10)
    labels = torch.zeros(n, 20)
    labels[0, [0, 7]] = 1  # class 0 exercises EPS + PPC's max_onehot
    labels[1, [3, 14, 19]] = 1
    latent = torch.randn(n, 21, 4, 4) * 3

    def view(grid):
        cam = F.interpolate(latent, grid, mode='bilinear', align_corners=True)
        return dict(
            conv4=torch.randn(n, 4, *grid),
            conv5=torch.randn(n, 8, *grid),
            conv6=cam + 0.5 * torch.randn(n, 21, *grid))

    weights = dict(
        f8_3=nn.init.kaiming_normal_(torch.empty(2, 4, 1, 1)),
        f8_4=nn.init.kaiming_normal_(torch.empty(4, 8, 1, 1)),
        f9=nn.init.xavier_uniform_(torch.empty(6, 9, 1, 1), gain=4))
    return dict(
        # images are float16 so that they stay small; the authors' code ran
        # on their float32 values
        img1=torch.randn(n, 3, 64, 80).half(),
        labels=labels,
        view1=view(grid1),
        view2_small=view(VIEW2['seam'][1]),
        view2=view(VIEW2['seam_ppc'][1]),
        weights=weights)


def authors_model(net_cls, inputs: dict) -> nn.Module:
    """The authors' Net with the stand-ins described in the module doc."""
    model = net_cls()
    model.fc8 = nn.Identity()
    for name in ('fc_proj', 'proj_fc'):  # the unused projection of PPC
        if hasattr(model, name):
            setattr(model, name, nn.Conv2d(21, 8, 1, bias=False))
    for name, weight in inputs['weights'].items():
        conv = nn.Conv2d(weight.shape[1], weight.shape[0], 1, bias=False)
        conv.weight.data.copy_(weight)
        setattr(model, name, conv)
    model.eval()
    return model


def run_case(case: str, root: str, inputs: dict) -> dict:
    """Execute the authors' statements of ``case`` on ``inputs``."""
    spec = CASES[case]
    train_file, train_blob, (first, last) = spec['train']
    net_module, net_blob = spec['net']
    net_file = osp.join(root, *net_module.split('.')) + '.py'
    blobs = {osp.join(root, train_file): train_blob, net_file: net_blob}
    for path, blob in blobs.items():
        if git_blob(path) != blob:
            raise RuntimeError(f'{path} is not git blob {blob}.')
    view2_key = 'view2_small' if case == 'seam' else 'view2'
    img1 = inputs['img1'].float()
    feats = {
        tuple(img1.shape[-2:]): inputs['view1'],
        VIEW2[case][0]: inputs[view2_key]
    }

    def forward_as_dict(self, x):
        return dict(feats[tuple(x.shape[-2:])])

    with imported_from(root):
        train = importlib.import_module(train_file[:-3].replace('/', '.'))
        net = importlib.import_module(net_module)
        sys.modules['network.resnet38d'].Net.forward_as_dict = forward_as_dict
        model = authors_model(net.Net, inputs)
        refined = []
        pcm = model.PCM
        model.PCM = lambda cam, f: refined.append(pcm(cam, f)) or refined[-1]
        with open(osp.join(root, train_file)) as f:
            lines = f.read().splitlines()[first - 1:last]
        scope = dict(vars(train))
        scope.update(
            model=model,
            pack=(None, img1, inputs['labels']),
            img=img1,
            label=inputs['labels'],
            saliency=torch.zeros(len(img1), 1, *img1.shape[-2:]),
            args=Namespace(tau=0.4, alpha=0.5))
        code = compile('if True:\n' + '\n'.join(lines), train_file, 'exec')
        exec(code, scope)
    out = {k: scope[v].detach() for k, v in spec['outputs'].items()}
    out.update(
        cam_rv1=refined[0].detach(),
        cam_rv2=refined[1].detach(),
        view2_size=VIEW2[case][0],
        view2=view2_key,
        bg_index=-1 if case == 'eps_ppc' else 0,
        source=f'{train_file}@{train_blob} lines {first}-{last}, '
        f'{net_module}@{net_blob}')
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seam', required=True, help='YudeWang/SEAM tree')
    parser.add_argument(
        '--wseg-master', required=True, help='usr922/wseg master tree')
    parser.add_argument(
        '--wseg-esp', required=True, help='usr922/wseg esp tree')
    parser.add_argument(
        '--out',
        default=osp.join(osp.dirname(__file__), 'authors_seam_losses.pt'))
    args = parser.parse_args()
    missing = {
        name
        for name in UNUSED_IMPORTS
        if importlib.util.find_spec(name.split('.')[0]) is None
    }
    sys.modules.update({name: _Unused(name) for name in missing})
    torch.Tensor.cuda = lambda self, *a, **k: self
    roots = dict(
        seam=args.seam, wseg_master=args.wseg_master, wseg_esp=args.wseg_esp)
    inputs = make_inputs()
    cases = {
        case: run_case(case, roots[spec['tree']], inputs)
        for case, spec in CASES.items()
    }
    torch.save(
        dict(
            about='SEAM losses of the authors\' code on small tensors, made '
            'by tests/data/make_authors_seam_losses.py (see '
            'authors_seam_losses.md) with torch ' + torch.__version__,
            inputs=inputs,
            cases=cases), args.out)
    for case, out in cases.items():
        losses = {k: float(v) for k, v in out.items() if k.startswith('loss')}
        print(case, losses)


if __name__ == '__main__':
    main()
