"""A typical OpenAI Sora program. Moving it to Lumenfall changed one line: the import.

    LUMENFALL_API_KEY=lmnfl_... python examples/sora_migration.py

Without ``LUMENFALL_API_KEY`` it starts the built-in local emulator (the ``[emulator]`` extra)
and says so: nothing leaves the machine, nothing is billed. It runs warning-free even under
``python -W error::DeprecationWarning``: nothing here touches openai's retired Sora resource.
"""

import os

from lumenfall_openai import OpenAI  # was: from openai import OpenAI

if not os.environ.get("LUMENFALL_API_KEY"):  # not part of the migration: a key-less demo run
    import atexit

    from lumenfall_openai.testing import LumenfallEmulator

    serving = LumenfallEmulator().serve()
    os.environ["LUMENFALL_BASE_URL"] = base_url = serving.__enter__()
    atexit.register(serving.__exit__, None, None, None)
    os.environ["LUMENFALL_API_KEY"] = "lmnfl_emulator.local"
    print(f"No LUMENFALL_API_KEY set: running against the built-in local emulator at {base_url}")
    print("(nothing leaves this machine and nothing is billed; set LUMENFALL_API_KEY to use Lumenfall)")

# From here on: the Sora program as it was.
client = OpenAI()

video = client.videos.create_and_poll(
    model="sora-2",
    prompt="A calico cat playing a piano on stage",
    seconds="8",
    size="1280x720",
)

if video.status == "completed":
    print("Video successfully completed:", video.id)
    content = client.videos.download_content(video.id, variant="video")
    content.write_to_file("video.mp4")
    print("Wrote video.mp4")
else:
    print("Video creation failed. Status:", video.status)
