"""A typical OpenAI Sora program. Moving it to Lumenfall changed one line: the import.

    LUMENFALL_API_KEY=lmnfl_... python examples/sora_migration.py

It runs warning-free even under ``python -W error::DeprecationWarning``: nothing here touches
openai's retired Sora resource.
"""

from lumenfall_openai import OpenAI  # was: from openai import OpenAI

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
