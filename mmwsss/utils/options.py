"""Option dicts (a model's ``train_cfg`` / ``test_cfg``, a config section)
checked against the keys their reader knows."""
import difflib
from typing import Iterable, Mapping, Optional


def check_option_keys(section: str, options: Optional[Mapping],
                      known: Iterable[str]) -> None:
    """Raise on a key of ``options`` that nothing reads (a typo would
    otherwise be ignored in silence).

    Args:
        section (str): Name of the options in messages, e.g. ``'test_cfg'``.
        options (Mapping, optional): The given options.
        known (Iterable[str]): The keys that are read.

    Raises:
        KeyError: Naming the first unknown key, the nearest known one and
            every known key.
    """
    known = sorted(known)
    for key in options or {}:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, 1)
            hint = f' (did you mean {close[0]!r}?)' if close else ''
            raise KeyError(f'{section}.{key} is not an option{hint}; the '
                           f'options are {", ".join(known) or "none"}.')
