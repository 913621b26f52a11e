#!/usr/bin/env python3
"""The PyTorch peer of the speed bench: the same GGUF through HF transformers on CPU, fp32, batch 1, the way the
Psych-201 authors score (one forward pass over the whole sequence, log-softmax over every position).

Usage: python bench/torchPeer.py REQUEST.json  (prints one JSON line on stdout)
REQUEST: {"model": "/path/model.gguf", "threads": 2, "sequences": [{"tokens": [...], "positions": [...]}, ...]}
Output:  {"loadMs", "results": [{"ms", "logprobs": [log p of tokens[p] at each position p]}], "maxRssMb"}
Bench-only: its packages are in bench/requirements.txt and never a dependency of humanlike.
"""
import json
import os
import resource
import sys
import time


def main() -> None:
    request = json.load(open(sys.argv[1]))
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(int(request.get('threads') or os.cpu_count() or 1))
    path = request['model']
    t0 = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path), dtype=torch.float32)
    model.eval()
    load_ms = (time.perf_counter() - t0) * 1000
    results = []
    with torch.inference_mode():
        model(torch.tensor([request['sequences'][0]['tokens'][:16]], dtype=torch.long))  # warm-up, untimed
        for seq in request['sequences']:
            ids = torch.tensor([seq['tokens']], dtype=torch.long)
            t0 = time.perf_counter()
            c0 = time.process_time()
            logits = model(ids).logits[0]
            logprobs = torch.log_softmax(logits.float(), dim=-1)
            pos = torch.tensor(seq['positions'], dtype=torch.long)
            picked = logprobs[pos - 1, ids[0, pos]].tolist()
            ms = (time.perf_counter() - t0) * 1000
            cpu_ms = (time.process_time() - c0) * 1000
            del logits, logprobs
            results.append({'ms': ms, 'cpuMs': cpu_ms, 'logprobs': picked})
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'loadMs': load_ms, 'results': results, 'maxRssMb': max_rss_mb, 'torch': torch.__version__, 'attn': model.config._attn_implementation}))


if __name__ == '__main__':
    main()
