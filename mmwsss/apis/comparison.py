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
in the order given, in this process. The benchmark is written (or checked)
once, by the first pipeline; the others take its record. With
``processes = N`` (N > 1; at most the number of cores), N pipelines at a
time then run in processes of their own, each on its own cores
(:func:`~mmwsss.utils.cores.split_cores`) with one torch thread per core:
processes that share cores slow each other down several times, while these
small networks use one core better than two (see README, "Sharing a
machine"). A pipeline's figures depend on its thread count (float
reductions round differently, and trainings amplify it). The table has one
row per result (seed mIoU, best background score, pseudo-mask mIoU,
segmentation mIoU and background IoU) and one column per pipeline, then the
difference; it is printed and written to ``results.md`` / ``results.json``
in the work dir.
"""
import multiprocessing
import os.path as osp
from concurrent.futures import ProcessPoolExecutor, wait
from typing import Dict, List, Optional

from mmengine.config import Config

from mmwsss.utils import (available_cores, check_option_keys, split_cores,
                          use_cores)
from .pipeline import RESULTS, WSSSPipeline, markdown_table, write_results
from .steps import load_record, write_record


def _take_cores(queue: multiprocessing.Queue) -> None:
    """Pin a worker process to the next free core set of ``queue``."""
    use_cores(queue.get())


def _run_pipeline(pipeline: WSSSPipeline, label: str) -> Dict:
    """Run a pipeline in a worker process, one full line per step."""
    return pipeline.run(quiet=True, label=label, show=False, inline=False)


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
        check_option_keys(
            'the comparison config',
            {k: v
             for k, v in cfg.items() if not k.startswith('_')},
            ('benchmark', 'seed', 'compare', 'difference', 'processes'))
        for member in members:
            check_option_keys('compare', member, ('name', 'config', 'until'))
        names = [member['name'] for member in members]
        difference = tuple(cfg.get('difference') or ())
        if len(difference) != 2 or not set(difference) <= set(names):
            raise ValueError(f'difference must name two of {names} (the '
                             f'first minus the second), got {difference}.')
        self.cfg = cfg
        self.work_dir = osp.abspath(work_dir)
        self.difference = difference
        # at most one process per core: the main job also runs on one core
        self.core_sets = split_cores(
            min(cfg.get('processes', 1), len(available_cores())))
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
        labels = {name: f'[{name:<{width}}] ' for name in self.pipelines}
        self._write_benchmark(labels)
        if len(self.core_sets) == 1:
            results = {
                name: pipeline.run(quiet=True, label=labels[name], show=False)
                for name, pipeline in self.pipelines.items()
            }
        else:
            results = self._run_in_processes(labels)
        return self.report(results)

    def _write_benchmark(self, labels: Dict[str, str]) -> None:
        """Run the first pipeline's benchmark step (the one step that writes
        outside a pipeline's work dir) and give its record to the others
        that have none: they share the comparison's benchmark."""
        name, first = next(iter(self.pipelines.items()))
        first.run(
            quiet=True,
            label=labels[name],
            show=False,
            until='benchmark',
            inline=len(self.core_sets) == 1)
        record = load_record(first.work_dir, 'benchmark')
        for pipeline in self.pipelines.values():
            if load_record(pipeline.work_dir, 'benchmark') is None:
                write_record(pipeline.work_dir, 'benchmark', record)

    def _run_in_processes(self, labels: Dict[str, str]) -> Dict[str, Dict]:
        """Run the pipelines in worker processes on disjoint cores; raise the
        first failure once every pipeline has stopped."""
        context = multiprocessing.get_context('spawn')
        queue = context.Queue()
        for cores in self.core_sets:
            queue.put(cores)
        with ProcessPoolExecutor(
                len(self.core_sets),
                mp_context=context,
                initializer=_take_cores,
                initargs=(queue, )) as pool:
            futures = {
                name: pool.submit(_run_pipeline, pipeline, labels[name])
                for name, pipeline in self.pipelines.items()
            }
            wait(futures.values())
        return {name: future.result() for name, future in futures.items()}

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
