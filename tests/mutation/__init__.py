"""gmpkit's own mutation harness: break one scheduler mechanism at a time, run the tests, and see
which test notices (``python -m tests.mutation``; see ``__main__.py``)."""
