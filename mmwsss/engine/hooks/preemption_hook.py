"""Stop training on SIGTERM / SIGINT with a checkpoint of the last
iteration."""
import itertools
import os
import os.path as osp
import signal
from typing import Iterator, Optional, Sequence, Tuple

import torch
from mmengine.dist import all_reduce, barrier, is_distributed, \
    is_main_process
from mmengine.hooks import CheckpointHook, Hook
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import Sampler

from mmwsss.registry import HOOKS
from mmwsss.utils import (SignalCatcher, atomic_write_bytes, checksum_path,
                          last_checkpoint, shield_workers)
from mmwsss.utils.signals import STOP_SIGNALS


class RestOfEpoch(Sampler):
    """The indices of ``sampler`` after its first ``skip`` ones: the part of
    an epoch that a run resumed from the middle of it has still to train.

    Args:
        sampler (Sampler): The data loader's sampler (its order, its epoch).
        skip (int): The number of indices already trained.
    """

    def __init__(self, sampler: Sampler, skip: int) -> None:
        self.sampler = sampler
        self.skip = skip

    def __iter__(self) -> Iterator:
        return itertools.islice(iter(self.sampler), self.skip, None)

    def __len__(self) -> int:
        return max(len(self.sampler) - self.skip, 0)


@HOOKS.register_module()
class PreemptionHook(Hook):
    """Turn SIGTERM and SIGINT into a checkpoint and a clean stop.

    A scheduler preempting a job sends SIGTERM and gives a grace period;
    Ctrl-C sends SIGINT. During training, such a signal only takes note: the
    current iteration finishes, every other hook of it included (the
    scheduler step, the logger, a regular checkpoint), then the hook saves
    ``iter_{N}.pth`` with the regular checkpoints' settings (the checkpoint
    hook's folder and file backend, atomic by default, and the states
    :class:`SafeCheckpointHook` adds), points ``last_checkpoint`` at it,
    logs ``Stopped by SIGTERM after iteration N; saved PATH: resume with
    --resume`` and raises ``SystemExit(128 + signal)``: exit status 143 for
    SIGTERM, 130 for SIGINT. A second signal is not caught: it acts as
    without the hook. The processes of a distributed run agree on the
    iteration after which they stop.

    The checkpoint of a stop is not one of the regular ones that
    ``max_keep_ckpts`` counts: a run resumed from it removes it (and its
    checksum file) once a later checkpoint, regular or of another stop, has
    replaced it as ``last_checkpoint``. At an iteration where the regular
    checkpoint hook has just saved ``iter_{N}.pth`` itself, the stop saves
    nothing more.

    A run resumed from a checkpoint saved in the middle of an epoch of an
    epoch-based loop continues that epoch at the next batch: the data
    loader's sampler skips the indices already trained (without loading
    them), so the rest of the epoch gets the batches, and with
    ``Keyed*Sampler`` the augmentations, of the uninterrupted run.
    Iteration-based loops skip the trained batches by themselves.

    The signal handlers are installed before training, in the main thread
    only, and the previous ones are restored after the last iteration, at
    the stop, or by :meth:`restore_signal_handlers` (which the training
    code calls whatever happens). A signal during a validation takes effect
    after the next training iteration. The data loader workers started in
    training ignore the signals (see
    :func:`~mmwsss.utils.signals.ignore_signals_in_worker`);
    those an iteration-based loop starts when it is built, before any hook
    runs, do not, so there the signal must reach the main process alone.

    In a test (``runner.test()``: the seed evaluation, the test of a
    checkpoint), a signal stops the run after the batch in hand with one
    line and the same exit status; a test is not resumed but run again
    (the CAMs a :class:`CAMCacheHook` wrote so far stay valid).

    Args:
        signals (Sequence[str]): The signals caught. Defaults to
            ('SIGTERM', 'SIGINT').
    """

    priority = 'LOWEST'

    def __init__(self, signals: Sequence[str] = STOP_SIGNALS) -> None:
        try:
            self.catcher = SignalCatcher(signals)
        except ValueError as e:
            raise ValueError(f'PreemptionHook: {e}') from None
        self.signals = self.catcher.signals
        #: The checkpoint of a stop that this run resumed from (its name when
        #: loaded, its path from the start of training), with its iteration,
        #: until a later checkpoint replaces it.
        self._resumed_stop: Optional[Tuple[str, int]] = None

    def restore_signal_handlers(self) -> None:
        """Restore the handlers replaced before training (if any)."""
        self.catcher.restore()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Note a checkpoint saved by a stop (removed once replaced)."""
        meta = checkpoint.get('meta', {})
        name = meta.get('preemption_checkpoint')
        if name:
            self._resumed_stop = (name, meta.get('iter'))

    def before_train(self, runner) -> None:
        """Skip the trained part of a resumed epoch; catch the signals (and
        have the data loader workers ignore them)."""
        if self._resumed_stop:
            name, iteration = self._resumed_stop
            self._resumed_stop = None if iteration != runner.iter else (
                osp.join(self._save_options(runner)[0], name), iteration)
        loop = runner.train_loop
        if isinstance(loop, EpochBasedTrainLoop):
            trained = runner.iter - runner.epoch * len(loop.dataloader)
            if trained > 0:
                batches = loop.dataloader.batch_sampler
                batches.sampler = RestOfEpoch(batches.sampler,
                                              trained * batches.batch_size)
                runner.logger.info(
                    f'Resuming in epoch {runner.epoch + 1}: its first '
                    f'{trained} iterations are done, skipping their data.')
        for dataloader in (loop.dataloader,
                           getattr(runner.val_loop, 'dataloader', None)):
            shield_workers(dataloader, self.signals)
        self.catcher.install()

    def after_train_epoch(self, runner) -> None:
        """Give the next epochs the whole sampler back."""
        batches = runner.train_loop.dataloader.batch_sampler
        if isinstance(batches.sampler, RestOfEpoch):
            batches.sampler = batches.sampler.sampler
        self._remove_replaced_stop(runner)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Stop with a checkpoint if a signal came."""
        received = self._received()
        if received:
            self._stop(runner, received)
        self._remove_replaced_stop(runner)
        if runner.iter + 1 == runner.max_iters:
            self.restore_signal_handlers()

    def after_train(self, runner) -> None:
        """Restore the signal handlers."""
        self.restore_signal_handlers()

    def before_test(self, runner) -> None:
        """Catch the signals during a test (e.g. the seed evaluation)."""
        shield_workers(
            getattr(runner.test_loop, 'dataloader', None), self.signals)
        self.catcher.install()

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch: Optional[dict] = None,
                        outputs: Optional[Sequence] = None) -> None:
        """Stop after the batch in hand if a signal came: a test is not
        resumed (its metric needs every image), it is run again."""
        received = self._received()
        if received:
            self.restore_signal_handlers()
            runner.logger.info(
                f'Stopped by {received.name} after {batch_idx + 1} test '
                'batches: run the test again.')
            raise SystemExit(128 + received)

    def after_test(self, runner) -> None:
        """Restore the signal handlers."""
        self.restore_signal_handlers()

    def _received(self) -> Optional[signal.Signals]:
        """The signal this process, or any process of the run, received."""
        received = int(self.catcher.received or 0)
        if is_distributed():
            flag = torch.tensor(received)
            all_reduce(flag, op='max')
            received = int(flag)
        return signal.Signals(received) if received else None

    @staticmethod
    def _save_options(runner) -> Tuple[str, dict]:
        """The folder and the options of the regular checkpoints."""
        hook = next(
            (h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        if hook is None:
            return runner.work_dir, dict(
                backend_args=dict(backend='atomic_local'))
        return hook.out_dir, dict(
            file_client_args=hook.file_client_args,
            save_optimizer=hook.save_optimizer,
            save_param_scheduler=hook.save_param_scheduler,
            backend_args=hook.backend_args,
            **hook.args)

    def _remove_replaced_stop(self, runner) -> None:
        """Remove the resumed checkpoint of a stop once ``last_checkpoint``
        names another, complete checkpoint (by file name: in a copied work
        dir the pointer still holds the original's path)."""
        if self._resumed_stop is None or not is_main_process():
            return
        stale = self._resumed_stop[0]
        last = last_checkpoint(runner.work_dir)
        if last is None or osp.basename(last) == osp.basename(stale) \
                or not osp.isfile(last):
            return
        for path in (stale, checksum_path(stale)):
            if osp.isfile(path):
                os.remove(path)
        runner.logger.info(f'Removed {stale}, the checkpoint of the stop '
                           f'this run resumed from: {last} replaces it.')
        self._resumed_stop = None

    def _stop(self, runner, received: signal.Signals) -> None:
        """Save the checkpoint of the finished iteration and exit."""
        self.restore_signal_handlers()
        iteration = runner.iter + 1
        out_dir, options = self._save_options(runner)
        filename = f'iter_{iteration}.pth'
        path = osp.join(out_dir, filename)
        regular = last_checkpoint(runner.work_dir) == path and \
            osp.isfile(path)
        if not regular:  # else the checkpoint hook saved it just now
            runner.save_checkpoint(
                out_dir,
                filename,
                by_epoch=False,
                meta=dict(preemption_checkpoint=filename),
                **options)
        if is_main_process():
            atomic_write_bytes(
                osp.join(runner.work_dir, 'last_checkpoint'), path.encode())
        self._remove_replaced_stop(runner)
        barrier()
        runner.logger.info(
            f'Stopped by {received.name} after iteration {iteration}; saved '
            f'{path}: resume with --resume')
        raise SystemExit(128 + received)
