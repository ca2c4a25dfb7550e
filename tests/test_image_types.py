"""``ImagesResponse.construct`` (what the client parses every images answer with) builds openai's
fields exactly as openai's own construct does, and ``metadata`` typed, whatever the server sends."""

from __future__ import annotations

from typing import Any

import openai
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai.types import ImageMetadata, ImagesResponse

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from([*openai.types.ImagesResponse.model_fields, "metadata", "extra", "cost"])


@settings(max_examples=300, deadline=None)
@given(
    body=st.dictionaries(field_names, json_values, max_size=6),
    images=st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "url": st.none() | st.text(max_size=5),
                "b64_json": st.text(max_size=5),
                "revised_prompt": st.text(max_size=5) | json_values,
                "extra": json_values,
            },
        ),
        max_size=3,
    ),
)
def test_property_openai_fields_are_built_as_openai_builds_them(
    body: dict[str, Any], images: list[dict[str, Any]]
) -> None:
    body = {**body, "data": images} if images and "data" not in body else body
    if not isinstance(body.get("size"), str | None):
        # openai 2.x's construct_type cannot build a `str | None` field from a list or dict (it
        # tries to weak-reference types.UnionType): unchanged by this parse, left to openai.
        body = {**body, "size": None}
    ours = ImagesResponse.construct(**body)
    theirs = openai.types.ImagesResponse.construct(**{k: v for k, v in body.items() if k != "metadata"})
    for name in openai.types.ImagesResponse.model_fields:
        assert getattr(ours, name) == getattr(theirs, name), name
    if isinstance(theirs.data, list):  # each Image as openai makes it (the parse builds plain ones itself)
        assert isinstance(ours.data, list)
        for mine, image in zip(ours.data, theirs.data, strict=True):
            assert type(mine) is type(image)
            if isinstance(image, openai.BaseModel):
                assert list(vars(mine).items()) == list(vars(image).items())
                assert (mine.model_fields_set, mine.model_extra) == (image.model_fields_set, image.model_extra)
    assert ours.model_fields_set == theirs.model_fields_set | (
        {"metadata"} if body.get("metadata") is not None else set()
    )
    assert ours.model_extra == theirs.model_extra
    assert isinstance(ours.metadata, ImageMetadata)
    assert isinstance(ours.metadata.attempts, list)


def test_defaults_are_not_shared_between_answers() -> None:
    first, second = ImagesResponse.construct(created=1), ImagesResponse.construct(created=2)
    assert first.metadata is not second.metadata
    first.metadata.attempts.append(first.metadata.attempts[0] if first.metadata.attempts else None)  # type: ignore[arg-type]
    assert second.metadata.attempts == []


def test_server_keys_named_like_constructs_own_parameters_are_read_not_fatal() -> None:
    """A key named ``cls`` or ``_fields_set`` (the parameters of ``construct``) must not make a
    paid answer unreadable: it is kept as an extra, as plain openai keeps every unknown key."""
    from lumenfall_openai.types.webhooks import parse_event

    for odd in ({"cls": 1}, {"_fields_set": ["cost"]}, {"cls": "x", "_fields_set": 1}):
        response = ImagesResponse.construct(created=1, data=[], metadata={**odd, "cost": 0.02})
        assert response.metadata.cost == 0.02
        assert {k: (response.metadata.model_extra or {})[k] for k in odd} == odd
        event = parse_event({"type": "video.completed", "data": {"id": "video_1", **odd}, **odd})
        assert event.data.id == "video_1" and {k: (event.model_extra or {})[k] for k in odd} == odd
