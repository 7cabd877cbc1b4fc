"""Sharing cores between processes: disjoint core sets, pinning, and the
warning about busy cores."""
import re
import subprocess
import sys
import time

import pytest

from mmwsss.utils import available_cores, busy_cores_warning, split_cores


def test_split_cores_gives_disjoint_sets_that_cover_the_cores():
    sets = split_cores(3, cores=[0, 1, 2, 3, 4, 5, 6])
    assert sets == [[0, 3, 6], [1, 4], [2, 5]]
    assert split_cores(1, cores=[4, 7]) == [[4, 7]]
    assert split_cores(1) == [available_cores()]


@pytest.mark.parametrize('processes', [0, 3, 1.5, '2'])
def test_split_cores_refuses_more_processes_than_cores(processes):
    with pytest.raises(ValueError, match='processes must be an integer from '
                       '1 to the 2 cores'):
        split_cores(processes, cores=[0, 1])


def test_use_cores_pins_the_process_with_one_thread_per_core():
    core = available_cores()[-1]
    out = subprocess.run(
        [
            sys.executable, '-c',
            'import os, torch; from mmwsss.utils import use_cores; '
            f'use_cores([{core}]); '
            'print(sorted(os.sched_getaffinity(0)), torch.get_num_threads())'
        ],
        capture_output=True,
        text=True,
        check=True).stdout
    assert out.split() == [f'[{core}]', '1']


@pytest.fixture
def chosen_nothing(monkeypatch):
    """Neither OMP_NUM_THREADS nor OMP_WAIT_POLICY set."""
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    monkeypatch.delenv('OMP_WAIT_POLICY', raising=False)


@pytest.fixture
def spinning_core(chosen_nothing, monkeypatch):
    """One core of this process, kept busy by another process."""
    core = available_cores()[-1]
    monkeypatch.setattr('mmwsss.utils.cores.available_cores', lambda: [core])
    spinner = subprocess.Popen([
        sys.executable, '-c',
        f'import os; os.sched_setaffinity(0, [{core}])\nwhile True: pass'
    ])
    time.sleep(1.)
    yield
    spinner.kill()
    spinner.wait()


def test_busy_cores_warning_names_the_load_and_the_remedy(spinning_core):
    warning = busy_cores_warning(seconds=0.5)
    assert re.match(r'other processes kept (0\.[89]|1\.\d) of the 1 cores ',
                    warning), warning
    assert 'OMP_NUM_THREADS=1' in warning and '\n' not in warning


def test_no_warning_for_idle_cores_or_a_chosen_policy(chosen_nothing,
                                                      monkeypatch):
    # cores that stay idle while this process works: ended jobs and this
    # process's own work do not count
    monkeypatch.setattr('mmwsss.utils.cores._busy_seconds',
                        lambda cores: time.process_time())
    assert busy_cores_warning() is None
    monkeypatch.setattr('mmwsss.utils.cores._busy_seconds',
                        lambda cores: 10 * time.monotonic())
    assert busy_cores_warning() is not None
    monkeypatch.setenv('OMP_WAIT_POLICY', 'passive')
    assert busy_cores_warning() is None
    monkeypatch.delenv('OMP_WAIT_POLICY')
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    assert busy_cores_warning() is None


def test_tools_print_the_warning_before_their_work(spinning_core, capsys):
    from mmwsss.apis.cli import run_tool
    run_tool(lambda: print('work'))
    out = capsys.readouterr()
    assert out.err.startswith('warning: other processes kept ')
    assert out.out == 'work\n'
