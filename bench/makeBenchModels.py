#!/usr/bin/env python3
"""Random-weight GGUFs of realistic shapes for the speed bench (weights do not change speed).

Usage: python bench/makeBenchModels.py OUT_DIR [--shapes 0.5b,1.5b] [--types f16,bf16,q8_0] [--vocab PATH] [--seed 13]

Writes OUT_DIR/bench-<shape>-<type>.gguf (architecture `llama`) with the real tokenizer copied from a vocab-only GGUF
(default ../shared/models/ggml-vocab/ggml-vocab-phi-3.gguf), and skips files that already exist. The same seed gives
byte-identical files. OUT_DIR should be outside the repository's tracked files (the bench uses
$HUMANLIKE_CACHE/bench-models, default ~/.cache/humanlike/bench-models). Needs only `gguf` and `numpy`
(bench/requirements.txt).
"""
import argparse
import os
import sys

import numpy as np
from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter, LlamaFileType
from gguf.quants import quant_shape_to_byte_shape, quantize

# Shapes of Qwen2.5-0.5B and -1.5B (hidden, layers, heads, KV heads, FFN, RoPE base); the vocabulary is the tokenizer's.
SHAPES = {
    '0.5b': dict(hidden=896, layers=24, heads=14, kv_heads=2, ffn=4864, rope_base=1_000_000.0),
    '1.5b': dict(hidden=1536, layers=28, heads=12, kv_heads=2, ffn=8960, rope_base=1_000_000.0),
}
# bf16 is the dtype Qwen2.5 and most current models are released in (a lossless GGUF conversion keeps it).
TYPES = {
    'f16': (GGMLQuantizationType.F16, LlamaFileType.MOSTLY_F16),
    'bf16': (GGMLQuantizationType.BF16, LlamaFileType.MOSTLY_BF16),
    'q8_0': (GGMLQuantizationType.Q8_0, LlamaFileType.MOSTLY_Q8_0),
}
CONTEXT = 32768


def copy_tokenizer(writer: GGUFWriter, vocab_path: str) -> int:
    """Copy every tokenizer.* key of the vocab GGUF; return the vocabulary size."""
    reader = GGUFReader(vocab_path)
    n_vocab = 0
    for name, field in reader.fields.items():
        if not name.startswith('tokenizer.'):
            continue
        value = field.contents()
        vtype = field.types[0]
        if vtype == GGUFValueType.ARRAY:
            writer.add_key_value(name, value, vtype, sub_type=field.types[-1])
            if name == 'tokenizer.ggml.tokens':
                n_vocab = len(value)
        else:
            writer.add_key_value(name, value, vtype)
    if n_vocab == 0:
        raise SystemExit(f'{vocab_path}: no tokenizer.ggml.tokens')
    return n_vocab


def tensor_specs(s: dict, n_vocab: int):
    """(name, numpy shape [rows, cols], is_norm) in file order."""
    h, hd = s['hidden'], s['hidden'] // s['heads']
    kv = s['kv_heads'] * hd
    yield 'token_embd.weight', (n_vocab, h), False
    for i in range(s['layers']):
        b = f'blk.{i}.'
        yield b + 'attn_norm.weight', (h,), True
        yield b + 'attn_q.weight', (h, h), False
        yield b + 'attn_k.weight', (kv, h), False
        yield b + 'attn_v.weight', (kv, h), False
        yield b + 'attn_output.weight', (h, h), False
        yield b + 'ffn_norm.weight', (h,), True
        yield b + 'ffn_gate.weight', (s['ffn'], h), False
        yield b + 'ffn_up.weight', (s['ffn'], h), False
        yield b + 'ffn_down.weight', (h, s['ffn']), False
    yield 'output_norm.weight', (h,), True
    yield 'output.weight', (n_vocab, h), False


def encode(rng: np.random.Generator, shape, is_norm: bool, qtype: GGMLQuantizationType) -> np.ndarray:
    if is_norm:
        return np.ones(shape, dtype=np.float32)
    # N(0, 1/sqrt(cols)): activations keep their scale through the layers, logits are spread like a real model's.
    w = rng.standard_normal(shape, dtype=np.float32) * np.float32(1 / np.sqrt(shape[-1]))
    # Stored as raw bytes for every type (gguf's quantize also rounds to bf16 and packs Q8_0 blocks).
    return quantize(w, qtype).view(np.uint8)


def write_model(path: str, shape_name: str, type_name: str, vocab: str, seed: int) -> None:
    s = SHAPES[shape_name]
    qtype, ftype = TYPES[type_name]
    tmp = path + '.partial'
    w = GGUFWriter(tmp, 'llama')
    w.add_name(f'humanlike-bench-{shape_name}-{type_name} (random weights, seed {seed})')
    w.add_context_length(CONTEXT)
    w.add_embedding_length(s['hidden'])
    w.add_block_count(s['layers'])
    w.add_feed_forward_length(s['ffn'])
    w.add_head_count(s['heads'])
    w.add_head_count_kv(s['kv_heads'])
    w.add_rope_dimension_count(s['hidden'] // s['heads'])
    w.add_rope_freq_base(s['rope_base'])
    w.add_layer_norm_rms_eps(1e-6)
    w.add_file_type(ftype)
    n_vocab = copy_tokenizer(w, vocab)
    w.add_vocab_size(n_vocab)
    specs = list(tensor_specs(s, n_vocab))
    # Two passes with the same seed: declare every tensor, then generate and stream each (one tensor in memory).
    for name, shp, is_norm in specs:
        if is_norm:
            w.add_tensor_info(name, shp, np.dtype(np.float32), 4 * shp[0], raw_dtype=GGMLQuantizationType.F32)
        else:
            byte_shape = quant_shape_to_byte_shape(shp, qtype)
            w.add_tensor_info(name, byte_shape, np.dtype(np.uint8), byte_shape[0] * byte_shape[1], raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    rng = np.random.default_rng(seed)
    for name, shp, is_norm in specs:
        w.write_tensor_data(encode(rng, shp, is_norm, qtype))
    w.close()
    os.replace(tmp, path)


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('out_dir')
    p.add_argument('--shapes', default='0.5b')
    p.add_argument('--types', default='f16')
    p.add_argument('--vocab', default=os.path.join(here, '..', '..', 'shared', 'models', 'ggml-vocab', 'ggml-vocab-phi-3.gguf'))
    p.add_argument('--seed', type=int, default=13)
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    for shape in a.shapes.split(','):
        for typ in a.types.split(','):
            if shape not in SHAPES or typ not in TYPES:
                raise SystemExit(f'unknown shape or type: {shape} {typ} (shapes: {list(SHAPES)}, types: {list(TYPES)})')
            path = os.path.join(a.out_dir, f'bench-{shape}-{typ}.gguf')
            if os.path.exists(path):
                print(f'{path} exists', file=sys.stderr)
                continue
            write_model(path, shape, typ, a.vocab, a.seed)
            print(f'{path} {os.path.getsize(path)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
