"""Sharing cores between processes: disjoint core sets, pinning, and the
warning about busy cores."""
import subprocess
import sys

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
def load(monkeypatch):
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    monkeypatch.delenv('OMP_WAIT_POLICY', raising=False)
    monkeypatch.setattr('mmwsss.utils.cores.available_cores', lambda: [0, 1])

    def set_load(value):
        monkeypatch.setattr('os.getloadavg', lambda: (value, 0., 0.))

    return set_load


def test_busy_cores_warning_names_the_load_and_the_remedy(load, monkeypatch):
    load(1.7)
    warning = busy_cores_warning()
    assert warning.startswith('1.7 processes were running on the 2 cores')
    assert 'OMP_NUM_THREADS=1' in warning and '\n' not in warning
    load(0.4)
    assert busy_cores_warning() is None
    load(3.)
    monkeypatch.setenv('OMP_WAIT_POLICY', 'passive')
    assert busy_cores_warning() is None
    monkeypatch.delenv('OMP_WAIT_POLICY')
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    assert busy_cores_warning() is None


def test_tools_print_the_warning_before_their_work(load, capsys):
    from mmwsss.apis.cli import run_tool
    load(2.)
    run_tool(lambda: print('work'))
    out = capsys.readouterr()
    assert out.err.startswith('warning: 2.0 processes were running')
    assert out.out == 'work\n'
