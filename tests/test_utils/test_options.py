"""Unknown option keys are refused with the nearest known one."""
import pytest

from mmwsss.utils import check_option_keys


def test_known_keys_pass():
    check_option_keys('test_cfg', dict(scales=(1., ), flip=False),
                      ('scales', 'flip', 'amp'))
    check_option_keys('test_cfg', None, ('scales', ))


@pytest.mark.parametrize('key,hint', [('scale', " (did you mean 'scales'?)"),
                                      ('flips', " (did you mean 'flip'?)"),
                                      ('zzz', '')])
def test_an_unknown_key_names_itself_and_the_nearest(key, hint):
    with pytest.raises(KeyError) as error:
        check_option_keys('test_cfg', {key: 1}, ('scales', 'flip', 'amp'))
    assert error.value.args[0] == (
        f'test_cfg.{key} is not an option{hint}; the options are amp, '
        'flip, scales.')
