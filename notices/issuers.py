"""Issuers: organisations printed together (one line, no separator) split apart.

Newspaper layout often loses the space or line break between two signing bodies
(``本溪市公安局交通管理支队本溪市交通事务发展服务中心``). A name ends in an organisation
suffix; a new one begins where the rest opens with a place or a well-known group name
and is itself a whole organisation name.
"""

from __future__ import annotations

import re

_SUFFIX = re.compile(
    r"有限责任公司|股份有限公司|有限公司|公司|项目经理部|项目部|经理部|指挥部|委员会|人民政府|政府"
    r"|办事处|办公室|中心|总队|支队|大队|中队|管理处|分局|局|厅|院|站|段|所|集团"
)
_NEW_NAME = re.compile(
    r"(?:[\u4e00-\u9fff]{1,5}?(?:省|市|县|区|州|盟|旗|镇|乡)"
    r"|中国|中铁|中交|中建|中冶|北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽"
    r"|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西"
    r"|西藏|宁夏|新疆)"
)
_MIN_NAME = 6


def split_issuers(text: str) -> list[str]:
    """Split organisation names printed together into each name, in order."""
    names: list[str] = []
    start = 0
    for match in _SUFFIX.finditer(text):
        rest = text[match.end() :]
        fresh = _NEW_NAME.match(rest) or rest.startswith(text[:2])
        if len(rest) >= _MIN_NAME and fresh and _SUFFIX.search(rest):
            names.append(text[start : match.end()])
            start = match.end()
    names.append(text[start:])
    return [n for n in names if n]
