"""The PPC terms of mmwsss on the cases of the authors' fixture.

Runs the shipped SEAM + PPC and EPS + PPC plug-ins (identity projection,
view 1 resized as the authors) on the six cases of
``tests/data/authors/ppc_loss.pt`` and prints, per case and term,
the authors' value next to ours (the mean of ``--draws`` draws: the
intra-view term is random). Run it on another checkout of mmwsss (e.g. an
older commit) to measure what a change of behaviour does::

    python benchmarks/ppc_fixture_losses.py [--topk-ties torch] \
        [--pixel-centres]
    PYTHONPATH=OTHER_CHECKOUT python benchmarks/ppc_fixture_losses.py
"""
import argparse
import os.path as osp

import torch
import torch.nn.functional as F
from mmengine.config import Config
from torch import nn

from mmwsss.registry import MODELS
from mmwsss.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TERMS = (('loss_cross_proto', 'cross_prototype'),
         ('loss_cross_label', 'cross_pseudo_label'), ('loss_intra',
                                                      'intra_mean'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--fixture',
        default=osp.join(ROOT, 'tests', 'data', 'authors', 'ppc_loss.pt'))
    parser.add_argument('--draws', type=int, default=100)
    parser.add_argument(
        '--topk-ties', help='override the plug-in\'s topk_ties')
    parser.add_argument(
        '--pixel-centres',
        action='store_true',
        help='resize view 1 with align_corners=False')
    args = parser.parse_args()
    register_all_modules()
    shipped = {
        variant: Config.fromfile(osp.join(ROOT, 'configs', 'ppc', leaf))
        for variant, leaf in (
            ('seam', 'ppc-seam_r38d_1xb8-8e_voc12aug-448x448.py'),
            ('eps', 'ppc-eps_r38d_1xb8-20k_voc12aug-448x448.py'))
    }
    cases = torch.load(args.fixture, weights_only=True)['cases']
    print('| case | ' + ' | '.join(f'{name} authors / ours'
                                   for _, name in TERMS) + ' |')
    print('|---|' + '---|' * len(TERMS))
    for case in cases:
        seam = case['variant'] == 'seam'
        contrast_cfg = dict(
            shipped[case['variant']].model.contrast,
            bg_index=0 if seam else -1)
        if args.topk_ties:
            contrast_cfg['topk_ties'] = args.topk_ties
        contrast = MODELS.build(contrast_cfg)
        contrast.projection = nn.Identity()

        def resize(x: torch.Tensor) -> torch.Tensor:
            return F.interpolate(
                x,
                case['f2'].shape[-2:],
                mode='bilinear',
                align_corners=not args.pixel_centres)

        torch.manual_seed(0)
        total = {name: 0. for name, _ in TERMS}
        for _ in range(args.draws):
            losses = contrast.loss((case['f1'], case['f2']),
                                   (case['cam1'], case['cam2']),
                                   case['labels'], resize)
            for name in total:
                total[name] += losses[name].item() / args.draws
        cells = [
            f'{float(case[key]):.4f} / {total[name]:.4f}'
            for name, key in TERMS
        ]
        print(f"| {case['variant']}-{case['scenario']} | " +
              ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
