"""Resumable steps declared as data, with fake steps."""
import json
from pathlib import Path

import pytest
from mmengine.logging import MMLogger

from mmwsss.apis.steps import Step, load_record, record_path, run_steps


class Recorder:
    """Fake step functions that note each call and its inputs."""

    def __init__(self):
        self.calls = []

    def __call__(self, result, fail=False):

        def work(ctx):
            self.calls.append((ctx.name, ctx.inputs))
            if fail:
                raise RuntimeError(f'{ctx.name} broke')
            return dict(result)

        return work


def _steps(recorder, fail_c=False):
    # the functions' own names ('work') never name the records
    return [
        Step('a', recorder(dict(x=1))),
        Step('b', recorder(dict(y=2)), needs=('a', )),
        Step('c', recorder(dict(z=3), fail=fail_c), needs=('b', )),
        Step('d', recorder(dict(w=4))),
    ]


@pytest.fixture
def logger():
    return MMLogger.get_instance('test_steps')


def test_first_run_keys_records_by_declared_name(tmp_path, logger):
    recorder = Recorder()
    records = run_steps(_steps(recorder), str(tmp_path), logger)
    assert [name for name, _ in recorder.calls] == ['a', 'b', 'c', 'd']
    # each step gets the records of the steps it needs, and only those
    assert recorder.calls[1][1] == {'a': records['a']}
    assert recorder.calls[2][1] == {'b': records['b']}
    assert recorder.calls[3][1] == {}
    for name, key, value in (('a', 'x', 1), ('b', 'y', 2), ('c', 'z', 3),
                             ('d', 'w', 4)):
        saved = json.loads(Path(record_path(str(tmp_path), name)).read_text())
        assert saved == records[name] == load_record(str(tmp_path), name)
        assert saved[key] == value and saved['seconds'] >= 0
    log = (tmp_path / 'logs' / 'b.log').read_text()
    assert '[b] running' in log and '[b] done' in log
    assert '[c] running' not in log
    assert sorted(p.name for p in (tmp_path / 'steps').iterdir()) == [
        'a.json', 'b.json', 'c.json', 'd.json'
    ]


def test_rerun_skips_finished_steps_and_redoes_dependents(tmp_path, logger):
    run_steps(_steps(Recorder()), str(tmp_path), logger)
    before = load_record(str(tmp_path), 'a')
    recorder = Recorder()
    run_steps(_steps(recorder), str(tmp_path), logger)
    assert recorder.calls == []
    assert load_record(str(tmp_path), 'a') == before
    # without b's record, b runs (given a's saved record), and so does c,
    # which needs b; a and d are skipped
    (tmp_path / 'steps' / 'b.json').unlink()
    recorder = Recorder()
    records = run_steps(_steps(recorder), str(tmp_path), logger)
    assert recorder.calls == [('b', {'a': before}), ('c', {'b': records['b']})]
    assert records['a'] == before


def test_failed_step_leaves_no_record_and_resumes_there(tmp_path, logger):
    recorder = Recorder()
    with pytest.raises(RuntimeError, match='c broke'):
        run_steps(_steps(recorder, fail_c=True), str(tmp_path), logger)
    assert [name for name, _ in recorder.calls] == ['a', 'b', 'c']
    assert load_record(str(tmp_path), 'b') is not None
    assert load_record(str(tmp_path), 'c') is None
    assert 'stopped by RuntimeError' in (tmp_path / 'logs' /
                                         'c.log').read_text()
    recorder = Recorder()
    run_steps(_steps(recorder), str(tmp_path), logger)
    assert [name for name, _ in recorder.calls] == ['c', 'd']


@pytest.mark.parametrize('steps, message', [
    ([Step('a', dict), Step('a', dict)], 'Two steps are named a'),
    ([Step('a', dict, needs=('b', )),
      Step('b', dict)], r"needs \['b'\]"),
    ([Step('a', dict, needs=('a', ))], r"needs \['a'\]"),
])
def test_bad_declarations_are_refused_before_running(tmp_path, logger, steps,
                                                     message):
    with pytest.raises(ValueError, match=message):
        run_steps(steps, str(tmp_path), logger)
    assert not (tmp_path / 'steps').exists()


def test_quiet_steps_print_one_line_each_and_log_the_rest(
        tmp_path, logger, capsys):
    import sys

    def noisy(name):

        def work(ctx):
            print(f'details of {name}')
            print(f'a warning of {name}', file=sys.stderr)
            # a logger created in one step writes into the log of the step
            # that uses it later
            MMLogger.get_instance('quiet_step_logger').info(f'{name} logs')
            assert ctx.log_file is None
            return dict(done=name)

        return work

    steps = [Step('a', noisy('a')), Step('b', noisy('b'), needs=('a', ))]
    streams = sys.stdout, sys.stderr
    run_steps(steps, str(tmp_path), logger, quiet=True, label='[m] ')
    assert (sys.stdout, sys.stderr) == streams
    out = capsys.readouterr()
    lines = [line.split('\r')[-1] for line in out.out.split('\n')[:-1]]
    assert len(lines) == 2
    assert lines[0].startswith('[m] a: done in ')
    assert lines[1].startswith('[m] b: done in ')
    assert 'details' not in out.out + out.err
    for name in 'ab':
        log = (tmp_path / 'logs' / f'{name}.log').read_text()
        assert f'details of {name}' in log
        assert f'a warning of {name}' in log
        assert f'{name} logs' in log
    run_steps(steps, str(tmp_path), logger, quiet=True, label='[m] ')
    assert capsys.readouterr().out.splitlines() == [
        '[m] a: finished before', '[m] b: finished before'
    ]

    def broken(ctx):
        raise RuntimeError('broke')

    with pytest.raises(RuntimeError):
        run_steps([Step('c', broken)], str(tmp_path), logger, quiet=True)
    assert f'c: ... stopped by RuntimeError; its log: ' \
        f'{tmp_path}/logs/c.log' in capsys.readouterr().out
