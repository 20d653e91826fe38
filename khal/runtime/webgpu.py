"""The WebGPU backend: kernels compiled to SPIR-V (the `webgpu` target), run through wgpu-py.

`WebGpu(power_preference="high-performance", adapter=None)` opens one wgpu device (Vulkan, Metal or
D3D12; Mesa's lavapipe on a machine without a GPU) with every useful feature and limit its adapter
offers, and launches kernels from the artifact alone: the SPIR-V binary and the `Interface` the ABI
pass wrote (docs/webgpu.md has the contract).

Recording goes straight into wgpu: `begin_encoding` makes a wgpu command encoder, `begin_pass` a
compute pass, and each `call` sets the kernel's pipeline (cached per plan), a bind group (cached
while the same buffers repeat) with a dynamic offset into a uniform arena, and
dispatches. A call's uniform block (workgroup counts, array lengths, value parameters; packed by
the plan's generated packer, `khal.runtime.packing`) is appended to the backend's host arena
(append-only: a slot is never rewritten); `submit` uploads the encoder's new slots with one
`queue.write_buffer` per arena and submits the command buffer. A block whose bytes were recorded
before (in this encoder, or uploaded by an earlier submit into the current arena) shares that
slot: repeating a call with the same arguments uploads nothing.

Completion: each submission knows its wgpu submission index and asks wgpu-native for a work-done
callback that records it. `done()` polls the device without blocking (the poll runs the callbacks
of completed work); `wait()` polls with wait for that index. (wgpu-py's own
`queue.on_submitted_work_done` cannot be used: in wgpu-py 0.32 its callback has a signature
wgpu-native rejects.)

Buffers are wgpu buffers of the user's usages, padded to 4 bytes; MAP_READ and MAP_WRITE cannot be
combined with STORAGE in WebGPU, so a khal buffer is always a device buffer (with COPY_SRC and
COPY_DST added) and reads go through a staging copy: MAP_READ only says that `slow_read_vec` may
read it. Timestamps use timestamp queries where the adapter has `timestamp-query`, else host times
(the begin at `submit`, the end when the submission is seen complete).
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from khal.backends import backend_spec
from khal.errors import BackendUnavailable, CompileError
from khal.runtime.backend import (
    DEFAULT_USAGE,
    Backend,
    Buffer,
    BufferUsages,
    ComputePass,
    CopyCommand,
    Encoder,
    Indirect,
    LaunchPlan,
    PassMarker,
    RecordingPass,
    Submission,
    Timestamps,
    make_checkers,
    now,
)
from khal.runtime.packing import generate_record

WANTED_FEATURES: tuple[str, ...] = (
    "shader-f16",
    "shader-f64",
    "shader-i16",
    "shader-int64",
    "shader-int64-atomic-min-max",
    "shader-int64-atomic-all-ops",
    "shader-float32-atomic",
    "subgroup",
    "subgroup-barrier",
    "timestamp-query",
    "timestamp-query-inside-encoders",
    "timestamp-query-inside-passes",
)
"""Adapter features a device is opened with when the adapter has them (kernels that need one say so)."""

WANTED_LIMITS: tuple[str, ...] = (
    "max-buffer-size",
    "max-storage-buffer-binding-size",
    "max-uniform-buffer-binding-size",
    "max-storage-buffers-per-shader-stage",
    "max-bindings-per-bind-group",
    "max-dynamic-uniform-buffers-per-pipeline-layout",
    "max-compute-workgroup-storage-size",
    "max-compute-invocations-per-workgroup",
    "max-compute-workgroup-size-x",
    "max-compute-workgroup-size-y",
    "max-compute-workgroup-size-z",
    "max-compute-workgroups-per-dimension",
)
"""Adapter limits requested at their adapter's maximum (buffers as large as the adapter allows)."""

ARENA_BYTES = 1 << 18
"""Bytes of one uniform arena (the per-call blocks, appended; a new arena when it fills)."""

GROUP_CACHE = 256
"""Bind groups a plan keeps (by arena and buffers) before it starts over."""

QUERY_STRIDE = 256
"""Bytes between the resolved timestamp pairs (WebGPU's query resolve offset alignment)."""

EXACT_FOLD_ROWS = 64
"""How many more rows a folded grid tries for a fold with no workgroup past the grid (`WebGpuPlan.fold`)."""
_FOLDS: dict[tuple[int, int], tuple[int, int, int]] = {}  # folds found, by (workgroups, per-dimension limit)

TRACK_POLL = 16
"""`submit` polls the device once every this many submissions (to let go of what finished work holds)."""

_MAP = BufferUsages.MAP_READ | BufferUsages.MAP_WRITE
_DEVICE_COPY = BufferUsages.COPY_SRC | BufferUsages.COPY_DST


def _wgpu() -> Any:
    """The wgpu module, or `BackendUnavailable` saying what to install."""
    try:
        import wgpu
    except ImportError as e:
        raise backend_spec("webgpu").unavailable(f"cannot import wgpu: {e}") from None
    return wgpu


def _native_api() -> tuple[Any, Any, Any]:
    """wgpu-native's C API as wgpu-py loads it: (ffi, lib with wgpu-py's error checks, bare lib).

    For what wgpu-py does not wrap (submission indices, the timestamp period) and for the per-call
    pass commands, whose wrappers cost microseconds (a pass reports its errors at `end` anyway).
    """
    from wgpu.backends.wgpu_native import _api

    return _api.ffi, _api.libf, _api.lib


_FFI: Any = None  # wgpu-py's cffi FFI and wgpu-native's library, set when the first device opens
_LIB: Any = None


# --------------------------------------------------------------------------- adapter and device


class _Device:
    """An opened wgpu device and what khal reads of it once (shared by backends of one adapter)."""

    def __init__(self, adapter: Any):
        self.adapter = adapter
        info = adapter.info
        self.name = f"{info.get('device', '?')} ({info.get('backend_type', '?')})"
        self.features = frozenset(f for f in WANTED_FEATURES if f in adapter.features)
        limits = {k: adapter.limits[k] for k in WANTED_LIMITS if k in adapter.limits}
        self.device = adapter.request_device_sync(
            label="khal", required_features=sorted(self.features), required_limits=limits
        )
        self.queue = self.device.queue
        self.limits = dict(self.device.limits)
        global _FFI, _LIB
        ffi, lib, _LIB = _native_api()
        _FFI = ffi
        self.period = 1.0  # nanoseconds per timestamp tick
        if "timestamp-query" in self.features:
            self.period = float(lib.wgpuQueueGetTimestampPeriod(self.queue._internal)) or 1.0
        self._ffi, self._lib = ffi, lib
        self.last_index = 0  # the last submission index handed out
        self.done_index = 0  # every submission up to this one has completed
        self.watched_index = 0  # a work-done report is pending (or came) for the submissions up to this
        # One callback for the device's lifetime (a cffi callback per submission would cost more);
        # userdata1 carries the submission index, userdata2 this device.
        self._handle = ffi.new_handle(self)
        self._work_done = ffi.callback(
            "void(WGPUQueueWorkDoneStatus, WGPUStringView, void *, void *)", _on_work_done
        )
        # What each submit hands wgpu-native, made once (filled under `_submit_lock`: the native
        # calls release the GIL, and wgpu-native reads both before returning).
        self._submit_lock = threading.Lock()
        self._command_array = ffi.new("WGPUCommandBuffer[1]")
        self._done_info = ffi.new("WGPUQueueWorkDoneCallbackInfo *")
        self._done_info.mode = _LIB.WGPUCallbackMode_AllowProcessEvents
        self._done_info.callback = self._work_done
        self._done_info.userdata2 = self._handle
        self._pass_descriptors: dict[str, tuple[Any, Any]] = {}  # label -> (descriptor, its label bytes)
        from wgpu.backends.wgpu_native import GPUCommandEncoder

        self._encoder_type = GPUCommandEncoder

    def submit(self, commands: Any) -> int:
        """Submit one (native) command buffer; its index.

        No work-done callback is registered here: `finished` registers one when asked about work it
        cannot tell is done. One per submit cost 2 us, and slowed every later submit by 4 us more on
        lavapipe (wgpu-native tracks each until it fires).
        """
        with self._submit_lock:
            array = self._command_array
            array[0] = commands
            index = int(self._lib.wgpuQueueSubmitForIndex(self.queue._internal, 1, array))
            self.last_index = index
        return index

    def _watch(self) -> None:
        """Have wgpu-native report when everything submitted so far has completed (to `_on_work_done`),
        unless a report already pending covers it."""
        with self._submit_lock:
            last = self.last_index
            if self.watched_index >= last:
                return
            self.watched_index = last
            info = self._done_info
            info.userdata1 = self._ffi.cast("void *", last)
            _LIB.wgpuQueueOnSubmittedWorkDone(self.queue._internal, info[0])  # bare: nothing to check

    def begin_pass(self, encoder: Any, label: str) -> Any:
        """An untimed compute pass of native command `encoder`: the native pass encoder, released by
        the caller once ended.

        The descriptor (label included) is made once per label: wgpu-py would build both, and a
        Python object, at every pass (2-3 us); wgpu-native reads them during the call only.
        """
        desc = self._pass_descriptors.get(label)
        if desc is None:
            desc = self._pass_descriptor(label)
        return self._lib.wgpuCommandEncoderBeginComputePass(encoder, desc[0])

    def _pass_descriptor(self, label: str) -> tuple[Any, Any]:
        ffi = self._ffi
        data = ffi.new("char[]", label.encode())  # kept with the descriptor: cffi would free it
        desc = ffi.new("WGPUComputePassDescriptor *")
        desc.label.data = data
        desc.label.length = _LIB.WGPU_STRLEN
        desc.timestampWrites = ffi.NULL
        if len(self._pass_descriptors) >= 256:  # labels made on the fly: keep the table small
            self._pass_descriptors.clear()
        self._pass_descriptors[label] = (desc, data)
        return desc, data

    def finished(self, index: int, wait: bool) -> bool:
        """Has submission `index` completed? With `wait`, return once it has.

        Without waiting, a device poll runs the work-done callbacks of what has completed (and says
        whether the queue is empty: then everything handed out before the poll is done).
        """
        if index <= self.done_index:
            return True
        device = self.device._internal
        if wait:
            self._lib.wgpuDevicePoll(device, True, self._ffi.new("WGPUSubmissionIndex *", index))
            self.done_index = max(self.done_index, index)
            return True
        if self.watched_index < index:
            self._watch()
        last = self.last_index  # read before polling
        if self._lib.wgpuDevicePoll(device, False, self._ffi.NULL):
            self.done_index = max(self.done_index, last)
        return index <= self.done_index


def _on_work_done(status: int, message: Any, index: Any, device: Any) -> None:
    """wgpu-native's work-done callback (during a device poll): submission `index` has completed."""
    dev: _Device = _FFI.from_handle(device)
    done = int(_FFI.cast("uintptr_t", index))
    if status == _LIB.WGPUQueueWorkDoneStatus_Success and done > dev.done_index:
        dev.done_index = done


_DEVICES: dict[Any, _Device] = {}
_DEVICES_LOCK = threading.Lock()


def _find_adapter(wgpu: Any, power_preference: str, adapter: Any) -> Any:
    """The adapter `WebGpu(adapter=...)` names: None (wgpu's choice), an index, a name part, an object."""
    if adapter is None:
        return wgpu.gpu.request_adapter_sync(power_preference=power_preference)
    if isinstance(adapter, bool) or not isinstance(adapter, int | str):
        if not hasattr(adapter, "request_device_sync"):
            raise TypeError(
                f"adapter must be None, an index, a name or a wgpu adapter, got {type(adapter).__name__}"
            )
        return adapter
    found = list(wgpu.gpu.enumerate_adapters_sync())
    names = [f"{a.info.get('device', '?')} ({a.info.get('backend_type', '?')})" for a in found]
    if isinstance(adapter, int):
        if not 0 <= adapter < len(found):
            raise ValueError(f"adapter index {adapter} is out of range; the adapters here: {names}")
        return found[adapter]
    for a, name in zip(found, names, strict=True):
        if adapter.lower() in name.lower():
            return a
    raise ValueError(f"no adapter's name contains {adapter!r}; the adapters here: {names}")


def open_device(power_preference: str = "high-performance", adapter: Any = None) -> _Device:
    """The device of the adapter chosen (opened once per adapter choice, then shared)."""
    if power_preference not in ("high-performance", "low-power"):
        raise ValueError(
            f"power_preference must be 'high-performance' or 'low-power', got {power_preference!r}"
        )
    key = (power_preference, adapter if isinstance(adapter, int | str | None) else id(adapter))
    with _DEVICES_LOCK:
        dev = _DEVICES.get(key)
        if dev is not None:
            return dev
        wgpu = _wgpu()
        try:
            chosen = _find_adapter(wgpu, power_preference, adapter)
        except (TypeError, ValueError):
            raise
        except Exception as e:  # no Vulkan driver: wgpu raises rather than returning None
            raise backend_spec("webgpu").unavailable(f"wgpu found no adapter: {e}") from None
        if chosen is None:
            raise backend_spec("webgpu").unavailable("wgpu found no adapter")
        try:
            dev = _Device(chosen)
        except BackendUnavailable:
            raise
        except Exception as e:
            raise backend_spec("webgpu").unavailable(f"cannot open a device on {chosen.info}: {e}") from None
        if isinstance(adapter, int | str | None):
            _DEVICES[key] = dev
        return dev


# --------------------------------------------------------------------------- buffers


class WebGpuBuffer(Buffer):
    """A wgpu buffer (`_gpu`) of `_size` bytes: the elements' bytes padded to a multiple of 4 (>= 4)."""

    __slots__ = ("_gpu", "_size")

    def __init__(
        self,
        backend: WebGpu,
        n: int,
        dtype: np.dtype[Any],
        row_shape: tuple[int, ...],
        usage: BufferUsages,
        gpu: Any,
        size: int,
    ):
        super().__init__(backend, n, dtype, row_shape, usage)
        self._gpu = gpu
        self._size = size


def _padded(nbytes: int) -> int:
    return max(4, (nbytes + 3) & ~3)


# --------------------------------------------------------------------------- uniform arenas


class _Arena:
    """A uniform buffer and its host copy, append-only: a slot, once handed out, is never rewritten.

    So a slot uploaded once can serve every later call with the same block bytes (the backend's
    `_uploaded`), and an arena needs no pooling: a full one is dropped, and wgpu keeps its buffer
    alive while a submission or a bind group still uses it.
    """

    __slots__ = ("gpu", "host", "pos")

    def __init__(self, device: Any, size: int):
        from wgpu import BufferUsage

        self.gpu = device.create_buffer(size=size, usage=BufferUsage.UNIFORM | BufferUsage.COPY_DST)
        self.host = bytearray(size)
        self.pos = 0


class _QuerySlots:
    """A timestamp query set and the buffer its pairs resolve into (pair k at k * QUERY_STRIDE)."""

    __slots__ = ("query_set", "resolved")

    def __init__(self, device: Any, capacity: int):
        from wgpu import BufferUsage

        self.query_set = device.create_query_set(type="timestamp", count=capacity)
        size = max(1, capacity // 2) * QUERY_STRIDE
        self.resolved = device.create_buffer(
            size=size, usage=BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC
        )


# --------------------------------------------------------------------------- plans


class WebGpuDispatch:
    """One recorded call: its uniform block, physical workgroup counts, and what it keeps alive."""

    __slots__ = ("plan", "block", "counts", "folded", "indirect", "keep", "group")

    # `folded`: None where the grid fits the device (the plan's own, unfolded pipelines), else the grid
    # variant that recovers it: "flat" for one row of workgroups folded into one plane (y = z = 1,
    # pz = 1; "flat-exact" where that plane has exactly x workgroups), "" (the general fold)

    def __init__(
        self,
        plan: WebGpuPlan,
        block: bytes,
        x: int,
        y: int,
        z: int,
        indirect: Indirect | None,
        keep: tuple[Any, ...],
    ):
        self.plan = plan
        self.block = block
        m = plan.max_dim
        if x <= m and y <= m and z <= m:
            self.folded: str | None = None
            self.counts = (x, y, z)
        else:
            self.counts = px, py, pz = plan.fold(x, y, z)
            if y == 1 and z == 1 and pz == 1:
                self.folded = "flat-exact" if px * py == x else "flat"
            else:
                self.folded = ""
        self.indirect = indirect
        self.keep = keep
        self.group: Any = None


class WebGpuPlan(LaunchPlan):
    """One kernel on one WebGPU device: its pipeline, bind group layout, packer and bind groups.

    The bind group layout comes from the interface: array `i` at binding `i` (read-only storage where
    the kernel only reads it), the uniform block at binding `len(params)` with a dynamic offset.
    """

    def __init__(self, kernel: Any, backend: WebGpu, compiled: Any):

        self.kernel = kernel
        self.backend = backend
        self.compiled = compiled
        iface = compiled.artifact.interface
        self.interface = iface
        backend._check_features(iface)
        binary = compiled.artifact.asm["spirv"]
        if os.environ.get("KHAL_SPIRV_VALIDATE"):
            _validate(kernel.name, binary)
        self.workgroup_size = iface.workgroup_size
        self.max_dim = backend.limits["max-compute-workgroups-per-dimension"]
        self.folds = iface.num_workgroups is not None
        self.block_size = iface.block_size
        align = backend.limits.get("min-uniform-buffer-offset-alignment", 256)
        self.slot = -(-max(self.block_size, 1) // align) * align
        self.arrays = tuple(i for i, p in enumerate(iface.params) if p.kind == "array")
        # Array i at binding i (the interface's `binding` field says so), the block after them.
        self.bindings = {i: iface.params[i].fields.get("binding", i) for i in self.arrays}
        try:
            self._shader = backend.device.create_shader_module(label=kernel.name, code=binary)
            self.layout, self.pipeline = self._pipeline(aliased=False)
        except Exception as e:  # naga or wgpu refused the module: a compiler bug, said with its cause
            raise RuntimeError(f"{kernel.name}: wgpu refused the compiled SPIR-V module: {e}") from None
        self._aliased: tuple[Any, Any] | None = None  # the all-`storage` layout and pipeline, made on need
        # The plan's pipelines are the kernel's variant for unfolded grids; a folded grid's call uses a
        # folding variant's pipeline of the same layout, compiled on first need:
        # {(pipeline, variant): folding pipeline}.
        self._folding: dict[Any, Any] = {}
        self._folding_lock = threading.Lock()
        self._groups: dict[tuple[Any, ...], Any] = {}
        self._groups_arena: _Arena | None = None  # the newest arena a cached group binds
        # The bind group cache's key of a call: its arena and array buffers (identity: a cached group
        # keeps its buffers alive, so an id is never reused while it is a key).
        picks = "".join(f"keep[{i}], " for i in self.arrays)
        self.key = eval(f"lambda arena, keep: (arena, {picks})")  # noqa: S307 - built from ints above
        self._last_key: tuple[Any, ...] | None = None
        self._last_group: _Bound | None = None
        self.record = generate_record(  # type: ignore[method-assign]
            self,
            kernel,
            backend,
            iface,
            make_checkers(kernel, backend),
            WebGpuBuffer,
            WebGpuDispatch,
            len_code="I",
            block="bytes",
            counts="x, y, z",
        )

    def record(self, grid: Any, args: Sequence[Any]) -> WebGpuDispatch:  # replaced per instance
        raise NotImplementedError

    def folding(self, pipeline: Any, variant: str) -> Any:
        """Grid variant `variant`'s pipeline with `pipeline`'s layout (compiled and made on first need)."""
        key = (pipeline, variant)
        folded = self._folding.get(key)
        if folded is None:
            with self._folding_lock:
                folded = self._folding.get(key)
                if folded is None:
                    from khal.compiler import compile_kernel
                    from khal.targets.spirv import compiling_variant

                    with compiling_variant(variant):
                        compiled = compile_kernel(self.kernel, self.backend.target)
                    layout = self.layout if pipeline is self.pipeline else self._aliased[0]  # type: ignore[index]
                    binary = compiled.artifact.asm["spirv"]
                    _, folded = self._pipeline(pipeline is not self.pipeline, binary, layout)
                    self._folding[key] = folded
        return folded

    def _pipeline(self, aliased: bool, binary: bytes | None = None, layout: Any = None) -> tuple[Any, Any]:
        """(bind group layout, compute pipeline): read-only arrays as `read-only-storage`, unless `aliased`.

        WebGPU forbids one buffer as read-only and writable storage in one dispatch (`k(a, a)` where
        one parameter is only read); such calls use the layout with every array as `storage` (a
        shader without its NonWritable decorations: wgpu wants a binding's access to match the shader's).
        `binary` (another variant of the kernel) and `layout` (an existing layout) replace the plan's.
        """
        from wgpu import ShaderStage

        iface, device = self.interface, self.backend.device
        shader = self._shader
        if aliased or binary is not None:
            code = binary if binary is not None else self.compiled.artifact.asm["spirv"]
            code = writable_spirv(code) if aliased else code
            if os.environ.get("KHAL_SPIRV_VALIDATE"):
                _validate(self.kernel.name, code)
            shader = device.create_shader_module(label=self.kernel.name, code=code)
        entries: list[dict[str, Any]] = []
        for i in self.arrays:
            kind = "read-only-storage" if iface.params[i].access == "read" and not aliased else "storage"
            entries.append(
                {"binding": self.bindings[i], "visibility": ShaderStage.COMPUTE, "buffer": {"type": kind}}
            )
        if self.block_size:
            entries.append(
                {
                    "binding": len(iface.params),
                    "visibility": ShaderStage.COMPUTE,
                    "buffer": {"type": "uniform", "has_dynamic_offset": True},
                }
            )
        if layout is None:
            layout = device.create_bind_group_layout(entries=entries)
        pipeline = device.create_compute_pipeline(
            label=self.kernel.name,
            layout=device.create_pipeline_layout(bind_group_layouts=[layout]),
            compute={"module": shader, "entry_point": iface.kernel},
        )
        return layout, pipeline

    def written_params(self) -> tuple[bool, ...]:
        return self.compiled.written

    def fold(self, x: int, y: int, z: int) -> tuple[int, int, int]:
        """Physical counts of a grid past the per-dimension limit (the contract's folding rule)."""
        m = self.max_dim
        if not self.folds:
            raise ValueError(
                f"{self.kernel.name}(): a grid of {(x, y, z)} workgroups exceeds the device's "
                f"max_compute_workgroups_per_dimension ({m}), and this kernel cannot fold its grid"
            )
        total = x * y * z
        found = _FOLDS.get((total, m))
        if found is not None:
            return found
        # The fewest planes, then the fewest rows, then as few columns as cover the rest: a physical
        # grid that overshoots `total` by less than a row (workgroups past it return at once). Filling
        # rows of `m` first would overshoot by up to a row of `m`: 25% more workgroups for 2^18. A few
        # more rows are tried for a grid of exactly `total` (2^18: 32768 x 8), where no workgroup
        # returns early: the kernel's variant for it skips that test.
        pz = -(-total // (m * m))
        rest = -(-total // pz)
        py = -(-rest // m)
        px = -(-rest // py)
        if pz > m or total >= 2**32:
            raise ValueError(
                f"{self.kernel.name}(): a grid of {(x, y, z)} workgroups ({total}) exceeds what folding into "
                f"{m} x {m} x {m} workgroups can reach"
            )
        if total % pz == 0:
            plane = total // pz
            exact = next((r for r in range(py, min(m, py + EXACT_FOLD_ROWS) + 1) if plane % r == 0), None)
            if exact is not None:
                px, py = plane // exact, exact
        if len(_FOLDS) >= 4096:
            _FOLDS.clear()
        _FOLDS[(total, m)] = (px, py, pz)
        return (px, py, pz)

    def group(self, key: tuple[Any, ...], arena: _Arena | None, keep: tuple[Any, ...]) -> _Bound:
        """The bind group of these buffers (and arena; `key` = `self.key(arena, keep)`), cached."""
        group = self._groups.get(key)
        if group is None:
            group = self._make_group(arena, keep)  # may raise: the call is then not recorded
            if arena is not None and arena is not self._groups_arena and arena is self.backend._arena:
                # The backend moved to a new arena: the old one's groups are hardly needed again.
                self._groups_arena = arena
                self._groups = {k: g for k, g in self._groups.items() if k[0] is None or k[0] is arena}
            if len(self._groups) >= GROUP_CACHE:
                self._groups.clear()
            self._groups[key] = group
        self._last_key, self._last_group = key, group
        return group

    def _make_group(self, arena: _Arena | None, keep: tuple[Any, ...]) -> _Bound:
        limit = self.backend.limits["max-storage-buffer-binding-size"]
        entries: list[dict[str, Any]] = []
        layout, pipeline = self.layout, self.pipeline
        if self._aliases_read_only(keep):
            if self._aliased is None:
                self._aliased = self._pipeline(aliased=True)
            layout, pipeline = self._aliased
        for i in self.arrays:
            buf: WebGpuBuffer = keep[i]
            if buf._size > limit:
                raise ValueError(
                    f"{self.kernel.name}(): parameter {self.interface.params[i].name!r} is a buffer of "
                    f"{buf._size} bytes, more than the device binds ({limit} bytes, its "
                    "max_storage_buffer_binding_size)"
                )
            resource = {"buffer": buf._gpu, "offset": 0, "size": buf._size}
            entries.append({"binding": self.bindings[i], "resource": resource})
        if arena is not None:
            entries.append(
                {
                    "binding": len(self.interface.params),
                    "resource": {"buffer": arena.gpu, "offset": 0, "size": self.block_size},
                }
            )
        return _Bound(self.backend.device.create_bind_group(layout=layout, entries=entries), pipeline)

    def _aliases_read_only(self, keep: tuple[Any, ...]) -> bool:
        """Is a buffer passed twice, once to a parameter the kernel only reads?"""
        seen: dict[int, list[int]] = {}
        for i in self.arrays:
            seen.setdefault(id(keep[i]), []).append(i)
        params = self.interface.params
        return any(len(ix) > 1 and any(params[i].access == "read" for i in ix) for ix in seen.values())


_OP_DECORATE, _OP_MEMBER_DECORATE, _NON_WRITABLE = 71, 72, 24


def writable_spirv(binary: bytes) -> bytes:
    """The module without its NonWritable decorations (every storage buffer then read-write)."""
    words = np.frombuffer(binary, dtype="<u4")
    keep = [words[:5]]
    pos = 5
    while pos < len(words):
        count, opcode = int(words[pos]) >> 16, int(words[pos]) & 0xFFFF
        decoration = {_OP_DECORATE: 2, _OP_MEMBER_DECORATE: 3}.get(opcode)
        if decoration is None or count <= decoration or int(words[pos + decoration]) != _NON_WRITABLE:
            keep.append(words[pos : pos + count])
        pos += max(count, 1)
    return np.concatenate(keep).astype("<u4").tobytes()


class _Bound:
    """A bind group and the pipeline whose layout it was made for."""

    __slots__ = ("group", "pipeline", "_internal")

    def __init__(self, group: Any, pipeline: Any):
        self.group = group
        self.pipeline = pipeline
        self._internal = group._internal


def _validate(name: str, binary: bytes) -> None:
    """`spirv-val --target-env vulkan1.1` of a module the runtime is about to load (tests turn it on)."""
    from khal.targets.spirv_writer import validate

    problem = validate(binary)
    if problem is not None:
        raise RuntimeError(f"{name}: the SPIR-V module fails spirv-val --target-env vulkan1.1:\n{problem}")


_LOCATION = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?P<col>\d+): (?:error: )?(?P<text>.*)$")


def feature_error(where: str, feature: str, adapter: str) -> CompileError:
    """The error of a kernel needing `feature` (first used at `where`, a located message) on `adapter`."""
    first, *rest = where.split("\n")
    note = f" (the wgpu feature {feature!r}, which adapter {adapter} does not offer)"
    m = _LOCATION.match(first)
    if m is None:
        return CompileError(first + note)
    source = rest[0] if rest else None
    return CompileError(m["text"] + note, m["file"], int(m["line"]), int(m["col"]), source)


# --------------------------------------------------------------------------- recording


class WebGpuEncoder(Encoder):
    """Records into a wgpu command encoder at `call` time; the per-call blocks go to uniform arenas."""

    def __init__(self, backend: WebGpu):
        super().__init__(backend)
        # The native command encoder. Passes, dispatches and the submit call wgpu-native directly;
        # wgpu-py's wrapper (`_wrapped`, which then owns the encoder) is made only for what it does
        # best: timed passes, copies, query resolves. Wrappers cost 2-3 us per object.
        self._native = _LIB.wgpuDeviceCreateCommandEncoder(backend.device._internal, _FFI.NULL)
        self._wrapped: Any = None
        self._pass: Any = None  # the open untimed pass's native encoder (this encoder releases it)
        self._timed_passes: list[Any] = []  # wgpu-py's timed passes, kept until the submit
        # The blocks this encoder appended (uploaded at its submit), and the arena byte ranges
        # [arena, start, end] holding them: usually one range per arena, so one upload.
        self._blocks: dict[bytes, tuple[_Arena, int]] = {}
        self._runs: list[list[Any]] = []
        self._pipeline: Any = None  # the pass's current pipeline, bind group and dynamic offset
        self._group: Any = None
        self._offset = -1
        self._offsets = _FFI.new("uint32_t[1]")  # the dynamic offset handed to wgpu-native

    def _record_pass_begin(self, p: ComputePass) -> None:
        m = p._begin_marker
        if m is not None and type(m.native) is _QuerySlots:
            writes = {
                "query_set": m.native.query_set,
                "beginning_of_pass_write_index": m.slot,
                "end_of_pass_write_index": m.slot + 1,
            }
            wrapped = self._gpu_encoder().begin_compute_pass(label=p.label, timestamp_writes=writes)
            self._timed_passes.append(wrapped)  # it owns the native pass
            p._native = wrapped._internal
        else:
            p._native = self._pass = self.backend._dev.begin_pass(self._native, p.label)  # type: ignore[attr-defined]
        self._pipeline = self._group = None

    def _gpu_encoder(self) -> Any:
        """wgpu-py's wrapper of the native encoder (made once; it then owns and releases it)."""
        if self._wrapped is None:
            dev = self.backend._dev  # type: ignore[attr-defined]
            self._wrapped = dev._encoder_type("", self._native, dev.device)
        return self._wrapped

    def __del__(self) -> None:
        # An encoder dropped before its submit: let go of the handles no wgpu-py wrapper owns
        if _LIB is None:
            return
        if getattr(self, "_pass", None) is not None:
            _LIB.wgpuComputePassEncoderRelease(self._pass)
        if getattr(self, "_wrapped", True) is None and self._native is not None:
            _LIB.wgpuCommandEncoderRelease(self._native)

    def _new_slot(self, block: bytes, size: int) -> tuple[_Arena, int]:
        """A fresh slot of `size` bytes holding `block`, to be uploaded at this encoder's submit."""
        slot = self.backend._append_block(block, size)  # type: ignore[attr-defined]
        arena, offset = slot
        runs = self._runs
        if runs and runs[-1][0] is arena and runs[-1][2] == offset:
            runs[-1][2] = offset + size
        else:
            runs.append([arena, offset, offset + size])
        self._blocks[block] = slot
        return slot

    def _record_dispatch(self, p: ComputePass, cmd: WebGpuDispatch) -> None:
        # The per-call path: wgpu-native's pass functions are called directly (wgpu-py's wrappers cost
        # microseconds each); a pass encoder reports its errors at `end()`/`finish()` either way.
        plan = cmd.plan
        if plan.block_size:
            # A block seen before shares its slot: one this encoder appended, or one uploaded by an
            # earlier submit (immutable, and its upload is queued before this encoder's work).
            block = cmd.block
            slot = self._blocks.get(block) or self.backend._uploaded.get(block)  # type: ignore[attr-defined]
            arena, offset = slot or self._new_slot(block, plan.slot)
        else:
            arena, offset = None, -1
        key = plan.key(arena, cmd.keep)
        group = plan._last_group if key == plan._last_key else plan.group(key, arena, cmd.keep)
        cmd.group = group
        native = p._native
        lib = _LIB
        folded = cmd.folded
        pipeline = group.pipeline if folded is None else plan.folding(group.pipeline, folded)
        if pipeline is not self._pipeline:
            lib.wgpuComputePassEncoderSetPipeline(native, pipeline._internal)
            self._pipeline = pipeline
        if group is not self._group or offset != self._offset:
            if offset >= 0:
                offsets = self._offsets
                offsets[0] = offset
                lib.wgpuComputePassEncoderSetBindGroup(native, 0, group._internal, 1, offsets)
            else:
                lib.wgpuComputePassEncoderSetBindGroup(native, 0, group._internal, 0, _FFI.NULL)
            self._group, self._offset = group, offset
        if cmd.indirect is None:
            lib.wgpuComputePassEncoderDispatchWorkgroups(native, *cmd.counts)
        else:
            ind = cmd.indirect
            step = 12 if ind.buffer.row_shape else 4
            buffer = ind.buffer._gpu._internal  # type: ignore[attr-defined]
            lib.wgpuComputePassEncoderDispatchWorkgroupsIndirect(native, buffer, ind.offset * step)

    def _record_pass_end(self, p: ComputePass) -> None:
        self.backend._dev._lib.wgpuComputePassEncoderEnd(p._native)  # type: ignore[attr-defined]  # errors raise
        if p._native is self._pass:
            self._pass = None
            _LIB.wgpuComputePassEncoderRelease(p._native)

    def _record_copy(self, copy: CopyCommand) -> None:
        size = copy.src.element_dtype.itemsize
        src, dst, n = copy.src_offset * size, copy.dst_offset * size, copy.count * size
        if (src | dst | n) & 3:
            raise ValueError(
                "copy_buffer_to_buffer on webgpu copies whole 4-byte words: the byte offsets "
                f"({src}, {dst}) and size ({n}) must be multiples of 4"
            )
        if n:
            self._gpu_encoder().copy_buffer_to_buffer(copy.src._gpu, src, copy.dst._gpu, dst, n)  # type: ignore[attr-defined]

    def _commit(self) -> Submission:
        backend: WebGpu = self.backend  # type: ignore[assignment]
        for m in self._timed:
            if type(m.native) is _QuerySlots:
                k = m.slot // 2
                self._gpu_encoder().resolve_query_set(
                    m.native.query_set, m.slot, 2, m.native.resolved, k * QUERY_STRIDE
                )
            elif m.native is m.timestamps._native:  # host timing: the pass begins once submitted
                m.native[m.slot] = now()
        dev = backend._dev
        native, wrapped = self._native, self._wrapped
        commands = dev._lib.wgpuCommandEncoderFinish(native, _FFI.NULL)  # errors raise
        if self._runs:
            queue = backend.queue
            for arena, start, end in self._runs:
                queue.write_buffer(arena.gpu, start, arena.host, start, end - start)
            backend._publish(self._blocks)
            self._runs = []
        sub = WebGpuSubmission(backend, self._commands)
        try:
            sub._index = dev.submit(commands)
        finally:
            _LIB.wgpuCommandBufferRelease(commands)
            if wrapped is None:
                _LIB.wgpuCommandEncoderRelease(native)
            self._native = None
        return sub


class WebGpuPass(RecordingPass):
    """A wgpu compute pass: a call is checked, recorded natively, then logged (one step less)."""

    __slots__ = ()

    def dispatch(self, kernel: Any, grid: Any, args: Sequence[Any], plan: LaunchPlan | None = None) -> None:
        """Record one call of `kernel` (what `kernel.call(pass, grid, *args)` does)."""
        if not self._open:
            raise RuntimeError(f"pass {self.label!r} has ended; begin a new pass to record more calls")
        encoder: WebGpuEncoder = self.encoder  # type: ignore[assignment]
        if plan is None:
            plan = encoder.backend._plan(kernel)
        cmd = plan.record(grid, args)  # checks every argument first
        encoder._record_dispatch(self, cmd)
        encoder._commands.append(cmd)


WebGpuEncoder.pass_type = WebGpuPass  # (Encoder.__init_subclass__ set RecordingPass)


class WebGpuSubmission(Submission):
    """One `queue.submit`: done once the device has passed its submission index."""

    __slots__ = ("_index", "_lock")

    def __init__(self, backend: WebGpu, keep: list[Any]):
        super().__init__(backend, keep)
        self._index = 0
        self._lock = threading.Lock()

    def _poll(self) -> bool:
        return self.backend._finished(self._index, False)  # type: ignore[attr-defined]

    def _block(self) -> None:
        self.backend._finished(self._index, True)  # type: ignore[attr-defined]

    def _complete(self) -> None:
        with self._lock:
            if self._done:
                return
            keep = self._keep
            super()._complete()
        t = now()
        for cmd in keep or ():
            if type(cmd) is PassMarker and type(cmd.native) is list and cmd.native is cmd.timestamps._native:
                cmd.native[cmd.slot] = t  # host timing: the pass ended by the time completion was seen


# --------------------------------------------------------------------------- the backend


class WebGpu(Backend):
    """Run kernels through WebGPU (wgpu-py): Vulkan, Metal or D3D12, or Mesa's lavapipe on a CPU.

    `adapter` picks the adapter: None (wgpu's choice for `power_preference`), an index into
    `wgpu.gpu.enumerate_adapters_sync()`, a part of an adapter's name (`"llvmpipe"`, `"H200"`), or a
    wgpu adapter object. Without wgpu or an adapter, `BackendUnavailable` says what to install.
    """

    name = "webgpu"
    target = "webgpu"
    encoder_type = WebGpuEncoder

    def __init__(self, power_preference: str = "high-performance", adapter: Any = None):
        super().__init__()
        dev = open_device(power_preference, adapter)
        self._dev = dev
        self.adapter = dev.adapter
        self.adapter_name = dev.name
        self.device = dev.device
        self.queue = dev.queue
        self.features: frozenset[str] = dev.features
        self.limits: dict[str, int] = dict(dev.limits)
        self.timestamp_period = dev.period
        # Vulkan lets a driver flush subnormals, assume no inf/NaN and round `/` and `sqrt` loosely
        # unless the shader asks otherwise (float-controls execution modes, which naga does not pass
        # on). Mesa's lavapipe keeps IEEE semantics anyway; NVIDIA's driver does not (docs/semantics.md).
        # KHAL_WEBGPU_IEEE_FLOATS=0/1 overrides it (to test the relaxed checks on lavapipe, say).
        override = os.environ.get("KHAL_WEBGPU_IEEE_FLOATS", "")
        self.ieee_floats = override == "1" if override in ("0", "1") else "llvmpipe" in dev.name.lower()
        self._arena: _Arena | None = None  # where new blocks are appended
        # Blocks already uploaded into `_arena`, by their bytes: a call with the same block needs
        # no upload at all (bounded by the arena's slots; started over with each new arena).
        self._uploaded: dict[bytes, tuple[_Arena, int]] = {}
        self._arena_lock = threading.Lock()
        self._tracked = 0  # submissions tracked so far (`_track` polls every TRACK_POLL-th)

    def __repr__(self) -> str:
        return f"<khal backend webgpu on {self.adapter_name}>"

    # -- buffers

    def _new_buffer(
        self,
        n: int,
        dtype: np.dtype[Any],
        row_shape: tuple[int, ...],
        usage: BufferUsages,
        data: np.ndarray | None,
    ) -> WebGpuBuffer:
        nbytes = n * math.prod(row_shape) * dtype.itemsize
        size = _padded(nbytes)
        if size > self.limits["max-buffer-size"]:
            most = self.limits["max-buffer-size"]
            raise ValueError(f"a buffer of {nbytes} bytes exceeds the device's max_buffer_size ({most})")
        gpu_usage = int((usage & ~_MAP) | _DEVICE_COPY)
        if data is not None and nbytes:
            raw = data.tobytes()
            gpu = self.device.create_buffer_with_data(data=raw + bytes(size - nbytes), usage=gpu_usage)
        else:
            gpu = self.device.create_buffer(size=size, usage=gpu_usage)  # WebGPU zero-fills it
        return WebGpuBuffer(self, n, dtype, row_shape, usage, gpu, size)

    def from_dlpack(self, x: Any, usage: BufferUsages = DEFAULT_USAGE) -> Buffer:
        """No DLPack array lives in a wgpu device's memory: a `TypeError` for what is not an array, a
        `ValueError` (copy it with `init_buffer`) for one."""
        if not hasattr(x, "__dlpack__"):
            raise TypeError(
                f"from_dlpack takes an array that speaks DLPack (numpy, torch, ...), got {type(x).__name__}"
            )
        raise ValueError(
            "from_dlpack: a wgpu device shares no memory with DLPack arrays; copy it with init_buffer"
        )

    def _write(self, buf: Buffer, offset: int, data: np.ndarray) -> None:
        gpu = buf._gpu  # type: ignore[attr-defined]
        raw = data.tobytes()
        if not raw:
            return
        start = offset * buf.element_dtype.itemsize
        end = start + len(raw)
        lo, hi = start & ~3, (end + 3) & ~3
        if (lo, hi) != (start, end):  # whole words only: keep the neighbours' bytes of the edge words
            patch = bytearray(hi - lo)
            patch[:4] = self.queue.read_buffer(gpu, lo, 4)
            patch[-4:] = self.queue.read_buffer(gpu, hi - 4, 4)
            patch[start - lo : end - lo] = raw
            raw = bytes(patch)
        self.queue.write_buffer(gpu, lo, raw)

    def _read(self, buf: Buffer) -> np.ndarray:
        n = buf.nbytes
        if n == 0:
            return np.zeros(buf.shape, dtype=buf.dtype)
        data = self.queue.read_buffer(buf._gpu, 0, buf._size)  # type: ignore[attr-defined]
        out = np.frombuffer(data, dtype=np.uint8, count=n).view(buf.dtype).reshape(buf.shape)
        return out if out.flags.writeable else out.copy()

    # -- submission

    def _finished(self, index: int, wait: bool) -> bool:
        """Has submission `index` completed? With `wait`, return once it has."""
        return self._dev.finished(index, wait)

    def _track(self, sub: Submission) -> None:
        """Hold `sub` until it is seen complete. Submissions known done are let go without asking the
        device; it is polled (which costs a native call) only once every `TRACK_POLL` submissions, so that
        what finished work holds is let go even when nobody waits."""
        dev = self._dev
        with self._in_flight_lock:
            in_flight = self._in_flight
            in_flight.append(sub)
            self._tracked += 1
            if self._tracked % TRACK_POLL == 0:
                dev.finished(in_flight[0]._index, False)  # type: ignore[attr-defined]
            done = dev.done_index
            while in_flight and in_flight[0]._index <= done:  # type: ignore[attr-defined]
                in_flight.popleft()._complete()

    def _append_block(self, block: bytes, size: int) -> tuple[_Arena, int]:
        """(arena, offset) of a fresh slot of `size` bytes holding `block` (a new arena when full)."""
        with self._arena_lock:
            arena = self._arena
            if arena is None or arena.pos + size > len(arena.host):
                arena = self._arena = _Arena(self.device, max(ARENA_BYTES, size))
                self._uploaded = {}  # the old arena's slots stay valid; this lets it go sooner
            offset = arena.pos
            arena.pos = offset + size
        arena.host[offset : offset + len(block)] = block  # the slot is this caller's alone
        return arena, offset

    def _publish(self, blocks: dict[bytes, tuple[_Arena, int]]) -> None:
        """Blocks whose upload was just queued: later calls with the same bytes may share their slots."""
        with self._arena_lock:
            arena, uploaded = self._arena, self._uploaded
            for block, slot in blocks.items():
                if slot[0] is arena:
                    uploaded[block] = slot

    # -- timestamps

    def _new_timestamp_set(self, capacity: int) -> Any:
        if "timestamp-query" not in self.features:
            return super()._new_timestamp_set(capacity)
        return _QuerySlots(self.device, capacity)

    def _resolve_timestamps(self, ts: Timestamps, pairs: list[int]) -> list[float]:
        slots = ts._native
        if type(slots) is not _QuerySlots:
            return super()._resolve_timestamps(ts, pairs)
        ticks = np.frombuffer(self.queue.read_buffer(slots.resolved), dtype=np.uint64)
        step = QUERY_STRIDE // 8
        scale = self.timestamp_period / 1e6  # ticks -> ns -> ms
        return [float(np.int64(ticks[k * step + 1] - ticks[k * step])) * scale for k in pairs]

    # -- kernels

    def _check_features(self, iface: Any) -> None:
        """`CompileError` at the first use of a feature this device lacks (the interface's `requires`)."""
        for feature, where in getattr(iface, "requires", ()):
            if feature not in self.features:
                raise feature_error(where, feature, self.adapter_name)

    def _make_plan(self, kernel: Any) -> WebGpuPlan:
        from khal.compiler import compile_kernel
        from khal.targets.spirv import compiling_variant

        with compiling_variant("unfolded"):  # the folding variants are compiled on a folded grid's first call
            compiled = compile_kernel(kernel, self.target)
        return WebGpuPlan(kernel, self, compiled)
