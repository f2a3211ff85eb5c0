"""Device selection for `slimlint verify --device` (pure logic: no GPU needed)."""

import pytest

from slimlint.harness.device import DeviceError, _no_accelerator_nodes, probe_gpus, select_device


def test_cpu_hides_gpus_even_when_some_are_visible():
    choice = select_device("cpu", ["/physical_device:GPU:0"])
    assert choice.env == {"CUDA_VISIBLE_DEVICES": "-1"}
    assert choice.device == "CPU:0"


def test_auto_without_gpu_runs_on_cpu():
    choice = select_device("auto", [])
    assert choice.env == {"CUDA_VISIBLE_DEVICES": "-1"}
    assert choice.device == "CPU:0"


def test_auto_with_gpu_uses_it_and_leaves_the_environment_alone():
    choice = select_device("auto", ["/physical_device:GPU:0", "/physical_device:GPU:1"])
    assert choice.env == {}
    assert choice.device == "GPU:0"


def test_gpu_with_gpu():
    assert select_device("gpu", ["/physical_device:GPU:0"]).device == "GPU:0"


def test_gpu_without_gpu_is_an_error():
    with pytest.raises(DeviceError, match="no GPU"):
        select_device("gpu", [])


def test_unknown_device_is_an_error():
    with pytest.raises(DeviceError):
        select_device("tpu", [])


def test_probe_respects_hidden_gpus():
    assert probe_gpus({"CUDA_VISIBLE_DEVICES": "-1"}) == []


def test_no_device_nodes_means_no_probe(tmp_path):
    assert _no_accelerator_nodes(tmp_path)
    (tmp_path / "nvidia0").touch()
    assert not _no_accelerator_nodes(tmp_path)
