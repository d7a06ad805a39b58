"""CPU-milliseconds per sentence of the all-MiniLM-L6-v2 sentence encoder: finml (burn, flex)
beside sentence-transformers (PyTorch) on the same texts and machine, at batch 1 and 32 on 1 and
2 threads. CPU time counts every thread of the process, so it measures work rather than how
busy the shared machine was; wall time is shown beside it.

    bench/.venv-st/bin/python bench/assist/encoder_speed.py --embed-speed target/release/examples/embed_speed
"""

import argparse
import json
import os
import subprocess
import time
from itertools import cycle


def read_texts(path):
    with open(path, encoding="utf-8") as f:
        return [line.split("\t")[0] for line in f if line.split("\t")[0].strip()]


def chunks(texts, batch):
    return [texts[i : i + batch] for i in range(0, len(texts), batch)]


def finml(binary, model, texts_path, batch, threads, seconds):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run(
        [binary, model, texts_path, str(batch), str(seconds)],
        env=env, check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def sentence_transformers(encoder, texts, batch, threads, seconds):
    import torch

    torch.set_num_threads(threads)
    encode = lambda chunk: encoder.encode(
        chunk, batch_size=batch, normalize_embeddings=True, show_progress_bar=False
    )
    encode(texts[:batch])  # warm-up
    sentences = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for chunk in cycle(chunks(texts, batch)):
        encode(chunk)
        sentences += len(chunk)
        if time.perf_counter() - wall >= seconds:
            break
    cpu_ms = (time.process_time() - cpu) * 1e3
    wall_ms = (time.perf_counter() - wall) * 1e3
    return {
        "batch": batch,
        "sentences": sentences,
        "cpu_ms_per_sentence": round(cpu_ms / sentences, 3),
        "wall_ms_per_sentence": round(wall_ms / sentences, 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embed-speed", required=True, help="the embed_speed example binary")
    parser.add_argument("--model", default="target/models/all-MiniLM-L6-v2")
    parser.add_argument("--texts", default="data/assist/test.tsv")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    import sentence_transformers as st
    import torch
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(args.model, device="cpu")
    texts = read_texts(args.texts)
    print(f"{len(texts)} texts from {args.texts}; sentence-transformers {st.__version__}, "
          f"torch {torch.__version__}; {args.seconds} s per cell")
    print("| threads | batch | finml CPU-ms/sentence | sentence-transformers CPU-ms/sentence "
          "| ST/finml | finml wall-ms | ST wall-ms |")
    print("|---|---|---|---|---|---|---|")
    for threads in (1, 2):
        for batch in (1, 32):
            ours = finml(args.embed_speed, args.model, args.texts, batch, threads, args.seconds)
            theirs = sentence_transformers(encoder, texts, batch, threads, args.seconds)
            ratio = theirs["cpu_ms_per_sentence"] / ours["cpu_ms_per_sentence"]
            print(f"| {threads} | {batch} | {ours['cpu_ms_per_sentence']:.2f} "
                  f"| {theirs['cpu_ms_per_sentence']:.2f} | {ratio:.2f} "
                  f"| {ours['wall_ms_per_sentence']:.2f} | {theirs['wall_ms_per_sentence']:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
