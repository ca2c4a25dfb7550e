"""Package data for the emulator: ``sample.mp4``, made by ``scripts/make_sample_mp4.py``.

A package (not a bare folder) so ``importlib.resources`` finds it in a wheel, a zip or a checkout.
"""
