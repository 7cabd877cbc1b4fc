from .checkpoint import load_model_weights, use_safe_checkpoint_loading
from .dist import setup_launcher
from .io import atomic_write_bytes, safe_join
from .set_env import register_all_modules

__all__ = [
    'atomic_write_bytes', 'load_model_weights', 'register_all_modules',
    'safe_join', 'setup_launcher', 'use_safe_checkpoint_loading'
]
