"""Which device the fixture programs run on: a pure choice, plus a cheap probe for `auto`."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Optional, Sequence

CHOICES = ("cpu", "gpu", "auto")
# Hides every GPU from TensorFlow (and CUDA) in the child process.
HIDE_GPUS = {"CUDA_VISIBLE_DEVICES": "-1"}


class DeviceError(Exception):
    """The requested device cannot be had (e.g. --device gpu with no GPU visible)."""


@dataclass(frozen=True)
class DeviceChoice:
    requested: str
    device: str  # what the report says we asked for: "CPU:0" or "GPU:0"
    env: Dict[str, str] = field(default_factory=dict)  # added to the child's environment


def select_device(requested: str, visible_gpus: Sequence[str]) -> DeviceChoice:
    """requested device + the GPUs TensorFlow sees -> child environment and device string."""
    if requested not in CHOICES:
        raise DeviceError(f"unknown device {requested!r} (choose from {', '.join(CHOICES)})")
    if requested == "cpu" or (requested == "auto" and not visible_gpus):
        return DeviceChoice(requested, "CPU:0", dict(HIDE_GPUS))
    if not visible_gpus:
        raise DeviceError("--device gpu: TensorFlow sees no GPU on this machine (try --device auto or cpu)")
    # Leave CUDA_VISIBLE_DEVICES alone: TensorFlow places the graph on GPU:0 by itself.
    return DeviceChoice(requested, "GPU:0", {})


_PROBE = "import tensorflow as tf; print('\\n'.join(d.name for d in tf.config.list_physical_devices('GPU')))"


def _no_accelerator_nodes(dev: Path = Path("/dev")) -> bool:
    # No NVIDIA (/dev/nvidia*) or ROCm (/dev/kfd) device nodes: TensorFlow cannot see a GPU either,
    # so skip the 2-3 s TensorFlow import of the probe.
    return sys.platform.startswith("linux") and not (any(dev.glob("nvidia*")) or (dev / "kfd").exists())


def probe_gpus(env: Optional[Mapping[str, str]] = None, timeout: float = 60.0) -> list:
    """GPUs TensorFlow sees, asked in a subprocess (the parent never imports TensorFlow)."""
    env = dict(os.environ if env is None else env)
    if env.get("CUDA_VISIBLE_DEVICES") == "-1" or _no_accelerator_nodes():
        return []
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        out = subprocess.run(
            [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if out.returncode != 0:
        return []
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]
