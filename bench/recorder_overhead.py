"""Caller-side cost of a recorded call, against logging and an OpenTelemetry span.

Each variant calls a trivial function with two small arguments ``N`` times; its cost is the time
per call minus that of the bare call, so the figures are the overhead each instrument adds on the
caller's thread. Variants are measured in interleaved rounds in the same process and the median
round is kept; the background writer (and OpenTelemetry's batch worker) run meanwhile, so the time
they take from the caller through the GIL counts too. Run it with the ``bench`` group installed:

    uv run --group bench python bench/recorder_overhead.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import gc
import io
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from actionlogkit import MemoryStore, Recorder


class _DiscardingExporter(SpanExporter):
    """Exports nowhere: the span's cost stays on the caller's side and the batch worker."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def push_price(sku: str, price: float) -> float:
    """The recorded function: trivial on purpose, so only the instrument is measured."""
    return price


def build_variants(calls: int) -> tuple[dict[str, Callable[[], None]], list[Callable[[], Any]]]:
    """Each variant runs ``calls`` calls; the second item lists what to settle between rounds."""
    log = logging.getLogger("bench.recorder_overhead")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(logging.StreamHandler(io.StringIO()))
    sink = log.handlers[0]

    provider = TracerProvider()
    processor = BatchSpanProcessor(_DiscardingExporter(), max_queue_size=calls * 2)
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("bench")

    background = Recorder(
        MemoryStore(), integration_id="shop", mode="background", max_queue=calls * 2
    )
    sync = Recorder(MemoryStore(), integration_id="shop")
    recorded_background = background.action("update", entity_type="product", entity_id="sku")(
        push_price
    )
    recorded_sync = sync.action("update", entity_type="product", entity_id="sku")(push_price)

    def bare() -> None:
        for _ in range(calls):
            push_price("sku-42", 12.5)

    def logged() -> None:
        for _ in range(calls):
            log.info("push_price sku=%s price=%s", "sku-42", 12.5)
            push_price("sku-42", 12.5)

    def traced() -> None:
        for _ in range(calls):
            with tracer.start_as_current_span("push_price"):
                push_price("sku-42", 12.5)

    def traced_with_data() -> None:
        # The span carrying what the recorder and the log line carry: the arguments and the result.
        for _ in range(calls):
            with tracer.start_as_current_span("push_price") as span:
                span.set_attribute("sku", "sku-42")
                span.set_attribute("price", 12.5)
                span.set_attribute("result", push_price("sku-42", 12.5))

    def recorded_in_background() -> None:
        for _ in range(calls):
            recorded_background("sku-42", 12.5)

    def recorded_in_sync() -> None:
        for _ in range(calls):
            recorded_sync("sku-42", 12.5)

    def settle() -> None:
        # Drain the queues (not timed) so that every round starts alike.
        background.flush()
        processor.force_flush()
        sink.stream = io.StringIO()
        sync.store.delete_many({})
        background.store.delete_many({})

    variants = {
        "bare call": bare,
        "logging.info": logged,
        "otel span": traced,
        "otel span + attributes": traced_with_data,
        "recorder background": recorded_in_background,
        "recorder sync (memory)": recorded_in_sync,
    }
    return variants, [settle]


def measure(calls: int, rounds: int) -> dict[str, float]:
    """Median seconds per call of each variant."""
    variants, settlers = build_variants(calls)
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            for settle in settlers:
                settle()
            gc.collect()
            start = time.perf_counter()
            run()
            samples[name].append((time.perf_counter() - start) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    """Print the overhead of each instrument per call and the ratios the goals are stated in."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    result = measure(options.calls, options.rounds)
    bare = result["bare call"]
    overhead = {name: max(value - bare, 1e-12) for name, value in result.items()}
    print(f"{options.calls} calls x {options.rounds} rounds, median round; overhead = time - bare")
    print(f"{'variant':<26}{'per call':>12}{'overhead':>12}")
    for name, value in result.items():
        extra = "" if name == "bare call" else f"{overhead[name] * 1e6:>10.2f}us"
        print(f"{name:<26}{value * 1e6:>10.2f}us{extra:>12}")
    otel, logging_info = overhead["otel span"], overhead["logging.info"]
    background, sync = overhead["recorder background"], overhead["recorder sync (memory)"]
    print()
    for label, ratio, goal in (
        ("background / otel span", background / otel, 0.5),
        ("background / logging.info", background / logging_info, 1.0),
        ("sync (memory) / otel span", sync / otel, 1.0),
    ):
        verdict = "met" if ratio <= goal else "MISSED"
        print(f"{label:<28}{ratio:>6.2f}x   goal <= {goal}x: {verdict}")
    # Context, not a goal: a span that carries the same data as the record and the log line.
    with_data = overhead["otel span + attributes"]
    print(f"{'sync (memory) / span+attrs':<28}{sync / with_data:>6.2f}x   (context)")


if __name__ == "__main__":
    main()
