# Generated from lumenfall_openai/resources/_async/images.py by scripts/unasync.py; do not edit.
"""``client.images``: openai's images resource, answering with Lumenfall's typed ``metadata``.

Images is not retired, so this *is* openai's resource (every parameter of the installed openai,
its request building, its raw and streaming wrappers), with three changes:

- ``generate`` / ``edit`` are typed to return this package's
  :class:`~lumenfall_openai.types.ImagesResponse`, whose ``metadata`` (cost, provider, attempts)
  is typed and always present. At run time the client's response hook swaps the parse target
  (see ``_cost_tracking``), so nothing of openai's request code is copied here;
- ``estimate`` prices a ``generate`` call with ``?dryRun=true`` (same arguments, same body);
- with a budget, a call is estimated and reserved first, like a video create.

The retyping borrows openai's own signatures through a ParamSpec, so the parameters a type
checker sees are exactly those of the installed openai, on every supported version.

Written once, as async; ``scripts/unasync.py`` generates the sync twin in ``resources/_sync/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from openai.resources.images import Images as _OpenAIImages

from ..._budget import IMAGES_CALL, ImagesHold, reserve_images
from ..._create_outcome import parse_answer
from ...types.cost import CostEstimate
from ...types.images import ImagesResponse
from .._images_shared import (
    check_numbers,
    dry_run_kwargs,
    refuse_streaming,
    rereadable_uploads,
    returning,
)

if TYPE_CHECKING:
    from ..._client import Lumenfall

__all__ = ["Images"]


class Images(_OpenAIImages):
    """openai's ``client.images`` with typed Lumenfall metadata, ``estimate``, and budgets."""

    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @returning(_OpenAIImages.generate, ImagesResponse)
    def generate(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Generate images (openai's arguments); ``.metadata.cost`` says what it cost."""
        refuse_streaming("generate", kwargs)
        check_numbers(kwargs)
        hold = self._reserve("generate", _OpenAIImages.generate, args, kwargs)
        return self._call(_OpenAIImages.generate, hold, args, kwargs)

    @returning(_OpenAIImages.edit, ImagesResponse)
    def edit(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Edit images (openai's arguments); ``.metadata.cost`` says what it cost."""
        refuse_streaming("edit", kwargs)
        check_numbers(kwargs)
        if self._budgeted():
            kwargs = rereadable_uploads(kwargs)
        hold = self._reserve("edit", _OpenAIImages.edit, args, kwargs)
        return self._call(_OpenAIImages.edit, hold, args, kwargs)

    @returning(_OpenAIImages.generate, CostEstimate)
    def estimate(self, *args: Any, **kwargs: Any) -> Any:
        """What ``generate`` with these arguments would cost (free ``?dryRun=true``; nothing runs)."""
        refuse_streaming("estimate", kwargs)
        check_numbers(kwargs)
        return self._dry_run(_OpenAIImages.generate, args, kwargs)

    def _budgeted(self) -> bool:
        return self._client.ledger.has_budget

    def _dry_run(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> CostEstimate:
        raw: Any = method(self, *args, **dry_run_kwargs(kwargs))
        return parse_answer(raw, CostEstimate, what="the images estimate (?dryRun=true)")

    def _reserve(
        self, name: str, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> ImagesHold:
        """The call's hold (``_budget``): with a budget, the estimate reserved before anything paid is sent."""
        ledger = self._client.ledger
        estimate = self._dry_run(method, args, kwargs) if ledger.has_budget else None
        return reserve_images(ledger, estimate, what=f"This images.{name} request", user=kwargs.get("user"))

    def _call(self, method: Callable[..., Any], hold: ImagesHold, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        token = IMAGES_CALL.set(hold)  # the client's post hook settles this hold from the answer
        try:
            # openai's own path: the client's response hook parses the answer as an ImagesResponse
            # and turns an unreadable one into ResponseParseError (_client_base, _create_outcome).
            return method(self, *args, **kwargs)
        except BaseException as error:
            hold.failed(error)
            raise
        finally:
            IMAGES_CALL.reset(token)
