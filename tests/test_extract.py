"""Pages to text: charsets, Founder e-paper markup, selectors, edition links, page PDFs."""

from __future__ import annotations

import random

import httpserver
import pytest
from httpserver import Server

from notices.errors import DecodeError
from notices.extract import (
    EditionLinks,
    decode_page,
    edition_links,
    html_text,
    meta_charset,
    page_label,
    pdf_text,
)
from notices.fetch import Http

http_server = httpserver.http_server  # the fixture: a running server per test

BASE = "http://paper.example/html/2025-07/08/"

# A Founder article page as such sites print it: GB2312 declared, the text both inside
# <founder-content> and between enpcontent comments, the article's properties in a comment.
ARTICLE = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>朱镕基路封闭施工通告</title>
<script language="javascript">var title = "不是正文";</script>
<style>.font01 { color: red }</style>
</head><body>
<table><tr><td><a href="../../../index.htm">首页</a> | <a href="node_2.htm">版面导航</a></td></tr>
<tr><td class="font01">朱镕基路封闭施工通告</td></tr>
<tr><td><div id="ozoom"><founder-content><!--enpcontent--><p>　　因朱镕基路K1+200至K1+900段
路面改造施工，2025年7月10日至8月10日全封闭。</p><p>　　过往车辆请绕行人民路。</p>
<p>特此通告。<br>市公安局交通警察支队<br>2025年7月8日</p><!--/enpcontent--></founder-content></div></td></tr>
</table>
<!--enpproperty <articleid>1001</articleid><title>朱镕基路封闭施工通告</title>/enpproperty-->
</body></html>"""

ROAD_NOTICE = (
    "　　因朱镕基路K1+200至K1+900段 路面改造施工，2025年7月10日至8月10日全封闭。\n\n"
    "　　过往车辆请绕行人民路。\n\n"
    "特此通告。\n"
    "市公安局交通警察支队\n"
    "2025年7月8日"
)

# A Founder page index (node_N.htm): the page's own label, a list of every page of the
# edition (labelled too, in links), the page's articles, an image map repeating them.
NODE_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某某日报</title></head><body>
<table><tr><td class="px12">第A03版：<strong>综合</strong></td><td>2025年07月08日</td></tr></table>
<div id="pgn"><ul>
<li>&nbsp;<a id=pageLink href=./node_2.htm>第A01版：要闻</a></li>
<li>&nbsp;<a id=pageLink href=node_3.htm>第A02版：本地</a></li>
<li>&nbsp;<a id=pageLink href=node_4.htm>第A03版：综合</a></li>
</ul></div>
<map name="PagePicMap">
<area shape="polygon" coords="1,2,3,4" href="content_1002.htm?div=-1">
</map>
<table>
<tr><td><a href=content_1001.htm?div=-1><div id=mp1001>朱镕基路封闭施工通告</div></a></td></tr>
<tr><td><a href=content_1002.htm?div=-1>遗失声明</a></td></tr>
<tr><td><a href="../../../images/2025-07/08/A03/A03.pdf">PDF</a></td></tr>
<tr><td><a href="javascript:void(0)">收藏</a> <a href="mailto:editor@paper.example">来信</a></td></tr>
</table>
<a href=node_3.htm>上一版</a> <a href=node_5.htm#top>下一版</a>
</body></html>"""


# --------------------------------------------------------------------------- charsets


def test_a_gbk_page_declared_gb2312_decodes_with_its_gbk_characters() -> None:
    content = ARTICLE.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("gb2312")  # 镕 is GBK, not GB2312: the label alone would fail
    assert decode_page(content, "gb2312") == ARTICLE
    assert decode_page(content) == ARTICLE  # from the <meta> tag


@pytest.mark.parametrize("label", ["GB2312", "gbk", "GB_2312-80", "x-gbk", "cp936", '"gb2312"'])
def test_every_gbk_label_reads_as_gb18030(label: str) -> None:
    assert decode_page("朱镕基路 囧".encode("gb18030"), label) == "朱镕基路 囧"


def test_a_page_declared_utf8_but_written_in_gbk_still_decodes() -> None:
    content = ARTICLE.encode("gbk")
    assert decode_page(content, "utf-8") == ARTICLE


def test_an_unknown_label_falls_back_to_detection() -> None:
    assert decode_page("过往车辆请绕行".encode(), "x-klingon") == "过往车辆请绕行"


def test_a_page_declaring_nothing_is_detected() -> None:
    text = "遗失声明：张三遗失身份证，声明作废。"
    assert decode_page(text.encode("gb18030")) == text
    assert decode_page(text.encode("utf-16")) == text


def test_a_byte_order_mark_outranks_the_label() -> None:
    assert decode_page("\ufeff特此通告".encode("utf-8"), "gb2312") == "特此通告"


def test_binary_junk_is_a_decode_error() -> None:
    junk = random.Random(7).randbytes(4096)
    with pytest.raises(DecodeError):
        decode_page(junk)
    with pytest.raises(DecodeError):
        decode_page(junk, "gb2312")


def test_meta_charset_reads_both_forms() -> None:
    assert meta_charset(b'<html><head><meta charset="GBK"></head>') == "GBK"
    assert meta_charset(ARTICLE.encode("gbk")) == "gb2312"
    assert meta_charset(b"<html><body>no meta</body></html>") is None


def test_a_fetched_gbk_page_decodes_by_its_header(http_server: Server) -> None:
    http_server.add(
        "/content_1001.htm",
        body=ARTICLE.replace("charset=gb2312", "").encode("gbk"),
        headers={"Content-Type": "text/html; charset=GB2312"},
    )
    with Http(timeout=2.0) as http:
        fetched = http.get(http_server.url("/content_1001.htm"))
    assert html_text(decode_page(fetched.content, fetched.charset)) == ROAD_NOTICE


# --------------------------------------------------------------------------- article text


def test_founder_content_is_the_article() -> None:
    assert html_text(ARTICLE) == ROAD_NOTICE


def test_enpcontent_comments_mark_the_article_without_founder_content() -> None:
    page = ARTICLE.replace("<founder-content>", "").replace("</founder-content>", "")
    assert html_text(page) == ROAD_NOTICE


def test_the_first_copy_of_a_repeated_enpcontent_is_read() -> None:
    page = "<body><!--enpcontent--><p>正文</p><!--/enpcontent--><!--enpcontent--><p>又一遍</p><!--/enpcontent--></body>"
    assert html_text(page) == "正文"


def test_a_content_selector_picks_the_article() -> None:
    page = """<html><body><nav>首页 新闻</nav><div class="article"><h1>通告</h1>
    <div class="txt"><p>第一段。</p><p>第二段，<b>加粗</b>不断行。</p></div></div>
    <div class="footer">版权所有</div></body></html>"""
    assert html_text(page, content_selector="div.article .txt") == "第一段。\n\n第二段，加粗不断行。"
    assert html_text(page, content_selector="#absent") == ""


def test_without_markers_the_body_is_read_without_chrome() -> None:
    page = """<html><head><title>标题不在正文</title><style>p{}</style></head><body>
    <nav><a href="/">首页</a></nav><header>报头</header>
    <script>document.write("脚本")</script><noscript>无脚本</noscript>
    <h1>封路通告</h1><div>因施工
    封闭。</div><ul><li>一、G312线</li><li>二、S316线</li></ul>
    <table><tr><td>路段</td><td>时间</td></tr><tr><td>K1</td><td>7月</td></tr></table>
    <div role="navigation">上一篇 下一篇</div><footer>版权所有</footer></body></html>"""
    assert html_text(page) == "封路通告\n\n因施工 封闭。\n\n一、G312线\n二、S316线\n\n路段\n时间\nK1\n7月"


def test_an_xhtml_page_with_an_encoding_declaration_is_read() -> None:
    page = '<?xml version="1.0" encoding="gb2312"?>\n<html><body><p>遗失声明</p></body></html>'
    assert html_text(page) == "遗失声明"


@pytest.mark.parametrize("page", ["", "   ", "<!-- nothing -->", "\x00\x01", "<p"])
def test_pages_with_nothing_give_nothing(page: str) -> None:
    assert html_text(page) == ""


# --------------------------------------------------------------------------- editions


def test_edition_links_of_a_founder_page_index() -> None:
    assert edition_links(NODE_PAGE, BASE + "node_4.htm") == EditionLinks(
        pages=(BASE + "node_2.htm", BASE + "node_3.htm", BASE + "node_4.htm", BASE + "node_5.htm"),
        articles=(BASE + "content_1002.htm", BASE + "content_1001.htm"),
    )


def test_edition_links_by_selector() -> None:
    page = """<body><div class="pages"><a href="/e/2025/p1.html">一版</a><a href="p2.html">二版</a>
    <a href="p1.html">一版</a></div><ul class="list"><li><a href="a?id=7#c">通告</a></li>
    <li><a href="a?id=8">声明</a></li></ul><a href="node_9.htm">not chosen</a></body>"""
    links = edition_links(
        page, "http://news.example/e/2025/", page_selector=".pages", article_selector="ul.list"
    )
    assert links == EditionLinks(
        pages=("http://news.example/e/2025/p1.html", "http://news.example/e/2025/p2.html"),
        articles=("http://news.example/e/2025/a?id=7", "http://news.example/e/2025/a?id=8"),
    )


def test_a_base_element_resolves_links() -> None:
    page = '<head><base href="http://cdn.example/paper/"></head><body><a href="content_1.htm">x</a>'
    assert edition_links(page, BASE).articles == ("http://cdn.example/paper/content_1.htm",)


def test_page_label_of_a_page_index_is_its_own_not_the_navigation() -> None:
    assert page_label(NODE_PAGE) == "第A03版：综合"


@pytest.mark.parametrize(
    ("page", "label"),
    [
        ("<body><td>第4版</td><td>2025年7月8日</td></body>", "第4版"),
        ("<body>第 06 版:<b>社会新闻</b></body>", "第06版：社会新闻"),
        ("<head><title>某某日报-第b02版：广告</title></head><body></body>", "第B02版：广告"),
        ("<body><a href=node_2.htm>第A01版：要闻</a></body>", None),
        ("<body>遗失声明</body>", None),
    ],
)
def test_page_labels(page: str, label: str | None) -> None:
    assert page_label(page) == label


# --------------------------------------------------------------------------- PDF


def hand_made_pdf(content: bytes, *, deflated: bool = False) -> bytes:
    """A one-page PDF (Helvetica) around a content stream (already deflated, if so
    marked), with a correct xref table."""
    flate = b" /Filter /FlateDecode" if deflated else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(content), flate, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def test_a_two_column_pdf_reads_column_by_column() -> None:
    # The right column is drawn first and starts higher: neither the drawing order nor a
    # plain top-to-bottom sort reads the page right.
    pdf = hand_made_pdf(
        b"BT /F1 12 Tf 320 720 Td (Right column top) Tj ET\n"
        b"BT /F1 12 Tf 320 560 Td (Right column bottom) Tj ET\n"
        b"BT /F1 12 Tf 72 700 Td (Left column top) Tj ET\n"
        b"BT /F1 12 Tf 84 540 Td (Left column indented) Tj ET\n"
    )
    lines = pdf_text(pdf).split()
    text = " ".join(lines)
    assert text == ("Left column top Left column indented Right column top Right column bottom")


def test_a_headline_across_columns_is_read_first() -> None:
    pdf = hand_made_pdf(
        b"BT /F1 12 Tf 320 600 Td (Right body) Tj ET\n"
        b"BT /F1 20 Tf 72 740 Td (A headline spanning both columns of the page) Tj ET\n"
        b"BT /F1 12 Tf 72 600 Td (Left body) Tj ET\n"
    )
    assert pdf_text(pdf).split("\n")[:3] == [
        "A headline spanning both columns of the page",
        "Left body",
        "Right body",
    ]


@pytest.mark.parametrize(
    "data", [b"", b"not a pdf at all", b"%PDF-1.4\n1 0 obj\n<< /Type /Cat", bytes(range(256))]
)
def test_a_broken_pdf_is_a_decode_error(data: bytes) -> None:
    with pytest.raises(DecodeError):
        pdf_text(data)
