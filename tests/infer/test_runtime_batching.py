"""In-flight batching: concurrent requests equal solo runs, join a running batch, stream in order."""

from __future__ import annotations

import threading
import time

from infer.runtime import GenerationRequest, SamplingParams

PROMPTS = ["To charge the car at home,", "The tyre pressure warning light comes on when", "Open",
           "Set the climate to 21 degrees and", "Warning:"]
ADAPTERS = [None, "manual_qa", "cockpit_commands"]


def mixed_requests(n: int = 12) -> list[GenerationRequest]:
    return [GenerationRequest(prompt=PROMPTS[i % len(PROMPTS)] * (1 + i % 3), adapter=ADAPTERS[i % 3],
                              sampling=SamplingParams(max_tokens=6 + 5 * (i % 4))) for i in range(n)]


def test_concurrent_mixed_requests_equal_solo_runs(gen):
    requests = mixed_requests()
    solo = [gen.generate(r) for r in requests]
    results: list = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def work(index: int) -> None:
        barrier.wait()
        results[index] = gen.generate(requests[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(requests))]
    steps_before = gen._engine.scheduler.steps
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [r.token_ids for r in results] == [r.token_ids for r in solo]
    assert [r.text for r in results] == [r.text for r in solo]
    # batched: far fewer decode steps than the tokens generated (12 solo runs would take them all)
    assert gen._engine.scheduler.steps - steps_before < sum(len(r.token_ids) for r in solo) / 2


def test_a_short_request_joins_and_leaves_a_running_batch(gen):
    """A request sent while a long one streams finishes first: nobody waits for anybody's completion."""
    long_request = GenerationRequest(prompt=PROMPTS[0], sampling=SamplingParams(max_tokens=110))
    short_request = GenerationRequest(prompt=PROMPTS[1], adapter="manual_qa", sampling=SamplingParams(max_tokens=3))
    if gen.generate(long_request).finish_reason != "length":
        raise AssertionError("the long request must run to its token limit for this test")
    order: list[str] = []
    started = threading.Event()

    def long_run() -> None:
        for count, _ in enumerate(gen.stream(long_request)):
            if count == 2:
                started.set()
        order.append("long")

    thread = threading.Thread(target=long_run)
    thread.start()
    assert started.wait(60)
    short = gen.generate(short_request)
    order.append("short")
    thread.join(timeout=120)
    assert order == ["short", "long"]
    assert short.token_ids == gen.generate(short_request).token_ids


def test_stream_yields_the_text_in_order(gen):
    request = GenerationRequest(prompt=PROMPTS[3], adapter="cockpit_commands", sampling=SamplingParams(max_tokens=40))
    deltas = list(gen.stream(request))
    result = gen.generate(request)
    assert len(deltas) > 1 and all(deltas)
    assert "".join(deltas) == result.text == gen.codec.decode(result.token_ids)


def test_a_stream_abandoned_early_frees_its_slot(gen):
    request = GenerationRequest(prompt=PROMPTS[2], sampling=SamplingParams(max_tokens=100))
    stream = gen.stream(request)
    next(stream)
    stream.close()  # the consumer leaves: the request is cancelled, the generator keeps serving
    deadline = time.time() + 10
    while gen._engine.scheduler._active and time.time() < deadline:
        time.sleep(0.01)
    assert not gen._engine.scheduler._active
    assert gen.generate(GenerationRequest(prompt=PROMPTS[2], sampling=SamplingParams(max_tokens=4))).completion_tokens == 4


def test_more_requests_than_slots_queue_and_all_complete(tiny_bundle):
    from infer.runtime import Generator

    requests = mixed_requests(9)
    with Generator.open(tiny_bundle, backend="edge", max_batch=2, threads=1) as small:
        solo = [small.generate(r).token_ids for r in requests]
        results: list = [None] * len(requests)
        threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, small.generate(requests[i])))
                   for i in range(len(requests))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert [r.token_ids for r in results] == solo


def test_the_fixed_shape_step_cuda_graphs_capture_gives_the_same_tokens(tiny_bundle, torch_gen):
    """cuda_graphs=True on CPU runs the captured step uncaptured: padded batch buckets, context
    buckets and per-row LoRA gathering must not change any row's tokens."""
    from infer.runtime import Generator

    requests = mixed_requests(7)
    expected = [torch_gen.generate(r).token_ids for r in requests]
    with Generator.open(tiny_bundle, backend="torch", max_batch=8, threads=1, cuda_graphs=True) as static:
        results: list = [None] * len(requests)
        threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, static.generate(requests[i])))
                   for i in range(len(requests))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert static._engine.scheduler.runner.graphs_enabled
    assert [r.token_ids for r in results] == expected
