#!/usr/bin/env python3
"""Generates Doppel's stand-in ONNX models (tests/models/).

Each stand-in has the real I/O signature of a model family users bring (names, shapes, dtypes,
layouts) and a tiny graph whose maths is designed so a test can check one convention exactly.
tests/models/README.md documents every file; this script is the source of truth for both.

Run from the repository root:

    python3 -m venv .cache/venv
    .cache/venv/bin/pip install onnx==1.23.2 numpy==2.4.6 onnxruntime==1.31.1
    .cache/venv/bin/python tools/stand_ins/make.py            # (re)write tests/models/
    .cache/venv/bin/python tools/stand_ins/make.py --check    # regenerate in memory, compare bytes

The output is byte-for-byte deterministic: every weight comes from an integer hash (splitmix64)
quantised to k/512 (exact in float32 and float16), never from a random generator or a
transcendental function, and the files carry no timestamps. When onnxruntime is importable,
every model is run once and its designed maths asserted (the generator's own test); pass
--no-ort to skip that.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8
PRODUCER = "doppel tools/stand_ins/make.py"
PRODUCER_VERSION = "1"

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "tests" / "models"

F32 = TensorProto.FLOAT
F16 = TensorProto.FLOAT16
F64 = TensorProto.DOUBLE
I64 = TensorProto.INT64

IMAGENET_MEAN = (0.485, 0.456, 0.406)  # RGB
IMAGENET_STD = (0.229, 0.224, 0.225)  # RGB

# ---------------------------------------------------------------------------------------------
# Deterministic numbers
# ---------------------------------------------------------------------------------------------


def splitmix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 on uint64 arrays (wrapping arithmetic)."""
    x = x.astype(np.uint64)
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hashed(seed: int, count: int) -> np.ndarray:
    """hashed(seed, n) for n = 0..count-1: k/512 with k = (splitmix64(seed*2^32 + n) >> 54) - 512,
    so values lie in [-1, 1) on a 1/512 grid (float64; exact in float32 and float16)."""
    n = np.arange(count, dtype=np.uint64) + np.uint64(seed << 32)
    with np.errstate(over="ignore"):
        k = (splitmix64(n) >> np.uint64(54)).astype(np.int64) - 512
    return k.astype(np.float64) / 512.0


def emap_matrix() -> np.ndarray:
    """inswapper emap stand-in: emap[i][j] = hashed(1, 512*i + j) / 16."""
    return (hashed(1, 512 * 512) / 16.0).reshape(512, 512)


def recogniser_weights() -> tuple[np.ndarray, np.ndarray]:
    """ArcFace stand-in: W[i][j] = hashed(2, 512*i + j) / 8 (192x512), b[j] = hashed(3, j) / 8."""
    w = (hashed(2, 192 * 512) / 8.0).reshape(192, 512)
    b = hashed(3, 512) / 8.0
    return w, b


def pack_embedding() -> np.ndarray:
    """example_generic's stored embedding: e[i] = 2 * hashed(7, i) (multiples of 1/256)."""
    return hashed(7, 512) * 2.0


CONVERTERS = {
    # family: (multiplier m, offset a, scale s): out[j] = s * in[(m*j + a) mod 512]
    "simswap": (5, 1, 2.0),
    "ghost": (7, 3, 0.5),
    "hififace": (3, 2, 1.5),
}


def converter_apply(family: str, v: np.ndarray) -> np.ndarray:
    m, a, s = CONVERTERS[family]
    idx = (m * np.arange(512) + a) % 512
    return s * v[..., idx]


# ---------------------------------------------------------------------------------------------
# Graph building
# ---------------------------------------------------------------------------------------------


class Graph:
    def __init__(self, name: str):
        self.name = name
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.outputs: list[onnx.ValueInfoProto] = []
        self._n = 0

    def fresh(self, base: str) -> str:
        self._n += 1
        return f"{base}_{self._n}"

    def const(self, arr, name: str | None = None, dtype=np.float32) -> str:
        arr = np.asarray(arr)
        if arr.dtype != dtype and dtype is not None:
            arr = arr.astype(dtype)
        name = name or self.fresh("c")
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def i64(self, values, name: str | None = None) -> str:
        return self.const(np.asarray(values, dtype=np.int64), name, dtype=np.int64)

    def op(self, op_type: str, inputs: list[str], out: str | None = None, n_out: int = 1, **attrs):
        outs = [out] if out else [self.fresh(op_type.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=self.fresh("n_" + op_type), **attrs))
        return outs[0] if n_out == 1 else outs

    def input(self, name: str, elem: int, shape: list) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem, shape))
        return name

    def output(self, name: str, elem: int, shape: list) -> str:
        self.outputs.append(helper.make_tensor_value_info(name, elem, shape))
        return name

    def model(self, doc: str, metadata: dict[str, str] | None = None) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        m = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            ir_version=IR_VERSION,
            producer_name=PRODUCER,
            producer_version=PRODUCER_VERSION,
            doc_string=doc,
            model_version=1,
        )
        for k, v in (metadata or {}).items():
            e = m.metadata_props.add()
            e.key = k
            e.value = v
        onnx.checker.check_model(m, full_check=True)
        return m


# ---------------------------------------------------------------------------------------------
# Conventions (models.md): per-channel affine maps between the model's domain and 0..1
# ---------------------------------------------------------------------------------------------

# model value x -> 0..1 value: x * scale + bias  (per channel, RGB order for imagenet)
DECODE = {
    "zero_one": ((1.0,) * 3, (0.0,) * 3),
    "minus_one_one": ((0.5,) * 3, (0.5,) * 3),
    "imagenet": (IMAGENET_STD, IMAGENET_MEAN),
    "raw255": ((1 / 255,) * 3, (0.0,) * 3),
    "arcface": ((0.5,) * 3, (0.5,) * 3),
}
# 0..1 value y -> model output value: y * scale + bias
ENCODE = {
    "zero_one": ((1.0,) * 3, (0.0,) * 3),
    "minus_one_one": ((2.0,) * 3, (-1.0,) * 3),
    "raw255": ((255.0,) * 3, (0.0,) * 3),
}


def encode_np(y01: np.ndarray, rng: str, layout: str) -> np.ndarray:
    s, b = (np.array(v, np.float64) for v in ENCODE[rng])
    return y01 * chan(s, layout) + chan(b, layout)


def decode_np(x: np.ndarray, norm: str, layout: str, channels: str = "rgb") -> np.ndarray:
    s, b = (np.array(v, np.float64) for v in DECODE[norm])
    if channels == "bgr":
        s, b = s[::-1], b[::-1]
    return x * chan(s, layout) + chan(b, layout)


def chan(v, layout: str) -> np.ndarray:
    v = np.asarray(v, np.float64)
    return v.reshape(1, 3, 1, 1) if layout == "nchw" else v.reshape(1, 1, 1, 3)


def image_shape(layout: str, size: int) -> list:
    return [1, 3, size, size] if layout == "nchw" else [1, size, size, 3]


@dataclass
class Conv:
    """One model's pixel conventions (channels: model channel order)."""

    size: int
    norm: str
    out: str
    layout: str = "nchw"
    channels: str = "rgb"
    template: str = "arcface_128"

    def metadata(self) -> dict[str, str]:
        return {
            "doppel.template": self.template,
            "doppel.crop_size": str(self.size),
            "doppel.layout": self.layout,
            "doppel.channels": self.channels,
            "doppel.normalisation": self.norm,
            "doppel.output_range": self.out,
        }


def affine_body(g: Graph, x: str, c: Conv, gain=(1.0,) * 3, offset=(0.0,) * 3) -> str:
    """Model input x -> model output for out01 = gain * in01 + offset (RGB gain/offset)."""
    sd, bd = (np.array(v, np.float64) for v in DECODE[c.norm])
    se, be = (np.array(v, np.float64) for v in ENCODE[c.out])
    gain = np.array(gain, np.float64)
    offset = np.array(offset, np.float64)
    if c.channels == "bgr":
        sd, bd, gain, offset = sd[::-1], bd[::-1], gain[::-1], offset[::-1]
    a = sd * gain * se
    b = (bd * gain + offset) * se + be
    y = x
    if np.all(a == 1.0) and np.all(b == 0.0):
        return g.op("Identity", [x])
    if not np.all(a == 1.0):
        y = g.op("Mul", [y, g.const(chan(a, c.layout))])
    if not np.all(b == 0.0):
        y = g.op("Add", [y, g.const(chan(b, c.layout))])
    return y


def encode_scale(c: Conv) -> np.ndarray:
    se = np.array(ENCODE[c.out][0], np.float64)
    return chan(se, c.layout)


# ---------------------------------------------------------------------------------------------
# The registry of models and their self-checks
# ---------------------------------------------------------------------------------------------


@dataclass
class Item:
    path: str  # relative to tests/models
    data: bytes
    check: Callable | None = None  # check(session) -> None, asserts the designed maths
    doc: str = ""


@dataclass
class Registry:
    items: list[Item] = field(default_factory=list)

    def add_model(self, path: str, model: onnx.ModelProto, check=None):
        self.items.append(Item(path, model.SerializeToString(), check, model.doc_string))

    def add_text(self, path: str, text: str):
        self.items.append(Item(path, text.encode("utf-8")))


REG = Registry()
RNG_CHECK = np.random.default_rng(12345)  # only for self-check inputs, never for file contents


def rand_image(shape, lo=0.0, hi=1.0) -> np.ndarray:
    return RNG_CHECK.uniform(lo, hi, size=shape).astype(np.float32)


def close(got, want, tol, what):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    err = float(np.max(np.abs(got - want))) if got.size else 0.0
    assert err <= tol, f"{what}: max error {err} > {tol}"


def model_input(c: Conv) -> np.ndarray:
    """A random crop in 0..1 terms, encoded into the model's input domain (float32)."""
    y01 = rand_image(image_shape(c.layout, c.size))
    s, b = (np.array(v, np.float64) for v in DECODE[c.norm])
    if c.channels == "bgr":
        s, b = s[::-1], b[::-1]
    return ((y01 - chan(b, c.layout)) / chan(s, c.layout)).astype(np.float32)


def to01_out(out: np.ndarray, c: Conv) -> np.ndarray:
    se, be = (np.array(v, np.float64) for v in ENCODE[c.out])
    return (out.astype(np.float64) - chan(be, c.layout)) / chan(se, c.layout)


# ---------------------------------------------------------------------------------------------
# 1, 2. Swappers: identity, probes, colour shift
# ---------------------------------------------------------------------------------------------

FAMILIES = {
    # name: (conventions, source kind)
    "inswapper_128": (Conv(128, "zero_one", "zero_one", template="arcface_128"), "emap"),
    "hyperswap_1a_256": (Conv(256, "minus_one_one", "minus_one_one", template="arcface_128"), "vector"),
    "simswap_256": (Conv(256, "imagenet", "zero_one", template="arcface_112_v1"), "vector"),
    "simswap_unofficial_512": (Conv(512, "zero_one", "zero_one", template="arcface_112_v1"), "vector"),
    "ghost_1_256": (Conv(256, "minus_one_one", "minus_one_one", template="arcface_112_v1"), "vector"),
    "hififace_unofficial_256": (Conv(256, "minus_one_one", "minus_one_one", template="mtcnn_512"), "vector"),
    "blendswap_256": (Conv(256, "zero_one", "zero_one", template="ffhq_512"), "image112"),
    "uniface_256": (Conv(256, "minus_one_one", "minus_one_one", template="ffhq_512"), "image256"),
}

SOURCE_SHAPES = {"emap": [1, 512], "vector": [1, 512], "image112": [1, 3, 112, 112], "image256": [1, 3, 256, 256]}

PROBE_K = (0.1, 0.1, 0.01)  # embedding probes: offsets (0..1 terms) = (0.1 v[0], 0.1 v[1], 0.01 |v|)


def swapper(name: str, probe: bool, fp16: bool = False, emap_name: str = "buff2fs"):
    c, src = FAMILIES[name.replace("_fp16", "")]
    g = Graph(name)
    target = g.input("target", F32, image_shape(c.layout, c.size))
    source = g.input("source", F32, SOURCE_SHAPES[src])
    out_shape = image_shape(c.layout, c.size)
    x = target
    if fp16:
        x = g.op("Cast", [g.op("Cast", [x], to=F16)], to=F32)
    if src == "emap" and probe and emap_name == "buff2fs":
        # the emap is NOT the last initializer here: readers must look it up by name
        g.const(emap_matrix(), "buff2fs", dtype=np.float16 if fp16 else np.float32)
    y = affine_body(g, x, c) if not fp16 else x
    se = encode_scale(c)
    if probe and src in ("emap", "vector"):
        first = g.op("Slice", [source, g.i64([0]), g.i64([2]), g.i64([1])])
        norm = g.op("ReduceL2", [source], axes=[1], keepdims=1)
        v3 = g.op("Concat", [first, norm], axis=1)
        v3 = g.op("Reshape", [v3, g.i64([1, 3, 1, 1])])
        off = g.op("Mul", [v3, g.const(chan(PROBE_K, c.layout) * se)])
        y = g.op("Add", [y, off])
    elif probe:
        mean = g.op("ReduceMean", [source], axes=[2, 3], keepdims=1)
        off = g.op("Mul", [g.op("Sub", [mean, g.const(np.float32(0.5))]), g.const(se)])
        y = g.op("Add", [y, off])
    g.op("Identity", [y], out="output")
    g.output("output", F32, out_shape)
    if src == "emap" and not (probe and emap_name == "buff2fs"):
        g.const(emap_matrix(), emap_name, dtype=np.float16 if fp16 else np.float32)  # last initializer
    kind = "probe" if probe else "identity"
    doc = f"Doppel stand-in for {name} ({kind}); see tests/models/README.md"

    def check(sess):
        t = model_input(c)
        if src in ("emap", "vector"):
            s = RNG_CHECK.normal(size=(1, 512)).astype(np.float32)
        else:
            s = rand_image(SOURCE_SHAPES[src])
        (o,) = sess.run(None, {"target": t, "source": s})
        t_used = t.astype(np.float16).astype(np.float32) if fp16 else t
        want01 = decode_np(t_used.astype(np.float64), c.norm, c.layout)
        if probe and src in ("emap", "vector"):
            v = s.astype(np.float64)[0]
            want01 = want01 + chan(PROBE_K, c.layout) * np.array([v[0], v[1], np.linalg.norm(v)]).reshape(1, 3, 1, 1)
        elif probe:
            want01 = want01 + (s.astype(np.float64).mean(axis=(2, 3)) - 0.5).reshape(1, 3, 1, 1)
        close(to01_out(o, c), want01, 2e-6, name)
        if not probe and c.norm == c.out and not fp16:
            assert np.array_equal(o, t), f"{name}: identity is not bit-exact"

    return g.model(doc), check


def converter(family: str):
    m, a, s = CONVERTERS[family]
    g = Graph(f"converter_{family}")
    x = g.input("input", F32, [1, 512])
    idx = (m * np.arange(512) + a) % 512
    y = g.op("Gather", [x, g.i64(idx)], axis=1)
    g.op("Mul", [y, g.const(np.float32(s))], out="output")
    g.output("output", F32, [1, 512])
    doc = f"Doppel stand-in embedding converter for {family}: out[j] = {s} * in[({m}*j + {a}) mod 512]"

    def check(sess):
        v = RNG_CHECK.normal(size=(1, 512)).astype(np.float32)
        (o,) = sess.run(None, {"input": v})
        close(o, converter_apply(family, v.astype(np.float64)), 1e-6, doc)

    return g.model(doc), check


COLOUR_GAIN = (0.85, 0.95, 0.75)  # RGB
COLOUR_OFFSET = (0.10, 0.03, 0.12)  # RGB


def colour_shift(c: Conv, with_source: bool, metadata: bool, name: str):
    g = Graph(name)
    target = g.input("target", F32, image_shape(c.layout, c.size))
    if with_source:
        g.input("source", F32, [1, 512])
    y = affine_body(g, target, c, COLOUR_GAIN, COLOUR_OFFSET)
    g.op("Identity", [y], out="output")
    g.output("output", F32, image_shape(c.layout, c.size))
    doc = f"Doppel stand-in colour-shift swapper {name}: out01 = gain*in01 + offset (RGB gain {COLOUR_GAIN}, offset {COLOUR_OFFSET})"

    def check(sess):
        t = model_input(c)
        feeds = {"target": t}
        if with_source:
            feeds["source"] = RNG_CHECK.normal(size=(1, 512)).astype(np.float32)
        (o,) = sess.run(None, feeds)
        in01 = decode_np(t.astype(np.float64), c.norm, c.layout, c.channels)
        gain, off = np.array(COLOUR_GAIN), np.array(COLOUR_OFFSET)
        if c.channels == "bgr":
            gain, off = gain[::-1], off[::-1]
        close(to01_out(o, c), in01 * chan(gain, c.layout) + chan(off, c.layout), 2e-6, name)

    return g.model(doc, c.metadata() if metadata else None), check


def per_identity(c: Conv, name: str, metadata: bool = True, probe: bool = False):
    """A fine-tuned per-identity export: target only, output = target (or the ramp probe)."""
    g = Graph(name)
    target = g.input("target", F32, image_shape(c.layout, c.size))
    y = affine_body(g, target, c)
    if probe:
        rx, ry = ramp_terms(c)
        y = g.op("Add", [g.op("Add", [y, g.const(rx)]), g.const(ry)])
    g.op("Identity", [y], out="output")
    g.output("output", F32, image_shape(c.layout, c.size))
    doc = f"Doppel stand-in per-identity swapper {name} ({'ramp probe' if probe else 'identity'})"

    def check(sess):
        t = model_input(c)
        (o,) = sess.run(None, {"target": t})
        want = decode_np(t.astype(np.float64), c.norm, c.layout, c.channels)
        if probe:
            want = want + ramp01(c)
        close(to01_out(o, c), want, 2e-6, name)
        if not probe and c.norm == c.out:
            assert np.array_equal(o, t), f"{name}: identity is not bit-exact"

    return g.model(doc, c.metadata() if metadata else None), check


def ramp_values(n: int) -> np.ndarray:
    """0.2 * ((i + 0.5) / n - 0.5): -0.1 .. +0.1 over pixel centres."""
    return 0.2 * ((np.arange(n) + 0.5) / n - 0.5)


def ramp01(c: Conv) -> np.ndarray:
    """The layout probe in 0..1 terms, model tensor layout: channel 0 (R for RGB, B for BGR)
    ramps along x (columns), channel 1 (G) ramps along y (rows)."""
    r = ramp_values(c.size)
    if c.layout == "nchw":
        out = np.zeros((1, 3, c.size, c.size))
        out[0, 0] += r[None, :]
        out[0, 1] += r[:, None]
    else:
        out = np.zeros((1, c.size, c.size, 3))
        out[0, :, :, 0] += r[None, :]
        out[0, :, :, 1] += r[:, None]
    return out


def ramp_terms(c: Conv) -> tuple[np.ndarray, np.ndarray]:
    """Broadcastable model-domain tensors (x ramp on channel 0, y ramp on channel 1)."""
    se = np.array(ENCODE[c.out][0], np.float64)
    r = ramp_values(c.size)
    if c.layout == "nchw":
        rx = np.zeros((1, 3, 1, c.size))
        rx[0, 0, 0, :] = r * se[0]
        ry = np.zeros((1, 3, c.size, 1))
        ry[0, 1, :, 0] = r * se[1]
    else:
        rx = np.zeros((1, 1, c.size, 3))
        rx[0, 0, :, 0] = r * se[0]
        ry = np.zeros((1, c.size, 1, 3))
        ry[0, :, 0, 1] = r * se[1]
    return rx.astype(np.float32), ry.astype(np.float32)


# ---------------------------------------------------------------------------------------------
# 4. Recogniser
# ---------------------------------------------------------------------------------------------


def recogniser():
    w, b = recogniser_weights()
    g = Graph("arcface_w600k_r50_stand_in")
    x = g.input("input", F32, [1, 3, 112, 112])
    p = g.op("AveragePool", [x], kernel_shape=[14, 14], strides=[14, 14])
    f = g.op("Reshape", [p, g.i64([1, 192])])
    y = g.op("MatMul", [f, g.const(w, "W")])
    g.op("Add", [y, g.const(b.reshape(1, 512), "b")], out="output")
    g.output("output", F32, [1, 512])
    doc = "Doppel stand-in ArcFace recogniser: emb = flatten(avgpool14x14(x)) . W + b"

    def check(sess):
        x = rand_image((1, 3, 112, 112), -1, 1)
        (o,) = sess.run(None, {"input": x})
        close(o, recogniser_np(x), 1e-5, "recogniser")

    return g.model(doc), check


def recogniser_np(x: np.ndarray) -> np.ndarray:
    w, b = recogniser_weights()
    pooled = x.astype(np.float64).reshape(1, 3, 8, 14, 8, 14).mean(axis=(3, 5)).reshape(1, 192)
    return pooled @ w + b


# ---------------------------------------------------------------------------------------------
# 6. DFM
# ---------------------------------------------------------------------------------------------

FACE_ELLIPSE = (0.8, 0.9)
CELEB_ELLIPSE = (0.7, 0.95)
XSEG_ELLIPSE = (0.85, 0.95)


def ellipse_np(h: int, w: int, rx: float, ry: float) -> np.ndarray:
    """clip(4 * (1 - u^2/rx^2 - v^2/ry^2), 0, 1), u = (2j+1)/W - 1, v = (2i+1)/H - 1; shape (h, w)."""
    u = (2 * np.arange(w) + 1) / w - 1
    v = (2 * np.arange(h) + 1) / h - 1
    return np.clip(4 * (1 - (u[None, :] / rx) ** 2 - (v[:, None] / ry) ** 2), 0, 1)


def ellipse_nodes(g: Graph, h: int, w: int, rx: float, ry: float) -> str:
    """(1, H, W, 1) ellipse mask built from two small vectors."""
    u = (2 * np.arange(w) + 1) / w - 1
    v = (2 * np.arange(h) + 1) / h - 1
    uu = g.const(((u / rx) ** 2).reshape(1, 1, w, 1))
    vv = g.const(((v / ry) ** 2).reshape(1, h, 1, 1))
    inner = g.op("Sub", [g.op("Sub", [g.const(np.float32(1.0)), uu]), vv])
    return g.op("Clip", [g.op("Mul", [inner, g.const(np.float32(4.0))]), g.const(np.float32(0)), g.const(np.float32(1))])


def dfm(size: int, morph: bool, probe: bool, name: str):
    g = Graph(name)
    shape = ["N", size, size, 3]
    face = g.input("in_face:0", F32, shape)
    if morph:
        mv = g.input("morph_value:0", F32, [1])
    zero = g.op("Mul", [g.op("ReduceMean", [face], axes=[1, 2, 3], keepdims=1), g.const(np.float32(0))])  # (N,1,1,1)
    m_face = g.op("Add", [ellipse_nodes(g, size, size, *FACE_ELLIPSE), zero])
    m_celeb = g.op("Add", [ellipse_nodes(g, size, size, *CELEB_ELLIPSE), zero])
    celeb = face
    c = Conv(size, "zero_one", "zero_one", layout="nhwc", channels="bgr", template="dfl_whole_face")
    if morph:
        k = g.op("Sub", [g.const(np.float32(1)), g.op("Mul", [mv, g.const(np.float32(0.1))])])
        celeb = g.op("Mul", [celeb, k])
    if probe:
        rx, ry = ramp_terms(c)
        celeb = g.op("Add", [g.op("Add", [celeb, g.const(rx)]), g.const(ry)])
    g.op("Identity", [m_face], out="out_face_mask:0")
    g.op("Identity", [celeb], out="out_celeb_face:0")
    g.op("Identity", [m_celeb], out="out_celeb_face_mask:0")
    g.output("out_face_mask:0", F32, ["N", size, size, 1])
    g.output("out_celeb_face:0", F32, shape)
    g.output("out_celeb_face_mask:0", F32, ["N", size, size, 1])
    doc = f"Doppel stand-in DeepFaceLive .dfm {name}; see tests/models/README.md"

    def check(sess):
        x = rand_image((1, size, size, 3))
        feeds = {"in_face:0": x}
        mval = 0.6
        if morph:
            feeds["morph_value:0"] = np.array([mval], np.float32)
        outs = sess.run(None, feeds)
        names = [o.name for o in sess.get_outputs()]
        assert names == ["out_face_mask:0", "out_celeb_face:0", "out_celeb_face_mask:0"], names
        close(outs[0][0, :, :, 0], ellipse_np(size, size, *FACE_ELLIPSE), 1e-6, "face mask")
        close(outs[2][0, :, :, 0], ellipse_np(size, size, *CELEB_ELLIPSE), 1e-6, "celeb mask")
        want = x.astype(np.float64)
        if morph:
            want = want * (1 - 0.1 * np.float64(np.float32(mval)))
        if probe:
            want = want + ramp01(c)
        close(outs[1], want, 1e-6, "celeb face")
        if not morph and not probe:
            assert np.array_equal(outs[1], x)

    return g.model(doc), check


# ---------------------------------------------------------------------------------------------
# 7. Restorers
# ---------------------------------------------------------------------------------------------


def restorer(name: str, size: int, weight: bool, probe: bool = False):
    g = Graph(name)
    x = g.input("input", F32, [1, 3, size, size])
    y = x
    if weight:
        w = g.input("weight", F64, [1])
        if probe:
            w32 = g.op("Cast", [w], to=F32)
            off = g.op("Mul", [g.op("Sub", [w32, g.const(np.float32(0.5))]), g.const(np.float32(0.2))])
            y = g.op("Add", [y, off])
    g.op("Identity", [y], out="output")
    g.output("output", F32, [1, 3, size, size])
    doc = f"Doppel stand-in restorer {name} ({'weight probe' if probe else 'identity'})"

    def check(sess):
        t = rand_image((1, 3, size, size), -1, 1)
        feeds = {"input": t}
        wv = 0.9
        if weight:
            feeds["weight"] = np.array([wv], np.float64)
        (o,) = sess.run(None, feeds)
        if probe:
            close(o, t.astype(np.float64) + 0.2 * (np.float32(wv) - 0.5), 1e-6, name)
        else:
            assert np.array_equal(o, t), name

    return g.model(doc), check


# ---------------------------------------------------------------------------------------------
# 8. Masks: XSeg-like occluder, BiSeNet-like parser
# ---------------------------------------------------------------------------------------------


def occluder_np(x01_bgr_nhwc: np.ndarray) -> np.ndarray:
    b, gr, r = (x01_bgr_nhwc[..., i].astype(np.float64) for i in range(3))
    return np.clip(4 * (b - np.maximum(gr, r)) - 1, 0, 1)


def xseg():
    size = 256
    g = Graph("xseg_stand_in")
    x = g.input("input", F32, [1, size, size, 3])
    chans = g.op("Split", [x, g.i64([1, 1, 1])], n_out=3, axis=3)
    b, gg, r = chans
    d = g.op("Sub", [b, g.op("Max", [gg, r])])
    occ = g.op("Clip", [g.op("Sub", [g.op("Mul", [d, g.const(np.float32(4))]), g.const(np.float32(1))]),
                        g.const(np.float32(0)), g.const(np.float32(1))])
    keep = g.op("Sub", [g.const(np.float32(1)), occ])
    g.op("Mul", [ellipse_nodes(g, size, size, *XSEG_ELLIPSE), keep], out="output")
    g.output("output", F32, [1, size, size, 1])
    doc = "Doppel stand-in XSeg occluder: mask = ellipse(0.85, 0.95) * (1 - clip(4*(B - max(G,R)) - 1, 0, 1))"

    def check(sess):
        x = rand_image((1, size, size, 3))
        x[0, 100:140, 60:200] = (1.0, 0.1, 0.0)  # a pure-ish blue bar (BGR)
        (o,) = sess.run(None, {"input": x})
        want = ellipse_np(size, size, *XSEG_ELLIPSE)[None, :, :, None] * (1 - occluder_np(x)[..., None])
        close(o, want, 1e-6, "xseg")
        assert np.all(o[0, 100:140, 60:200] == 0)

    return g.model(doc), check


BISENET_CLASSES = [
    "background", "skin", "left_eyebrow", "right_eyebrow", "left_eye", "right_eye", "glasses",
    "left_ear", "right_ear", "earring", "nose", "mouth", "upper_lip", "lower_lip", "neck",
    "necklace", "cloth", "hair", "hat",
]

# (class, rows r0..r1, cols c0..c1) inclusive, in 16-px cells of the 512 crop, painted in order.
BISENET_LAYOUT = [
    (17, 3, 8, 8, 23),  # hair
    (1, 9, 28, 8, 23),  # skin
    (7, 13, 18, 6, 7),  # left ear (image left)
    (8, 13, 18, 24, 25),  # right ear
    (2, 12, 12, 10, 14),  # left eyebrow
    (3, 12, 12, 17, 21),  # right eyebrow
    (4, 14, 15, 11, 13),  # left eye (image left, around the ffhq_512 eye at (193, 240))
    (5, 14, 15, 18, 20),  # right eye (around (319, 240))
    (10, 16, 20, 15, 16),  # nose
    (12, 22, 22, 12, 19),  # upper lip
    (11, 23, 23, 12, 19),  # mouth
    (13, 24, 24, 12, 19),  # lower lip
    (14, 29, 31, 11, 20),  # neck
]


def bisenet_labels() -> np.ndarray:
    lab = np.zeros((32, 32), np.int64)
    for cls, r0, r1, c0, c1 in BISENET_LAYOUT:
        lab[r0 : r1 + 1, c0 : c1 + 1] = cls
    return lab


def bisenet():
    size = 512
    g = Graph("bisenet_stand_in")
    x = g.input("input", F32, [1, 3, size, size])
    lab = g.i64(bisenet_labels().reshape(1, 1, 32, 32), "labels")
    classes = g.i64(np.arange(19).reshape(1, 19, 1, 1), "classes")
    onehot = g.op("Cast", [g.op("Equal", [lab, classes])], to=F32)
    base = g.op("Mul", [onehot, g.const(np.float32(10))])
    base = g.op("Reshape", [base, g.i64([1, 19, 32, 1, 32, 1])])
    base = g.op("Expand", [base, g.i64([1, 19, 32, 16, 32, 16])])
    base = g.op("Reshape", [base, g.i64([1, 19, size, size])])
    # occluder term from the de-normalised input (RGB order)
    x01 = g.op("Add", [g.op("Mul", [x, g.const(chan(IMAGENET_STD, "nchw"))]), g.const(chan(IMAGENET_MEAN, "nchw"))])
    r, gg, b = g.op("Split", [x01, g.i64([1, 1, 1])], n_out=3, axis=1)
    d = g.op("Sub", [b, g.op("Max", [r, gg])])
    occ = g.op("Clip", [g.op("Sub", [g.op("Mul", [d, g.const(np.float32(4))]), g.const(np.float32(1))]),
                        g.const(np.float32(0)), g.const(np.float32(1))])
    e0 = np.zeros((1, 19, 1, 1), np.float32)
    e0[0, 0] = 20.0
    g.op("Add", [base, g.op("Mul", [occ, g.const(e0)])], out="output")
    g.output("output", F32, [1, 19, size, size])
    doc = "Doppel stand-in BiSeNet face parser: logits = 10*onehot(fixed 32x32 cell layout) + 20*occ on class 0"

    def check(sess):
        x01 = rand_image((1, 3, size, size), 0.35, 0.65)
        x01[0, :, 100:164, 200:300] = np.array([0.0, 0.1, 1.0]).reshape(3, 1, 1)  # blue patch (RGB)
        t = ((x01 - chan(IMAGENET_MEAN, "nchw")) / chan(IMAGENET_STD, "nchw")).astype(np.float32)
        (o,) = sess.run(None, {"input": t})
        lab = np.kron(bisenet_labels(), np.ones((16, 16), np.int64))
        occ = np.clip(4 * (x01[0, 2] - np.maximum(x01[0, 0], x01[0, 1])) - 1, 0, 1)
        want = np.where(occ > 0.5, 0, lab)
        am = o[0].argmax(axis=0)
        assert np.array_equal(am, want), "bisenet argmax"
        assert np.all(am[100:164, 200:300] == 0)

    return g.model(doc), check


# ---------------------------------------------------------------------------------------------
# 9. Detectors: one known face (plus a duplicate and a sub-threshold candidate)
# ---------------------------------------------------------------------------------------------

FACE_BOX = (240.0, 96.0, 400.0, 304.0)
FACE_KPS = ((280.0, 166.0), (360.0, 166.0), (320.0, 216.0), (288.0, 256.0), (352.0, 256.0))
DUP_SHIFT = 8.0  # the duplicate: same face shifted by (+8, +8), IoU 0.84 with the face
SUB_BOX = (128.0, 128.0, 192.0, 192.0)  # a sub-threshold candidate


def shifted(box, kps, d):
    return tuple(v + d for v in box), tuple((x + d, y + d) for x, y in kps)


def scrfd_rows():
    """(stride, loc_x, loc_y, anchor a, score, d[4], kps_d[10]) for the SCRFD encoding."""
    rows = []
    s, lx, ly = 16, 20, 12
    cx, cy = lx * s, ly * s
    for a, (box, kps), score in (
        (1, (FACE_BOX, FACE_KPS), 0.9),
        (0, shifted(FACE_BOX, FACE_KPS, DUP_SHIFT), 0.8),
    ):
        d = ((cx - box[0]) / s, (cy - box[1]) / s, (box[2] - cx) / s, (box[3] - cy) / s)
        k = sum((((x - cx) / s, (y - cy) / s) for x, y in kps), ())
        rows.append((s, lx, ly, a, score, d, k))
    s, lx, ly = 32, 5, 5
    cx, cy = lx * s, ly * s
    d = ((cx - SUB_BOX[0]) / s, (cy - SUB_BOX[1]) / s, (SUB_BOX[2] - cx) / s, (SUB_BOX[3] - cy) / s)
    rows.append((s, lx, ly, 0, 0.3, d, (0.0,) * 10))
    return rows


SCRFD_STRIDES = (8, 16, 32)


def scrfd(name: str, insightface: bool):
    g = Graph(name)
    in_name = "input.1" if insightface else "input"
    if insightface:
        x = g.input(in_name, F32, [1, 3, "height", "width"])
        shape = g.op("Shape", [x])
        hh = g.op("Gather", [shape, g.i64(2)], axis=0)
        ww = g.op("Gather", [shape, g.i64(3)], axis=0)
    else:
        x = g.input(in_name, F32, [1, 3, 640, 640])
    rows = scrfd_rows()
    outs = {}
    for kind, width in (("score", 1), ("bbox", 4), ("kps", 10)):
        for s in SCRFD_STRIDES:
            mine = [r for r in rows if r[0] == s]
            upd = []
            for r in mine:
                upd.append([r[4]] if kind == "score" else list(r[5]) if kind == "bbox" else list(r[6]))
            if insightface:
                wf = g.op("Div", [ww, g.i64(s)])
                hf = g.op("Div", [hh, g.i64(s)])
                n = g.op("Mul", [g.op("Mul", [wf, hf]), g.i64(2)])
                shp = g.op("Concat", [g.i64([1]), g.op("Unsqueeze", [n, g.i64([0])]), g.i64([width])], axis=0)
                zeros = g.op("ConstantOfShape", [shp], value=numpy_helper.from_array(np.zeros(1, np.float32)))
                out_name = f"{kind}_{s}"
                if mine:
                    ly = g.i64([r[2] for r in mine])
                    lx = g.i64([r[1] for r in mine])
                    aa = g.i64([r[3] for r in mine])
                    idx = g.op("Add", [g.op("Mul", [g.op("Add", [g.op("Mul", [ly, wf]), lx]), g.i64(2)]), aa])
                    idx = g.op("Unsqueeze", [idx, g.i64([1])])
                    idx = g.op("Concat", [g.i64(np.zeros((len(mine), 1))), idx], axis=1)
                    g.op("ScatterND", [zeros, idx, g.const(np.array(upd).reshape(1, len(mine), width)[0])], out=out_name)
                else:
                    g.op("Identity", [zeros], out=out_name)
                outs[out_name] = [1, f"n{s}", width]
            else:
                n = (640 // s) ** 2 * 2
                zeros = g.op("ConstantOfShape", [g.i64([n, width])], value=numpy_helper.from_array(np.zeros(1, np.float32)))
                out_name = f"{kind}_{s}"
                if mine:
                    idx = [[2 * (r[2] * (640 // s) + r[1]) + r[3]] for r in mine]
                    g.op("ScatterND", [zeros, g.i64(idx), g.const(np.array(upd))], out=out_name)
                else:
                    g.op("Identity", [zeros], out=out_name)
                outs[out_name] = [n, width]
    for kind in ("score", "bbox", "kps"):
        for s in SCRFD_STRIDES:
            g.output(f"{kind}_{s}", F32, outs[f"{kind}_{s}"])
    doc = f"Doppel stand-in SCRFD ({'insightface original' if insightface else 'FaceFusion re-export'} signature): one known face"

    def check(sess):
        for (h, w) in ((640, 640), (480, 800)) if insightface else ((640, 640),):
            o = sess.run(None, {in_name: np.zeros((1, 3, h, w), np.float32)})
            if insightface:
                o = [t[0] for t in o]
            faces = decode_scrfd(o, h, w)
            assert len(faces) == 1, faces
            box, kps, score = faces[0]
            close(box, FACE_BOX, 1e-4, "scrfd box")
            close(kps, FACE_KPS, 1e-4, "scrfd kps")
            assert abs(score - 0.9) < 1e-6

    return g.model(doc), check


def nms(cands, iou_thr=0.4):
    cands = sorted(cands, key=lambda c: -c[2])
    keep = []
    for c in cands:
        if all(iou(c[0], k[0]) <= iou_thr for k in keep):
            keep.append(c)
    return keep


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])
    return inter / (area(a) + area(b) - inter)


def decode_scrfd(o, h, w, thr=0.5):
    """models.md's SCRFD decoding (independent of the generator's encoding tables)."""
    cands = []
    for i, s in enumerate(SCRFD_STRIDES):
        wf = w // s
        scores, boxes, kps = o[i][:, 0], o[i + 3], o[i + 6]
        for k in np.nonzero(scores >= thr)[0]:
            cx, cy = ((k // 2) % wf) * s, ((k // 2) // wf) * s
            d = boxes[k] * s
            box = (cx - d[0], cy - d[1], cx + d[2], cy + d[3])
            kp = [(cx + kps[k][2 * j] * s, cy + kps[k][2 * j + 1] * s) for j in range(5)]
            cands.append((box, kp, float(scores[k])))
    return nms(cands)


YUNET_STRIDES = (8, 16, 32)


def yunet_rows():
    """(stride, loc_x, loc_y, cls, obj, bbox[4], kps[10]) for the YuNet encoding."""
    rows = []
    s = 16
    for (lx, ly), (box, kps), cls, obj in (
        ((20, 12), (FACE_BOX, FACE_KPS), 1.0, 0.9),
        ((21, 12), shifted(FACE_BOX, FACE_KPS, DUP_SHIFT), 1.0, 0.8),
    ):
        ax, ay = lx * s, ly * s
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        bb = ((cx - ax) / s, (cy - ay) / s, np.log((box[2] - box[0]) / s), np.log((box[3] - box[1]) / s))
        k = sum((((x - ax) / s, (y - ay) / s) for x, y in kps), ())
        rows.append((s, lx, ly, cls, obj, bb, k))
    s, lx, ly = 32, 5, 5
    ax, ay = lx * s, ly * s
    cx, cy = (SUB_BOX[0] + SUB_BOX[2]) / 2, (SUB_BOX[1] + SUB_BOX[3]) / 2
    bb = ((cx - ax) / s, (cy - ay) / s, np.log((SUB_BOX[2] - SUB_BOX[0]) / s), np.log((SUB_BOX[3] - SUB_BOX[1]) / s))
    rows.append((s, lx, ly, 0.4, 0.5, bb, (0.0,) * 10))
    return rows


def yunet():
    g = Graph("yunet_stand_in")
    g.input("input", F32, [1, 3, 640, 640])
    rows = yunet_rows()
    names = []
    for kind, width in (("cls", 1), ("obj", 1), ("bbox", 4), ("kps", 10)):
        for s in YUNET_STRIDES:
            n = (640 // s) ** 2
            mine = [r for r in rows if r[0] == s]
            zeros = g.op("ConstantOfShape", [g.i64([1, n, width])], value=numpy_helper.from_array(np.zeros(1, np.float32)))
            out_name = f"{kind}_{s}"
            if mine:
                idx = [[0, r[2] * (640 // s) + r[1]] for r in mine]
                upd = [[r[3]] if kind == "cls" else [r[4]] if kind == "obj" else list(r[5]) if kind == "bbox" else list(r[6]) for r in mine]
                g.op("ScatterND", [zeros, g.i64(idx), g.const(np.array(upd))], out=out_name)
            else:
                g.op("Identity", [zeros], out=out_name)
            g.output(out_name, F32, [1, n, width])
            names.append(out_name)
    doc = "Doppel stand-in YuNet (12 outputs cls/obj/bbox/kps x strides 8/16/32): one known face"

    def check(sess):
        o = [t[0] for t in sess.run(None, {"input": np.zeros((1, 3, 640, 640), np.float32)})]
        cands = []
        for i, s in enumerate(YUNET_STRIDES):
            wf = 640 // s
            score = o[i][:, 0] * o[i + 3][:, 0]
            for k in np.nonzero(score >= 0.5)[0]:
                ax, ay = (k % wf) * s, (k // wf) * s
                bb = o[i + 6][k]
                cx, cy = bb[0] * s + ax, bb[1] * s + ay
                bw, bh = np.exp(bb[2]) * s, np.exp(bb[3]) * s
                box = (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)
                kp = [(o[i + 9][k][2 * j] * s + ax, o[i + 9][k][2 * j + 1] * s + ay) for j in range(5)]
                cands.append((box, kp, float(score[k])))
        faces = nms(cands)
        assert len(faces) == 1, faces
        close(faces[0][0], FACE_BOX, 1e-3, "yunet box")
        close(faces[0][1], FACE_KPS, 1e-4, "yunet kps")
        assert abs(faces[0][2] - 0.9) < 1e-6

    return g.model(doc), check


def yolo_columns():
    """(column, [cx, cy, w, h, score, (x, y, vis) x 5])."""
    cols = []
    for col, (box, kps), score in (
        (6400 + 12 * 40 + 20, (FACE_BOX, FACE_KPS), 0.9),
        (6400 + 12 * 40 + 21, shifted(FACE_BOX, FACE_KPS, DUP_SHIFT), 0.8),
    ):
        v = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, box[2] - box[0], box[3] - box[1], score]
        for x, y in kps:
            v += [x, y, 1.0]
        cols.append((col, v))
    b = SUB_BOX
    cols.append((8000 + 5 * 20 + 5, [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1], 0.3] + [0.0] * 15))
    return cols


def yoloface():
    g = Graph("yoloface_stand_in")
    g.input("input", F32, [1, 3, 640, 640])
    cols = yolo_columns()
    zeros = g.op("ConstantOfShape", [g.i64([1, 8400, 20])], value=numpy_helper.from_array(np.zeros(1, np.float32)))
    sc = g.op("ScatterND", [zeros, g.i64([[0, c] for c, _ in cols]), g.const(np.array([v for _, v in cols]))])
    g.op("Transpose", [sc], out="output", perm=[0, 2, 1])
    g.output("output", F32, [1, 20, 8400])
    doc = "Doppel stand-in yolo_face (1,20,8400): one known face"

    def check(sess):
        (o,) = sess.run(None, {"input": np.zeros((1, 3, 640, 640), np.float32)})
        d = o[0].T
        cands = []
        for k in np.nonzero(d[:, 4] >= 0.5)[0]:
            cx, cy, w, h = d[k, :4]
            kp = [(d[k, 5 + 3 * j], d[k, 6 + 3 * j]) for j in range(5)]
            cands.append(((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), kp, float(d[k, 4])))
        faces = nms(cands)
        assert len(faces) == 1
        close(faces[0][0], FACE_BOX, 1e-4, "yolo box")
        close(faces[0][1], FACE_KPS, 1e-4, "yolo kps")

    return g.model(doc), check


# ---------------------------------------------------------------------------------------------
# 10. Known-cost models
# ---------------------------------------------------------------------------------------------

COST_CHANNELS = 32
COST_MIDDLE = 3


def cost_flops(size: int) -> int:
    hw = size * size
    c = COST_CHANNELS
    macs = 9 * 3 * c * hw + COST_MIDDLE * 9 * c * c * hw + 9 * c * 3 * hw
    return 2 * macs


def cost_model(c: Conv, name: str):
    ch = COST_CHANNELS
    g = Graph(name)
    target = g.input("target", F32, [1, 3, c.size, c.size])
    w1 = (hashed(4, ch * 3 * 9) * 0.5).reshape(ch, 3, 3, 3)
    w2 = (hashed(5, ch * ch * 9) * 0.125).reshape(ch, ch, 3, 3)
    w3 = (hashed(6, 3 * ch * 9) * 0.125).reshape(3, ch, 3, 3)
    h = g.op("Relu", [g.op("Conv", [target, g.const(w1, "w_in")], kernel_shape=[3, 3], pads=[1, 1, 1, 1])])
    w2n = g.const(w2, "w_mid")
    for _ in range(COST_MIDDLE):
        h = g.op("Relu", [g.op("Conv", [h, w2n], kernel_shape=[3, 3], pads=[1, 1, 1, 1])])
    conv = g.op("Conv", [h, g.const(w3, "w_out")], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    zero = g.op("Sub", [target, target])  # a runtime zero: ORT cannot fold the conv stack away
    g.op("Add", [target, g.op("Mul", [zero, conv])], out="output")
    g.output("output", F32, [1, 3, c.size, c.size])
    gf = cost_flops(c.size) / 1e9
    doc = f"Doppel stand-in known-cost swapper {name}: {gf:.4f} GFLOPs of 3x3 convs, output = target"
    meta = c.metadata()
    meta["doppel.stand_in_gflops"] = f"{gf:.4f}"

    def check(sess):
        t = model_input(c)
        (o,) = sess.run(None, {"target": t})
        assert np.array_equal(o, t), name

    return g.model(doc, meta), check


# ---------------------------------------------------------------------------------------------
# Packs
# ---------------------------------------------------------------------------------------------


def pack_json(name: str, model: dict, extra: dict | None = None) -> str:
    d = {
        "schema": "doppel.identity/1",
        "person": {"name": name},
        "consent": {"kind": "synthetic", "note": "stand-in model, no real person"},
        "licence": "CC0-1.0",
        "model": model,
    }
    if extra:
        d.update(extra)
    d["mask"] = {"blur": 0.3, "padding": [0, 0, 0, 0]}
    return json.dumps(d, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# Build everything
# ---------------------------------------------------------------------------------------------


def build():
    R = REG
    converter_models = {f: converter(f) for f in CONVERTERS}

    # 1. identity swappers (FaceFusion file names; the folder says what they do)
    for name in FAMILIES:
        R.add_model(f"swappers/{name}.onnx", *swapper(name, probe=False))
    R.add_model("swappers/inswapper_128_fp16.onnx", *swapper("inswapper_128_fp16", probe=False, fp16=True))
    for f, (m, chk) in converter_models.items():
        R.add_model(f"swappers/crossface_{f}.onnx", m, chk)
    # probes: each output reveals what the model was fed
    for name in FAMILIES:
        R.add_model(f"probes/{name}.onnx", *swapper(name, probe=True))
    R.add_model("probes/inswapper_128_fp16.onnx", *swapper("inswapper_128_fp16", probe=True, fp16=True, emap_name="emap_fp16"))
    for f, (m, chk) in converter_models.items():
        # the older FaceFusion names (3.0) here; crossface_* (3.4) next to the identity swappers
        fname = f"arcface_converter_{f}.onnx" if f != "hififace" else f"crossface_{f}.onnx"
        R.add_model(f"probes/{fname}", m, chk)
    R.add_model("probes/per_identity_256.onnx", *per_identity(Conv(256, "minus_one_one", "minus_one_one"), "per_identity_256_probe", probe=True))
    R.add_model("probes/per_identity_bgr_nhwc_256.onnx", *per_identity(
        Conv(256, "zero_one", "zero_one", layout="nhwc", channels="bgr", template="dfl_whole_face"), "per_identity_bgr_nhwc_256_probe", probe=True))
    R.add_model("probes/codeformer.onnx", *restorer("codeformer_probe", 512, weight=True, probe=True))
    R.add_model("probes/dfm_224.dfm", *dfm(224, morph=False, probe=True, name="dfm_probe_224"))

    # per-identity exports declaring their conventions in metadata_props
    R.add_model("per_identity/per_identity_128.onnx", *per_identity(Conv(128, "zero_one", "zero_one"), "per_identity_128"))
    R.add_model("per_identity/per_identity_256.onnx", *per_identity(Conv(256, "minus_one_one", "minus_one_one"), "per_identity_256"))
    R.add_model("per_identity/per_identity_512.onnx", *per_identity(Conv(512, "imagenet", "zero_one", template="ffhq_512"), "per_identity_512"))
    R.add_model("per_identity/per_identity_bgr_nhwc_256.onnx", *per_identity(
        Conv(256, "zero_one", "zero_one", layout="nhwc", channels="bgr", template="dfl_whole_face"), "per_identity_bgr_nhwc_256"))

    # 2. colour shift
    R.add_model("colour_shift/hyperswap_1a_256.onnx", *colour_shift(FAMILIES["hyperswap_1a_256"][0], True, False, "colour_shift_hyperswap_1a_256"))
    R.add_model("colour_shift/per_identity_256.onnx", *colour_shift(Conv(256, "zero_one", "zero_one"), False, True, "colour_shift_per_identity_256"))
    R.add_model("colour_shift/per_identity_bgr_nhwc_256.onnx", *colour_shift(
        Conv(256, "zero_one", "zero_one", layout="nhwc", channels="bgr", template="dfl_whole_face"), False, True, "colour_shift_per_identity_bgr_nhwc_256"))

    # 4. recogniser
    R.add_model("recognisers/arcface_w600k_r50.onnx", *recogniser())

    # 6. DFM
    R.add_model("dfm/identity_224.dfm", *dfm(224, morph=False, probe=False, name="dfm_identity_224"))
    R.add_model("dfm/amp_256.dfm", *dfm(256, morph=True, probe=False, name="dfm_amp_256"))

    # 7. restorers
    R.add_model("restorers/codeformer.onnx", *restorer("codeformer", 512, weight=True))
    R.add_model("restorers/gfpgan_1.4.onnx", *restorer("gfpgan_1.4", 512, weight=False))
    R.add_model("restorers/gpen_bfr_256.onnx", *restorer("gpen_bfr_256", 256, weight=False))

    # 8. masks
    R.add_model("masks/xseg_1.onnx", *xseg())
    R.add_model("masks/bisenet_resnet_34.onnx", *bisenet())
    R.add_text("masks/bisenet_resnet_34_labels.txt",
               "# class per 16x16-px cell of the 512 crop (32 rows x 32 columns); class names in README.md\n"
               + "".join(" ".join(f"{v:2d}" for v in row) + "\n" for row in bisenet_labels()))

    # 9. detectors
    R.add_model("detectors/scrfd_2.5g.onnx", *scrfd("scrfd_2.5g_stand_in", insightface=False))
    R.add_model("detectors/scrfd_10g_bnkps.onnx", *scrfd("scrfd_10g_bnkps_stand_in", insightface=True))
    R.add_model("detectors/yunet_2023_mar.onnx", *yunet())
    R.add_model("detectors/yoloface_8n.onnx", *yoloface())

    # 10. known cost
    R.add_model("cost/per_identity_128_1gf.onnx", *cost_model(Conv(128, "zero_one", "zero_one"), "cost_128"))
    R.add_model("cost/per_identity_256_4gf.onnx", *cost_model(Conv(256, "minus_one_one", "minus_one_one"), "cost_256"))

    # packs
    conv = {"template": "arcface_128", "crop_size": 256, "layout": "nchw", "channels": "rgb",
            "normalisation": "minus_one_one", "output_range": "minus_one_one"}
    R.add_model("packs/example_person/model.onnx", *per_identity(Conv(256, "minus_one_one", "minus_one_one"), "example_person", metadata=False))
    R.add_text("packs/example_person/identity.json",
               pack_json("Example Person (stand-in)", {"file": "model.onnx", "kind": "per_identity", **conv}))
    R.add_model("packs/example_generic/model.onnx", *swapper("hyperswap_1a_256", probe=True))
    R.add_text("packs/example_generic/identity.json",
               pack_json("Example Generic Identity (stand-in)", {"file": "model.onnx", "kind": "hyperswap", **conv},
                         {"source": {"embedding": "embedding.json"}}))
    R.add_text("packs/example_generic/embedding.json", json.dumps([float(v) for v in pack_embedding()]) + "\n")
    return R


def run_checks(reg: Registry) -> int:
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime not importable: skipping the run checks", file=sys.stderr)
        return 0
    ort.set_default_logger_severity(3)
    n = 0
    for it in reg.items:
        if it.check is None:
            continue
        so = ort.SessionOptions()
        so.intra_op_num_threads = 2
        sess = ort.InferenceSession(it.data, so, providers=["CPUExecutionProvider"])
        it.check(sess)
        n += 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default tests/models)")
    ap.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing")
    ap.add_argument("--no-ort", action="store_true", help="skip running the models in onnxruntime")
    args = ap.parse_args()

    reg = build()
    if not args.no_ort:
        n = run_checks(reg)
        print(f"onnxruntime: {n} models ran and matched their designed maths")

    sums = "".join(f"{hashlib.sha256(it.data).hexdigest()}  {it.path}\n" for it in sorted(reg.items, key=lambda i: i.path))
    files = [(it.path, it.data) for it in reg.items] + [("SHA256SUMS", sums.encode())]
    if args.check:
        bad = [p for p, d in files if not (args.out / p).is_file() or (args.out / p).read_bytes() != d]
        for p in bad:
            print(f"differs: {p}", file=sys.stderr)
        print(f"{len(files) - len(bad)} files identical, {len(bad)} differ")
        return 1 if bad else 0
    total = 0
    for p, d in files:
        dest = args.out / p
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(d)
        total += len(d)
    print(f"wrote {len(files)} files, {total / 1e6:.2f} MB, under {args.out}")
    for s in (128, 256):
        print(f"cost model at {s}: {cost_flops(s) / 1e9:.4f} GFLOPs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
