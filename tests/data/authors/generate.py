"""Regenerate the authors' side-by-side fixtures of this folder.

Runs the authors' own code, unmodified, on CPU and saves what it computes:

* ``eps_loss.pt``: ``get_eps_loss`` of halbielee/EPS (``eps.py``) and of the
  PPC authors' EPS + PPC branch (usr922/wseg ``esp``, ``eps.py``) on fixed
  CAM logits, saliency maps and labels: the loss and the predicted
  saliency map (their ``sal_pred``).
* ``inference.pt``: the CAM inference scripts (multi-scale, flip, CAM
  upsampling, normalisation, seeds) of each method on two small images,
  with the tiny stand-in backbone of
  ``tests/test_models/test_utils/authors_standin.py`` under the authors'
  network classes (their heads, PCM and upsampling are kept):
  ``infer.py`` of halbielee/EPS for CAM (``network_type='cls'``) and EPS,
  ``contrast_infer.py`` of wseg ``esp`` for EPS + PPC, ``infer_SEAM.py`` of
  YudeWang/SEAM for SEAM and ``contrast_infer.py`` of wseg ``master`` for
  SEAM + PPC.

Usage (each path a work tree of the authors' repository)::

    python tests/data/authors/generate.py --eps EPS --seam SEAM \\
        --wseg-master WSEG_MASTER --wseg-esp WSEG_ESP

Their scripts assume a GPU and some packages that only serve other steps;
for a CPU run this script, in each child process, makes ``.cuda()`` a no-op,
gives one "device" to their thread pools, restores Pillow's removed
``Image.CUBIC`` alias (of ``Image.BICUBIC``) and numpy's ragged object arrays
(``np.array`` of a list of ``(foreground, background)`` map pairs, which
numpy < 1.24 made and their ``infer.py`` relies on), and stubs the imports
that the inference never calls (``torchvision`` but ``transforms.Compose``,
``imageio`` / ``scipy.misc`` writers by PIL, ``tqdm``, ``pydensecrf``,
``pandas``).
"""
import argparse
import contextlib
import importlib
import os
import os.path as osp
import runpy
import subprocess
import sys
import tempfile
import time
import types
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.join(HERE, '..', '..', 'test_models', 'test_utils'))
from authors_standin import STANDIN_CHANNELS, StandInBackbone  # noqa: E402

NAMES = ['2007_000001', '2007_000002']
SIZES = [(37, 45), (29, 42)]  # odd sizes: round() halves at scale 0.5, 1.5
LABELS = [[2, 7, 14], [0, 19]]
NUM_CLASSES = 20

# method: (repository argument, script, stand-in network, extra arguments)
METHODS = {
    'cam': ('eps', 'infer.py', 'standin_cls', ['--thr', '0.20']),
    'eps': ('eps', 'infer.py', 'standin_eps', ['--thr', '0.20']),
    'eps_ppc':
    ('wseg_esp', 'contrast_infer.py', 'standin_eps', ['--thr', '0.22']),
    'seam': ('seam', 'infer_SEAM.py', 'standin_seam', []),
    'seam_ppc': ('wseg_master', 'contrast_infer.py', 'standin_contrast', []),
}
BG_THR = dict(cam=0.20, eps=0.20, eps_ppc=0.22, seam=0.26, seam_ppc=0.26)


# ----------------------------------------------------------------- inputs
def make_images(sizes: Sequence[Tuple[int, int]] = SIZES,
                seed: int = 0) -> List[np.ndarray]:
    """RGB uint8 images of ``sizes``: smooth colour fields, a block and
    noise."""
    rng = np.random.default_rng(seed)
    images = []
    for h, w in sizes:
        y, x = np.mgrid[:h, :w].astype(np.float64)
        img = np.stack([
            128 + 90 * np.sin(x / (3 + c) + c) * np.cos(y / (4 + c) - c)
            for c in range(3)
        ], -1)
        img[h // 4:h // 2, w // 3:2 * w // 3] = rng.uniform(0, 255, 3)
        img += rng.normal(0, 12, img.shape)
        images.append(np.clip(np.round(img), 0, 255).astype(np.uint8))
    return images


def make_weights(seed: int = 0) -> Dict[str, torch.Tensor]:
    """Stand-in backbone and head weights (seeded, large enough to give
    maps with contrast)."""
    torch.manual_seed(seed)
    c4, c5, c6 = STANDIN_CHANNELS
    backbone = StandInBackbone()
    for conv in backbone.convs:
        nn.init.normal_(conv.weight)
        nn.init.normal_(conv.bias, std=0.1)
    weights = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    weights.update(
        fc8=2 * torch.randn(NUM_CLASSES + 1, c6, 1, 1),
        f8_3=torch.randn(c4, c4, 1, 1),
        f8_4=torch.randn(c5, c5, 1, 1),
        f9=torch.randn(8, 3 + c4 + c5, 1, 1),
        fc_proj=torch.randn(4, c6, 1, 1))
    return weights


def make_eps_loss_cases() -> List[Dict[str, torch.Tensor]]:
    """A random batch, and a case where the per-pixel 1e-4 flips a class."""
    g = torch.Generator().manual_seed(0)
    random_case = dict(
        cam=3 * torch.randn(2, NUM_CLASSES + 1, 12, 14, generator=g),
        saliency=torch.rand(2, 1, 24, 28, generator=g).pow(0.5),
        label=(torch.rand(2, NUM_CLASSES, generator=g) < 0.3).float(),
        tau=0.4,
        lam=0.5)
    random_case['label'][:, 3] = 1  # at least one class per image
    # class 5: 2 confident pixels, 1 salient: 1 / (2 + 1e-4) > 0.49 but
    # 1 / (2 + 1e-4 * 21 * 21) < 0.49 (the authors add 1e-4 per pixel)
    cam = torch.zeros(1, NUM_CLASSES + 1, 21, 21)
    cam[0, NUM_CLASSES] = 5.
    cam[0, 5, 0, :2] = 10.
    cam[0, 9, 10:14, 10:14] = 10.
    saliency = torch.zeros(1, 1, 21, 21)
    saliency[0, 0, 0, 0] = 1.
    saliency[0, 0, 9:15, 9:15] = 0.9
    label = torch.zeros(1, NUM_CLASSES)
    label[0, [5, 9]] = 1
    edge_case = dict(
        cam=cam, saliency=saliency, label=label, tau=0.49, lam=0.5)
    return [random_case, edge_case]


# ---------------------------------------------------------- child process
def patch_for_cpu() -> None:
    """Run GPU-only scripts on CPU; stub imports the inference never uses."""
    torch.Tensor.cuda = lambda self, *args, **kwargs: self
    nn.Module.cuda = lambda self, *args, **kwargs: self
    torch.cuda.device = lambda *args, **kwargs: contextlib.nullcontext()
    torch.cuda.device_count = lambda: 1
    torch.nn.parallel.replicate = lambda module, devices, *a, **k: [module]
    Image.CUBIC = Image.BICUBIC  # the alias that Pillow 10 removed
    array = np.array

    def ragged_array(obj, *args, **kwargs):
        try:
            return array(obj, *args, **kwargs)
        except ValueError:  # numpy < 1.24 made an object array instead
            if args or kwargs:
                raise
            return array(obj, dtype=object)

    np.array = ragged_array

    def write_png(path, array):
        Image.fromarray(np.asarray(array).astype(np.uint8)).save(path)

    def stub(name, **attrs):
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
        return module

    class Compose:

        def __init__(self, funcs):
            self.funcs = funcs

        def __call__(self, x):
            for func in self.funcs:
                x = func(x)
            return x

    functional = stub('torchvision.transforms.functional')
    transforms = stub(
        'torchvision.transforms', Compose=Compose, functional=functional)
    stub('torchvision', transforms=transforms)
    stub('imageio', imwrite=write_png, imsave=write_png)
    stub('tqdm', tqdm=lambda iterable, *args, **kwargs: iterable)

    def unused(name):
        raise NotImplementedError(f'{name} is not part of CAM inference')

    crf = {
        n: stub(n, __getattr__=lambda attr: lambda *a, **k: unused(attr))
        for n in ('pydensecrf.utils', 'pydensecrf.densecrf')
    }
    stub(
        'pydensecrf',
        densecrf=crf['pydensecrf.densecrf'],
        utils=crf['pydensecrf.utils'])
    stub('pandas')
    import scipy
    scipy.misc = stub('scipy.misc', imsave=write_png)


def register_standin(name: str, weights: Dict[str, torch.Tensor]) -> None:
    """Module ``name`` with the authors' network class on the stand-in."""
    network, parts = {
        'standin_cls': ('network.resnet38_cls', ()),
        'standin_eps': ('network.resnet38_eps', ()),
        'standin_seam': ('network.resnet38_SEAM', ('pcm', )),
        'standin_contrast': ('network.resnet38_contrast', ('pcm', 'proj')),
    }[name]
    base = importlib.import_module(network).Net
    backbone = importlib.import_module('network.resnet38d')
    num_classes = NUM_CLASSES + (name != 'standin_cls')
    fc8 = weights['fc8'][:num_classes]

    class Net(base):
        """The authors' network with the stand-in backbone and small heads."""

        def __init__(self, *args):  # their constructors: () or (classes)
            nn.Module.__init__(self)
            self.backbone = StandInBackbone()
            self.fc8 = nn.Conv2d(fc8.shape[1], num_classes, 1, bias=False)
            if 'pcm' in parts:
                self.dropout7 = nn.Dropout2d(0.5)
                for key in ('f8_3', 'f8_4', 'f9'):
                    out, inp = weights[key].shape[:2]
                    setattr(self, key, nn.Conv2d(inp, out, 1, bias=False))
            if 'proj' in parts:
                out, inp = weights['fc_proj'].shape[:2]
                self.fc_proj = nn.Conv2d(inp, out, 1, bias=False)
            self.not_training = []
            self.normalize = backbone.Normalize()

    def standin_features(self, x):
        return dict(zip(('conv4', 'conv5', 'conv6'), self.backbone(x)))

    # their heads call resnet38d.Net.forward_as_dict through super()
    backbone.Net.forward_as_dict = standin_features
    module = types.ModuleType(name)
    module.Net = Net
    sys.modules[name] = module
    net = Net()
    state = {k: weights[k] for k in net.state_dict() if k in weights}
    state['fc8.weight'] = fc8
    for key in ('f8_3', 'f8_4', 'f9', 'fc_proj'):
        if f'{key}.weight' in net.state_dict():
            state[f'{key}.weight'] = weights[key]
    net.load_state_dict(state)
    torch.save(net.state_dict(), 'weights.pth')


def write_dataset(images: List[np.ndarray],
                  names: Sequence[str] = NAMES,
                  classes_of: Sequence[Sequence[int]] = LABELS) -> None:
    """The images (PNG data under .jpg names), lists and label files."""
    os.makedirs('JPEGImages')
    for name, img in zip(names, images):
        Image.fromarray(img).save(f'JPEGImages/{name}.jpg', format='PNG')
    labels = {}
    for name, classes in zip(names, classes_of):
        label = np.zeros(NUM_CLASSES, np.float32)
        label[classes] = 1
        labels[name] = label
    for folder in ('metadata/voc12', 'data/voc12', 'voc12'):
        os.makedirs(folder)
        np.save(f'{folder}/cls_labels.npy', labels)
    with open('ids.txt', 'w') as f:
        f.write('\n'.join(names))
    with open('voc_list.txt', 'w') as f:  # the SEAM list format
        f.write('\n'.join(f'/JPEGImages/{n}.jpg' for n in names))


def run_inference(method: str,
                  repo: str,
                  images: Optional[List[np.ndarray]] = None,
                  names: Sequence[str] = NAMES,
                  classes_of: Sequence[Sequence[int]] = LABELS) -> dict:
    """Run one authors' inference script in the current directory, on
    ``images`` (default :func:`make_images`); ``seconds`` is the script's
    wall time."""
    _, script, network, extra = METHODS[method]
    write_dataset(make_images() if images is None else images, names,
                  classes_of)
    register_standin(network, make_weights())
    if script == 'infer.py' or method == 'eps_ppc':
        argv = [
            '--weights', 'weights.pth', '--network', network, '--infer_list',
            'ids.txt', '--img_root', 'JPEGImages', '--n_gpus', '1',
            '--n_processes_per_gpu', '1', '--cam_npy', 'cam_npy', '--cam_png',
            'cam_png'
        ] + (['--dataset', 'voc12'] if script == 'infer.py' else [])
    else:
        os.makedirs('cam_npy')
        os.makedirs('cam_png')
        argv = [
            '--weights', 'weights.pth', '--network', network, '--infer_list',
            'voc_list.txt', '--voc12_root', '.', '--num_workers', '1',
            '--out_cam', 'cam_npy', '--out_cam_pred', 'cam_png'
        ]
    sys.argv = [osp.join(repo, script)] + argv + extra
    start = time.perf_counter()
    runpy.run_path(sys.argv[0], run_name='__main__')
    out = dict(cams=[], seeds=[], seconds=time.perf_counter() - start)
    for name in names:
        cams = np.load(f'cam_npy/{name}.npy', allow_pickle=True).item()
        out['cams'].append(
            torch.from_numpy(np.stack([cams[k] for k in sorted(cams)])))
        out['seeds'].append(
            torch.from_numpy(np.array(Image.open(f'cam_png/{name}.png'))))
    return out


def run_eps_loss(repo: str) -> List[dict]:
    """``get_eps_loss`` of ``repo`` on the fixed cases."""
    get_eps_loss = importlib.import_module('eps').get_eps_loss
    outs = []
    for case in make_eps_loss_cases():
        args = (case['cam'], case['saliency'], case['label'], case['tau'],
                case['lam'])
        if 'num_classes' in get_eps_loss.__code__.co_varnames:  # EPS
            args = args[:2] + (NUM_CLASSES, ) + args[2:]
        loss, _, _, sal_pred = get_eps_loss(*args, intermediate=True)
        outs.append(dict(loss=loss, sal_pred=sal_pred))
    return outs


def child(kind: str, repo: str, out: str) -> None:
    """Entry of a child process: run in a fresh temporary directory."""
    patch_for_cpu()
    sys.path.insert(0, repo)
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        result = run_eps_loss(repo) if kind == 'eps_loss' else \
            run_inference(kind, repo)
    torch.save(result, out)


def spawn(kind: str, repo: str) -> object:
    """Run :func:`child` in a new interpreter and load its result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = osp.join(tmp, 'out.pt')
        subprocess.run([
            sys.executable,
            osp.abspath(__file__), '--child', kind, '--repo', repo, '--out',
            out
        ],
                       check=True)
        return torch.load(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--eps', help='halbielee/EPS work tree')
    parser.add_argument('--seam', help='YudeWang/SEAM work tree')
    parser.add_argument('--wseg-master', help='usr922/wseg master')
    parser.add_argument('--wseg-esp', help='usr922/wseg esp (EPS + PPC)')
    parser.add_argument('--out', default=HERE)
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--repo', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, osp.abspath(args.repo), args.out)
    repos = dict(
        eps=args.eps,
        seam=args.seam,
        wseg_master=args.wseg_master,
        wseg_esp=args.wseg_esp)
    missing = [k for k, v in repos.items() if not v]
    if missing:
        parser.error(f'give the work trees of: {missing}')
    repos = {k: osp.abspath(v) for k, v in repos.items()}
    cases = make_eps_loss_cases()
    torch.save(
        dict(
            cases=cases,
            eps=spawn('eps_loss', repos['eps']),
            eps_ppc=spawn('eps_loss', repos['wseg_esp'])),
        osp.join(args.out, 'eps_loss.pt'))
    methods = {}
    for method, (repo, script, _, _) in METHODS.items():
        result = spawn(method, repos[repo])
        del result['seconds']
        methods[method] = dict(result, script=script, bg_thr=BG_THR[method])
    torch.save(
        dict(
            names=NAMES,
            images=[torch.from_numpy(img) for img in make_images()],
            labels=LABELS,
            weights=make_weights(),
            methods=methods), osp.join(args.out, 'inference.pt'))


if __name__ == '__main__':
    main()
