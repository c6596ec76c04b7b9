"""Speed benchmarks, run by `make bench` (`python -m benchmarks.run [names...] [--referrals N]`).

A benchmark is a module `benchmarks/bench_<name>.py` exposing

- `run(**kwargs) -> dict`: does the work against the current database and returns its figures (numbers,
  or dicts of numbers, which are reported as `outer.inner`); `referrals` is passed when given on the
  command line;
- `TARGETS: dict[str, tuple[float, str]]`: figure name -> (upper limit, unit), e.g.
  `{"first_import_seconds": (60, "s"), "api_standards_snapshot.median_ms": (200, "ms")}`. A figure passes
  when it is at most its limit.

Their data come from the demo generator (demo.generator), one contract's bundle imported with the
product's bulk import: see benchmarks/data.py.

The runner gives each benchmark a fresh, migrated PostgreSQL database and a process of its own (so peak
memory figures are the benchmark's own), prints the figures against their targets, and rewrites the
benchmark's section of docs/benchmarks.md.
"""
