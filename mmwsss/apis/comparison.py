"""Pipelines side by side: a baseline, the same baseline with a plug-in,
and references, in one resumable command with one table.

A comparison config names the pipeline configs and which two to subtract::

    benchmark = dict(out_dir='data/synthetic_voc_v2', seed=0, version=2)
    seed = 0
    compare = [
        dict(name='SEAM', config='configs/pipeline/seam_...py'),
        dict(name='SEAM + PPC', config='configs/pipeline/ppc-seam_...py'),
        dict(name='CAM', config='configs/pipeline/cam_...py',
             until='seeds'),                  # only stage 1 and its seeds
    ]
    difference = ('SEAM + PPC', 'SEAM')       # the first minus the second

Each pipeline runs in ``{work_dir}/{its config name}`` (resumable, as
:class:`WSSSPipeline`) with the comparison's ``benchmark`` and ``seed``,
in the order given, in this process. The table has one row per result
(seed mIoU, best background score, pseudo-mask mIoU, segmentation mIoU and
background IoU) and one column per pipeline, then the difference; it is
printed and written to ``results.md`` / ``results.json`` in the work dir.
"""
import os.path as osp
from typing import Dict, List, Optional

from mmengine.config import Config

from .pipeline import RESULTS, WSSSPipeline, markdown_table, write_results


class PipelineComparison:
    """Run the pipelines of a comparison config (see the module docstring).

    Args:
        cfg (Config): The comparison config.
        work_dir (str): Folder of every output.
    """

    def __init__(self, cfg: Config, work_dir: str) -> None:
        members = cfg.get('compare')
        if not members:
            raise ValueError('A comparison config needs compare = [dict('
                             'name=..., config=...), ...].')
        names = [member['name'] for member in members]
        difference = tuple(cfg.get('difference') or ())
        if len(difference) != 2 or not set(difference) <= set(names):
            raise ValueError(f'difference must name two of {names} (the '
                             f'first minus the second), got {difference}.')
        self.cfg = cfg
        self.work_dir = osp.abspath(work_dir)
        self.difference = difference
        self.pipelines: Dict[str, WSSSPipeline] = {}
        for member in members:
            if not osp.isfile(member.get('config', '')):
                raise FileNotFoundError(
                    f'compare: {member["name"]} needs config, an existing '
                    f'pipeline config; got {member.get("config")}.')
            member_cfg = Config.fromfile(member['config'])
            for key in ('benchmark', 'seed'):
                if key in cfg:
                    member_cfg[key] = cfg[key]
            stem = osp.splitext(osp.basename(member['config']))[0]
            self.pipelines[member['name']] = WSSSPipeline(
                member_cfg,
                osp.join(self.work_dir, stem),
                until=member.get('until'),
                name=f'{stem}.')

    def run(self) -> Dict:
        """Run every pipeline (one console line per step), then print and
        write the table."""
        width = max(map(len, self.pipelines))
        results = {
            name: pipeline.run(
                quiet=True, label=f'[{name:<{width}}] ', show=False)
            for name, pipeline in self.pipelines.items()
        }
        return self.report(results)

    def report(self, results: Dict[str, Dict]) -> Dict:
        """Write and print the table of the pipelines' results.

        Args:
            results (dict[str, dict]): The results of each pipeline
                (:meth:`WSSSPipeline.report`), by name.

        Returns:
            dict: ``results`` of each pipeline and the ``difference``.
        """
        method, baseline = self.difference

        def cell(value: Optional[float], signed: bool = False) -> str:
            if value is None:
                return '-'
            return f'{value:+.2f}' if signed else f'{value:.2f}'

        rows: List[List[str]] = []
        difference = {}
        for key, _, _, header in RESULTS:
            values = [r.get(key) for r in results.values()]
            if all(value is None for value in values):
                continue
            both = (results[method].get(key), results[baseline].get(key))
            if None not in both:
                difference[key] = round(both[0] - both[1], 2)
            rows.append([header, *map(cell, values),
                         cell(difference.get(key), signed=True)])
        rows.append([
            'wall time (s)',
            *(f"{r['seconds']['total']:.0f}" for r in results.values()), ''
        ])
        table = markdown_table(
            ['', *results, f'{method} - {baseline}'], rows)
        total = sum(r['seconds']['total'] for r in results.values())
        text = (f'{table}\n\nWall time of the steps: {total:.0f} s. Logs and '
                f'outputs of each pipeline: {self.work_dir}/<pipeline>/.\n')
        summary = dict(results=results, difference=difference)
        write_results(self.work_dir, text, summary)
        print(f'\n{text}', flush=True)
        return summary
