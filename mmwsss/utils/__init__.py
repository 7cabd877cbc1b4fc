from .dist import setup_launcher
from .io import atomic_write_bytes, safe_join
from .set_env import register_all_modules

__all__ = [
    'atomic_write_bytes', 'register_all_modules', 'safe_join', 'setup_launcher'
]
