from .amp import bfloat16_autocast, cpu_has_fast_bfloat16
from .checkpoint import (CheckpointError, find_resume_checkpoint,
                         fit_state_dict, is_complete_checkpoint,
                         last_checkpoint, load_model_weights,
                         read_checkpoint, trust_checkpoints,
                         verify_checkpoint)
from .cores import (available_cores, busy_cores_warning, split_cores,
                    use_cores)
from .dist import setup_launcher
from .io import (AtomicLocalBackend, DiskFullError, atomic_open,
                 atomic_write_bytes, atomic_write_png, checksum_path,
                 file_digest, remove_temporaries, safe_join)
from .lock import FolderLockedError, folder_lock
from .options import check_option_keys
from .set_env import register_all_modules
from .signals import SignalCatcher, shield_workers

__all__ = [
    'AtomicLocalBackend', 'CheckpointError', 'DiskFullError',
    'FolderLockedError', 'SignalCatcher', 'atomic_open',
    'atomic_write_bytes', 'atomic_write_png', 'available_cores',
    'bfloat16_autocast', 'busy_cores_warning', 'check_option_keys',
    'checksum_path', 'cpu_has_fast_bfloat16', 'file_digest',
    'find_resume_checkpoint', 'fit_state_dict', 'folder_lock',
    'is_complete_checkpoint', 'last_checkpoint', 'load_model_weights',
    'read_checkpoint', 'register_all_modules', 'remove_temporaries',
    'safe_join', 'setup_launcher', 'shield_workers', 'split_cores',
    'trust_checkpoints', 'use_cores', 'verify_checkpoint'
]
