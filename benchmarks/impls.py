"""The implementations under test, in table order, each imported only when it is run."""

from __future__ import annotations

import importlib

BASELINE = "asyncio-rendezvous"  # ratios in the tables are against this one

# name -> (module, keyword arguments for its Impl)
IMPLS: dict[str, tuple[str, dict]] = {
    "gmpkit": ("impl_gmpkit", {"record": False}),
    "gmpkit+rec": ("impl_gmpkit", {"record": True}),
    # the same two on the compiled core, each in a worker process of its own (compiled.py)
    "gmpkit-compiled": ("compiled", {}),
    "gmpkit-compiled+rec": ("compiled", {}),
    "asyncio-rendezvous": ("impl_asyncio", {"chan": "rendezvous"}),
    "asyncio-queue1": ("impl_asyncio", {"chan": "queue1"}),
    "simpy-rendezvous": ("impl_simpy", {"chan": "rendezvous"}),
    "simpy-store1": ("impl_simpy", {"chan": "store1"}),
    "minimal": ("impl_minimal", {}),
}


def load(name: str, **options):
    """Build implementation ``name``; ``options`` go to gmpkit's Impl (e.g. gomaxprocs), and
    ``compiled_dir`` says where the compiled build is (compiled.py; it raises ``NotBuilt``)."""
    module, kwargs = IMPLS[name]
    compiled_dir = options.pop("compiled_dir", None)
    if module == "compiled":
        from benchmarks.compiled import CompiledImpl
        from benchmarks.compiled import compiled_dir as find

        return CompiledImpl(name, find(compiled_dir), gomaxprocs=options.get("gomaxprocs", 1))
    mod = importlib.import_module(f"benchmarks.{module}")
    if module == "impl_gmpkit":
        kwargs = {**kwargs, **options}
    impl = mod.Impl(**kwargs)
    impl.name = name
    return impl
