"""Loss declarations (遗失声明): placeholder until the loss grammar lands."""

from __future__ import annotations

from notices.model import Record, Source
from notices.normalize import Text
from notices.segment import Block


def parse_loss_block(text: Text, block: Block, source: Source) -> list[Record]:
    """Parse a block of loss declarations into one record per holder."""
    return []
