"""Forms real notices take that our own corpus did not: each written here after real ones
(tests/realworld/SOURCES.md), with invented roads, places and signers."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from notices.model import LossDeclaration, RoadClosure
from notices.parse import parse_page
from notices.regions import locate

DEMO = Path(__file__).resolve().parent.parent / "notices" / "demo" / "pages"


def _closures(page: str, **source: object) -> list[RoadClosure]:
    found = [r for r in parse_page(page, **source) if isinstance(r, RoadClosure)]  # type: ignore[arg-type]
    return found


def _one(page: str, **source: object) -> RoadClosure:
    [record] = _closures(page, **source)
    return record


def _stake_range(record: RoadClosure) -> tuple[int, int]:
    """The metres of the one stretch a record closes, both its ends staked."""
    [segment] = record.segments
    assert segment.from_ is not None and segment.to is not None
    return segment.from_.m, segment.to.m


HEADLESS = """转自：某某日报
根据京沪高速（G2）某段改扩建工程施工需要，按照《中华人民共和国道路交通安全法》之规定，拟对青阳收费站部分匝道进行封闭，现将有关情况通告如下：
一、封闭路段：京沪高速青阳收费站出口匝道。
二、封闭时间：2025年5月8日至2025年5月18日。
三、建议走行路线：
（一）拟由青阳收费站驶出的车辆，请提前在青阳东收费站驶出。
道路封闭期间，给您带来不便，敬请谅解！
某省公安厅交通管理总队
某省高速公路运营管理有限责任公司
2025年5月1日
上一篇：别的新闻
"""


def test_a_notice_without_a_heading_keeps_its_items_and_signature() -> None:
    record = _one(HEADLESS)
    assert record.title is None
    assert [(r.code, r.name) for r in record.routes] == [("G2", "京沪高速")]
    assert record.closure == "partial"  # a ramp is closed, not the road
    assert record.window is not None
    assert (record.window.start, record.window.end) == (date(2025, 5, 8), date(2025, 5, 18))
    assert record.issued_on == date(2025, 5, 1)
    assert len(record.issuers) == 2
    assert "上一篇" not in record.text


ITEMS_FIRST = """一、施工时间：2025年8月24日—2025年9月30日
二、施工内容：路面修复
三、交通管制措施：对G104国道（K1381+000-K1397+034）路段局部车道进行封闭施工。
某区公路与运输管理中心
2025年8月20日
"""


def test_items_printed_before_the_closing_words_belong_to_the_notice() -> None:
    record = _one(ITEMS_FIRST)
    assert record.window is not None and record.window.start == date(2025, 8, 24)
    assert [(s.from_.m if s.from_ else None) for s in record.segments] == [1381000]


TRADITIONAL = """關(guān)於國道316線K1965+600至K1994+264段實施交通管制的公告
因國道316線路面大中修工程施工需要，決定自2017年5月10日至2017年8月31日對上述路段實行半幅封閉施工。
特此公告。
某市公安局交通警察支隊
2017年5月5日
"""


def test_traditional_characters_and_pinyin_glosses_read_like_simplified() -> None:
    record = _one(TRADITIONAL)
    assert [r.code for r in record.routes] == ["G316"]
    assert [(s.from_.m if s.from_ else None) for s in record.segments] == [1965600]
    assert record.closure == "half"
    assert record.window is not None and record.window.end == date(2017, 8, 31)
    assert record.title is not None and "(guān)" not in record.title
    assert record.issuers == ("某市公安局交通警察支隊",)  # as printed


JUNCTION = """封闭施工通告
根据《中华人民共和国公路法》规定，因省道S316柳川线K23+410—K38+275（S316柳川线与S208平交口至S316柳川线与S305交叉口）之间路段路面修复，2025年7月1日至2025年12月31日采取封闭施工，禁止一切车辆通行。
某县公路建设养护中心
2025年6月24日
"""


def test_junction_roads_and_law_titles_are_not_closed_roads() -> None:
    record = _one(JUNCTION)
    assert [(r.code, r.name) for r in record.routes] == [("S316", "柳川线")]
    [segment] = record.segments
    assert (segment.from_place, segment.to_place) == (
        "S316柳川线与S208平交口",
        "S316柳川线与S305交叉口",
    )


SPLIT_ENDS = """封道绕行公告
对我市部分道路实施封闭施工。
一、封闭时间：2024年10月22日至2024年11月30日。
二、封闭范围：起于G332萝河线K508+475（某村）处，终于K539+239（某大桥）。
某市交通运输局
2024年10月18日
"""


def test_a_stretch_whose_ends_are_told_apart_is_one_stretch() -> None:
    record = _one(SPLIT_ENDS)
    assert [
        ((s.from_.m if s.from_ else None), (s.to.m if s.to else None)) for s in record.segments
    ] == [(508475, 539239)]


def test_the_scope_of_the_closing_words_gives_the_closure_kind() -> None:
    bore = "隧道施工通告\n因隧道维修，2020年8月25日至2020年9月7日封闭G4217蓉马高速某县隧道右线，车辆绕行国道317线。\n某管理处\n2020年8月20日\n"
    station = "关于G4511某高速某服务区实施全封闭交通管制的公告\n决定于2025年3月1日至3月5日对G4511某高速某服务区（江西方向）实施全封闭交通管制。\n某公司\n2025年2月25日\n"
    assert _one(bore).closure == "half"
    assert _one(station).closure == "partial"


def test_news_of_a_road_open_again_is_not_a_notice() -> None:
    news = (
        "记者从交警部门获悉，因改造工程提前完工，G80某高速某段将于3月18日上午恢复正常通行。"
        "经过近7个月的分阶段半幅封闭施工，目前该路段已焕然一新。\n"
    )
    assert _closures(news) == []


def test_a_rejected_run_of_items_never_loops() -> None:
    page = "一、施工时间\n二、施工路段\n对该路段实行封闭。\n" * 50
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(parse_page(page)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert done, "the segmenter did not finish"


def test_names_start_after_the_words_before_them() -> None:
    page = "封路通告\n因施工需要，2025年5月1日至5月3日封闭幸福路，请过往车辆提前选择文化路绕行。\n某县交警大队\n2025年4月28日\n"
    record = _one(page)
    assert [r.name for r in record.routes] == ["幸福路"]
    assert record.detour is not None and record.detour.routes == ("文化路",)


def test_a_name_does_not_start_inside_the_word_before_it() -> None:
    page = (
        "关于某某公路施工的通告\n为做好施工，2024年度公路养护期间，2025年6月1日至6月9日封闭此次北岭东延隧道，"
        "届时南麦公路花园镇段同时封闭。\n某县交通运输局\n2025年5月20日\n"
    )
    record = _one(page)
    assert [r.name for r in record.routes] == ["北岭东延隧道", "南麦公路"]


def test_a_bridge_closed_as_a_whole_is_the_route_unless_printed_on_a_road() -> None:
    alone = "封闭通告\n因检测需要，2025年6月1日至6月3日对青石大桥和白沙桥实行全封闭，禁止一切车辆通行。\n某县交通运输局\n2025年5月20日\n"
    assert [r.name for r in _one(alone).routes] == ["青石大桥", "白沙桥"]
    on_road = (
        "封闭通告\n一、检测桥梁：东岭线(X352)青石大桥。\n二、2025年6月1日至6月3日，青石大桥实行全封闭，"
        "禁止一切车辆通行。\n某县交通运输局\n2025年5月20日\n"
    )
    assert [(r.code, r.name) for r in _one(on_road).routes] == [("X352", "东岭线")]


def test_roads_named_only_by_their_ends() -> None:
    page = (
        "关于石门村大坝至青山村小坝段道路实行封闭施工的通告\n因路基塌陷，决定对该路段进行封闭施工。\n"
        "一、封闭时间：2025年3月1日至2025年5月31日。\n某镇人民政府\n2025年2月25日\n"
    )
    assert [r.name for r in _one(page).routes] == ["石门村大坝至青山村小坝段道路"]
    listed = "通告\n因道路结冰，现对东岭至西岭、上湾至下湾等两条道路临时封闭，封闭时间为2025年1月2日至5日。\n某县交通运输局\n2025年1月1日\n"
    assert [r.name for r in _one(listed).routes] == ["东岭至西岭", "上湾至下湾"]
    junction_to_village = "通告\n决定对青山镇青山中学路口至白水村路段实行半封闭施工，时间为2025年4月1日至4月30日。\n某镇人民政府\n2025年3月28日\n"
    assert [r.name for r in _one(junction_to_village).routes] == ["青山中学路口至白水村"]


def test_items_of_dated_streets_and_names_in_brackets() -> None:
    streets = (
        "关于部分街路封闭施工的通告\n某某管网工程已开工建设，现对施工路段封闭具体情况公告如下：\n\n"
        "1.11月3日—11月9日  向阳街(新华路至光明路段);\n2.11月10日—11月20日  沿江大道(光明路至滨河路段)。\n"
        "某市住房和城乡建设局\n2025年10月30日\n"
    )
    record = _one(streets, published_on=date(2025, 10, 30))
    assert [r.name for r in record.routes] == ["向阳街", "沿江大道"]
    assert record.window is not None and (record.window.start, record.window.end) == (
        date(2025, 11, 3),
        date(2025, 11, 20),
    )
    coded = "封闭施工通告\n一、施工范围：县道X321(岭红线) K4至K21段，2025年6月1日至6月30日封闭施工。\n某县交通运输局\n2025年5月25日\n"
    assert [(r.code, r.name) for r in _one(coded).routes] == [("X321", "岭红线")]


def test_an_event_closure_ends_on_its_day() -> None:
    page = (
        "关于灯会期间交通管制的通告\n1.时间：2025年2月12日(正月十五)18:30至活动结束。\n"
        "2.管制路段：南湖路、北湖路临时禁止机动车、非机动车通行。\n某县公安局交通警察大队\n2025年2月5日\n"
    )
    record = _one(page)
    assert record.window is not None
    assert (record.window.start, record.window.end) == (date(2025, 2, 12), date(2025, 2, 12))
    assert record.window.start_time == "18:30" and not record.window.until_complete


def test_a_ban_on_cars_extended_in_one_sentence() -> None:
    page = "国道999线甲县境内乙村至丙村段公路改线工程禁车延期，延期时间为2024年7月1日至2024年9月30日。\n甲县交通运输局\n2024年6月20日\n"
    record = _one(page)
    assert [r.code for r in record.routes] == ["G999"]
    assert record.window is not None and record.window.end == date(2024, 9, 30)


def test_the_way_round_told_inside_a_closing_clause_is_not_closed() -> None:
    page = (
        "关于东湖路分段封闭施工的通告\n2025年7月1日至7月30日，东湖路半幅封闭施工，"
        "往返西环线的车辆请分别由东湖路未封闭的半幅道路和南岭路、北岭路通行。\n"
        "某市公安局交通警察支队\n2025年6月25日\n"
    )
    assert [r.name for r in _one(page).routes] == ["东湖路"]


def test_roads_listed_after_a_closing_that_points_to_them() -> None:
    page = (
        "关于某市重点公路项目施工路段禁行的通告\n根据工程需要，对以下道路在通告时间段内进行封闭施工：\n"
        "1.东平路(平营路-刘家口子)中修工程，自2021年9月16日起，至2021年12月31日止；\n"
        "2.中海路(峡山界-双羊)中修工程，自2021年10月1日起，至2021年12月31日止；\n"
        "特此通告。\n某市公安局\n2021年9月\n"
    )
    assert [r.name for r in _one(page).routes] == ["东平路", "中海路"]


def test_stakes_of_a_landmark_or_of_the_structure_in_the_reason_are_not_stretches() -> None:
    reason = "封闭通告\n因青石大桥(K210+450)维修，2025年5月6日至6月6日对G312线K209+800-K211+200封闭。\n某县交通运输局\n2025年5月1日\n"
    assert [(s.from_.m, s.to.m) for s in _one(reason).segments if s.from_ and s.to] == [
        (209800, 211200)
    ]
    assert len(_one(reason).segments) == 1
    joined = (
        "封闭施工通告\n2025年6月1日至6月30日，对新丰连接线K0+000至K1+200段（与既有G777线K45+000处相接）实行全封闭施工。\n"
        "某县交通运输局\n2025年5月25日\n"
    )
    assert [(s.from_ and s.from_.m, s.to and s.to.m) for s in _one(joined).segments] == [(0, 1200)]


@pytest.mark.parametrize(
    ("closing", "kind"),
    [
        ("东风路机动车道全断面封闭", "full"),
        ("对中山路实行部分封闭（北段全封，南段半幅通行）", "partial"),
        ("东风路部分路段封闭交通", "full"),
        ("青洲大桥全封闭施工，福州方向车辆经青洲大桥B匝道下行", "full"),
        ("对绕城高速K77+805至K30+155段双向应急车道实行临时交通管制", "partial"),
    ],
)
def test_closure_kinds_said_outright(closing: str, kind: str) -> None:
    page = f"封闭通告\n2025年7月1日至7月5日，{closing}。\n某县公安局\n2025年6月28日\n"
    assert _one(page).closure == kind


def test_headings_glued_to_the_text_or_framed_by_a_forum() -> None:
    glued = "关于X789线养护的通告因路面沉陷，自2025年3月1日至3月10日对X789线K12+300至K13+050段实行全封闭施工。\n某县交通运输局\n2025年2月25日\n"
    record = _one(glued)
    assert record.title == "关于X789线养护的通告"
    assert [(s.from_ and s.from_.m, s.to and s.to.m) for s in record.segments] == [(12300, 13050)]
    forum = "标题: 关于S233线封闭施工的通告! [打印本页]\n因道路改造，2025年4月1日至4月30日S233线K10+000至K12+000段全封闭施工，请绕行。\n某县交通运输局\n2025年3月28日\n"
    assert _one(forum).title == "关于S233线封闭施工的通告"


def test_only_the_road_at_a_junction_word_is_the_landmark() -> None:
    page = "封闭施工通告\n2025年6月1日至6月30日，S301线G999平交路口至青石村段全幅封闭施工。\n某县交通运输局\n2025年5月25日\n"
    assert [r.code for r in _one(page).routes] == ["S301"]


def test_a_numbered_access_road_is_a_road_and_a_subdistrict_is_not() -> None:
    page = "封闭施工通告\n2025年7月1日至7月5日，沿江公路、青年东路、三号便道封闭施工，城北街道辖区车辆请绕行。\n某县公安局\n2025年6月28日\n"
    assert [r.name for r in _one(page).routes] == ["沿江公路", "青年东路", "三号便道"]


def test_a_planned_completion_date_ends_the_window() -> None:
    page = "封闭通告\nX100线大修工程计划于3月1日开工，6月30日完工通车，施工期间X100线K1+000至K2+000段全封闭。\n某县交通运输局\n2025年2月20日\n"
    window = _one(page).window
    assert window is not None and (window.start, window.end) == (
        date(2025, 3, 1),
        date(2025, 6, 30),
    )


def test_the_news_dates_around_a_closure_are_not_its_window() -> None:
    since = (
        "某某公路自2024年6月1日开通以来运行良好。\n受降雪影响，决定自10月10日20时起，对G217线实施冬季封闭，禁止车辆通行。\n"
        "某某管理局\n2024年10月2日\n"
    )
    window = _one(since, published_on=date(2024, 10, 3)).window
    assert window is not None and window.start == date(2024, 10, 10)
    dateline = (
        "11月29日，记者从某县交警大队了解到，104国道部分道路将进一步封道施工，工程持续到2020年11月30日。"
        "12月3日起封闭104国道张堡北路至园区大道路口。\n"
    )
    window = _one(dateline, published_on=date(2018, 11, 30)).window
    assert window is not None and (window.start, window.end) == (
        date(2018, 12, 3),
        date(2020, 11, 30),
    )


def test_a_closed_junction_roundabout_or_levee_road_is_read() -> None:
    junction = "关于东湖大道东延线与Y026乡道平交口施工期间实行交通管制的通告\n2025年7月1日至7月25日，对东湖大道东延线与Y026乡道平交口实行交通管制，禁止车辆通行。\n某县公安局\n2025年6月28日\n"
    assert [r.name for r in _one(junction).routes] == ["东湖大道东延线"]
    roundabout = "通告\n决定自2025年8月17日至2025年9月22日，对青宫环岛南侧采取部分封闭的交通管制措施。\n某市公安局交通警察支队\n2025年8月10日\n"
    assert [r.name for r in _one(roundabout).routes] == ["青宫环岛"]
    levee = "通告\n汛期上游河道水位上涨，2025年7月1日至7月30日，42坝之间的连坝路和控导连接线禁止一切车辆通行。\n某县黄河河务局\n2025年6月30日\n"
    assert [r.name for r in _one(levee).routes] == ["连坝路", "控导连接线"]


def test_a_stretch_in_brackets_ends_at_a_road() -> None:
    page = "通告\n自2025年6月1日起至6月30日，每天8:00-18:00，人民路（中山路至文化路段）封闭施工。\n某县公安局\n2025年5月30日\n"
    [segment] = _one(page).segments
    assert (segment.route, segment.from_place, segment.to_place) == ("人民路", "中山路", "文化路")


def test_a_bridge_named_apart_from_the_closing_words_is_the_route() -> None:
    page = (
        "通告\n根据上级文件精神，2025年11月8日8:30-11:30组织对我县青江南大桥进行桥梁检测，"
        "检测期间将全面封闭进行桥梁检测试验。\n某县交通运输局\n2025年11月1日\n"
    )
    assert [r.name for r in _one(page).routes] == ["青江南大桥"]


def test_the_project_in_the_reason_and_the_way_through_are_not_closed() -> None:
    reason = (
        "通告\n因青州市浪河至何店一级公路施工，2020年10月13日至2021年5月30日，对麻竹高速公路大随段实行交通管制。\n"
        "某高速公路管理处\n2020年10月10日\n"
    )
    assert [r.name for r in _one(reason).routes] == ["麻竹高速公路"]
    through = (
        "关于青洲大桥封闭施工的通告\n2025年5月1日至5月31日，青洲大桥全封闭施工。\n"
        "长乐往福州方向车辆通过316国道吴钢大楼旁A匝道上行。\n某市交通运输局\n2025年4月25日\n"
    )
    assert [r.name for r in _one(through).routes] == ["青洲大桥"]


@pytest.mark.parametrize(
    ("closing", "kind"),
    [
        ("决定对东兴南路实施交通限制，禁止大型货车、大客车、公交车等重载车辆通行", "control"),
        ("对东兴南路（东泰路至东兴中路）进行围蔽施工", "full"),
        ("在沈吉高速公路吉林方向170Km处进行主线断流", "full"),
    ],
)
def test_words_for_closing_from_other_regions(closing: str, kind: str) -> None:
    page = f"通告\n自2025年3月1日起至3月20日，{closing}。\n某市公安局交通警察支队\n2025年2月25日\n"
    assert _one(page).closure == kind


def test_a_city_or_zone_before_a_street_is_not_its_name() -> None:
    page = "通告\n2025年3月1日至3月20日，广州东兴南路、高新区长江路封闭施工。\n某市公安局交通警察支队\n2025年2月25日\n"
    assert [r.name for r in _one(page).routes] == ["东兴南路", "长江路"]


def test_an_article_about_declarations_declares_nothing() -> None:
    article = (
        "河源日报遗失声明\n在日常生活中，个人或企业可能因各种原因丢失重要物品或文件。\n"
        "一、当居民身份证、银行卡等重要凭证丢失时，应及时登报。\n"
        "二、个人证件类：身份证、护照丢失后应先报警。\n"
        "三、有价凭证类：支票遗失的，需声明作废。\n"
    )
    found = [r for r in parse_page(article) if isinstance(r, LossDeclaration)]
    assert len(found) <= 1


def test_a_dangerous_bridge_named_in_the_reason_with_its_town() -> None:
    page = (
        "经专业机构检测，我县青石潭镇老林村大桥属五类桥（危桥），为确保车辆和行人安全，"
        "决定自即日起关闭交通，禁止一切机动车车辆通行。\n某县交通运输局\n2025年3月2日\n"
    )
    assert [r.name for r in _one(page).routes] == ["老林村大桥"]


@pytest.mark.parametrize(
    ("stretch", "metres"),
    [
        ("国道319线2122公里200米至2141公里700米", (2122200, 2141700)),
        ("G350线K1197+541(八美镇)至G350线K1305+913(孔色乡)", (1197541, 1305913)),
        ("G109线庄浪河大桥(河口K1725km+244米处)", (1725244, None)),
    ],
)
def test_stakes_printed_in_kilometres_and_metres_or_with_the_road_again(
    stretch: str, metres: tuple[int, int | None]
) -> None:
    page = f"通告\n2025年3月1日至3月20日，{stretch}全封闭施工。\n某县交通运输局\n2025年2月25日\n"
    [segment] = _one(page).segments
    assert (segment.from_ and segment.from_.m, segment.to and segment.to.m) == metres


def test_a_village_road_code_of_two_letters() -> None:
    page = "关于对XC65天星乡至长桂乡实行交通管制的通告\n决定自2023年8月30日至2024年8月29日对XC65天星乡至长桂乡路段每日定时禁止车辆通行。\n某县交通局\n2023年8月24日\n"
    assert [r.code for r in _one(page).routes] == ["XC65"]


def test_a_works_notice_that_closes_a_toll_entrance_without_dates() -> None:
    page = "施工通告\n因G0612高速南绕城项目封闭施工，临时封闭高寨匝道收费站平安至西宁方向入口。现通告如下：\n封闭路段：高寨匝道收费站入口\n某高速公路管理处\n"
    record = _one(page)
    assert record.closure == "partial" and "no closure window found" in record.warnings


def test_the_region_is_the_issuers_not_the_paper() -> None:
    page = (DEMO / "2025-06-26-road.txt").read_text(encoding="utf-8")
    record = _one(page, region="辽宁省本溪市", region_code="210500")
    assert (record.region, record.region_code) == ("山东省烟台市招远市", "370685")
    assert locate([["朝阳区交通委员会"]], None) == ("北京市朝阳区", "110105")
    assert locate([["朝阳市公安局"]], None) == ("辽宁省朝阳市", "211300")
    assert locate([["和平路施工"]], None) is None  # a street, not 和平区
    anywhere = parse_page("封路通告\n因施工，2025年5月1日至5月3日封闭幸福路。\n特此通告\n",
                          region="辽宁省本溪市", region_code="210500")  # fmt: skip
    assert anywhere[0].region == "辽宁省本溪市"  # nothing named: the source's


def test_the_demo_source_reads_right() -> None:
    record = _one((DEMO / "2025-06-26-road.txt").read_text(encoding="utf-8"))
    assert record.title == "省道S316柳桑线部分路段路面修复养护工程封闭施工通告"
    [segment] = record.segments
    assert (segment.from_place, segment.to_place) == (
        "S316柳桑线与S208平交口",
        "S316柳桑线与S305交叉口",
    )
    other = _one((DEMO / "2025-08-01-road.txt").read_text(encoding="utf-8"))
    assert other.detour is not None and not other.detour.text.startswith("三、")
    assert other.region == "辽宁省本溪市桓仁满族自治县"


LOSS_FORMS = [
    # (page, [(holder, holder_type, documents, identifier values)])
    (
        "遗失声明\n1.青山市红星商贸有限公司遗失公章一枚，声明作废。\n2.李明遗失残疾人证，证号：37010219800101123X，声明作废。\n",
        [
            ("青山市红星商贸有限公司", "organization", ("公章",), []),
            ("李明", "person", ("残疾人证",), ["37010219800101123X"]),
        ],
    ),
    (
        "【遗失】青山市红星商贸有限公司遗失公章一枚，声明作废。\n【遗失】王芳遗失出生医学证明，编号：Q370012345，声明作废。\n",
        [
            ("青山市红星商贸有限公司", "organization", ("公章",), []),
            ("王芳", "person", ("出生医学证明",), ["Q370012345"]),
        ],
    ),
    (
        "遗失声明\n本人张三于2025年3月在青山市遗失身份证，声明作废。\n",
        [("张三", "person", ("身份证",), [])],
    ),
    (
        "遗失声明\n青山市红星商贸有限公司遗失营业执照副本，声明作废.李四遗失驾驶证，声明作废。\n",
        [
            ("青山市红星商贸有限公司", "organization", ("营业执照副本",), []),
            ("李四", "person", ("驾驶证",), []),
        ],
    ),
    (
        "遗失声明\n张大山、李小红遗失其子张小明的出生医学证明，编号：P370012347，声明作废。\n",
        [("张小明", "person", ("出生医学证明",), ["P370012347"])],
    ),
    (
        "遗失声明\n本公司（青山市红星商贸有限公司）遗失公章一枚，声明作废。\n",
        [("青山市红星商贸有限公司", "organization", ("公章",), [])],
    ),
    (
        "遗失声明\n王五遗失律师执业证，证号：青山律师中心字第2019001号，声明作废。\n",
        [("王五", "person", ("律师执业证",), ["青山律师中心字第2019001号"])],
    ),
    (
        "遗失声明\n赵六遗失导游证，证件编号：D-3701-001234，即日起失效。\n",
        [("赵六", "person", ("导游证",), ["D-3701-001234"])],
    ),
    (
        "■遗失声明\n青山市红星商贸有限公司遗失公章一枚，声明作废。\n◆遗失声明◆\n李明遗失残疾人证，声明作废。\n",
        [
            ("青山市红星商贸有限公司", "organization", ("公章",), []),
            ("李明", "person", ("残疾人证",), []),
        ],
    ),
]


@pytest.mark.parametrize(("page", "expected"), LOSS_FORMS)
def test_loss_declarations_in_the_forms_columns_print_them(
    page: str, expected: list[tuple]
) -> None:
    found = [
        r for r in parse_page(page, published_on=date(2025, 5, 1)) if isinstance(r, LossDeclaration)
    ]
    assert [
        (r.holder, r.holder_type, r.documents, [i.value for i in r.identifiers]) for r in found
    ] == expected
    assert all(r.declared_void for r in found)


def test_a_declaration_quoted_in_news_is_read_in_either_script() -> None:
    news = (
        "近日有网友发现，某演员在《某某晚报》登报声明：\n"
        "“本人李某某，某某大学2016级本科毕业生，不慎遗失某某大学本科毕业证书和学位证书，现声明作废。”\n"
        "此事随即登上热搜。\n"
    )
    traditional = (
        "近日有網友發現，某演員在《某某晚報》登報聲明：\n"
        "“本人李某某，某某大學2016級本科畢業生，不慎遺失某某大學本科畢業證書和學位證書，現聲明作廢。”\n"
        "此事隨即登上熱搜。\n"
    )
    for page in (news, traditional):
        [record] = [r for r in parse_page(page) if isinstance(r, LossDeclaration)]
        assert record.holder == "李某某" and record.declared_void
        assert len(record.documents) == 2


def test_bullets_and_circled_numbers_are_not_part_of_a_road_name() -> None:
    page = """关于甲山路等道路封闭施工的通告
因管网施工需要，2025年6月1日至2025年6月5日对以下道路实施全封闭：
●甲山路（乙河路至丙湖路段）
①丁岭街、②戊桥胡同
特此通告。
某市公安局交通警察支队
2025年5月28日
"""
    names = [r.name for r in _one(page).routes]
    assert names == ["甲山路", "丁岭街", "戊桥胡同"]


def test_a_tunnel_within_a_county_on_a_national_road_closes_that_road() -> None:
    page = """关于甲岭隧道实行交通管制的通告
国道999线乙县境内甲岭隧道(K16+710~K17+089)经检测存在安全隐患。自2025年6月10日0时起对甲岭隧道实行交通管制，禁止所有车辆通行。
特此通告。
乙县交通运输局
2025年6月5日
"""
    record = _one(page)
    assert [(r.code, r.name) for r in record.routes] == [("G999", None)]
    assert record.segments[0].from_ is not None and record.segments[0].from_.m == 16710


def test_a_bridge_at_an_end_of_the_stretch_or_an_interchange_on_the_road_is_a_place() -> None:
    page = """关于G999甲河大桥至乙镇段半幅封闭施工的通告
为改善G999甲河大桥至乙镇段路面状况，决定自2025年5月9日起至2025年6月30日止对G999线K10+000至K12+000段实行半幅封闭施工。
施工期间丙收费站互通立交往丁方向匝道禁止一切车辆通行。
特此通告。
某市公路事业发展中心
2025年5月6日
"""
    record = _one(page)
    assert [(r.code, r.name) for r in record.routes] == [("G999", None)]
    assert [s.route for s in record.segments] == ["G999"]


def test_a_bridge_listed_with_a_street_is_closed_beside_it() -> None:
    page = """关于戊河桥及己山路封闭施工的通告
自2025年6月1日起至2025年12月31日止，对戊河桥和己山路（庚街至辛路段）实行全封闭施工，禁止一切车辆通行。
特此通告
某市公安局交通警察支队
2025年5月26日
"""
    assert [r.name for r in _one(page).routes] == ["戊河桥", "己山路"]


def test_a_name_printed_right_before_its_code_is_one_road() -> None:
    page = """甲乙公路丙县段实施交通管制
记者获悉，甲乙公路丙县段因铺设沥青路面，自2025年11月15日起至2025年12月15日进行封闭作业，具体管制路段为甲乙公路999国道4008KM—4022KM。
"""
    record = _one(page, published_on=date(2025, 11, 13))
    assert [(r.code, r.name) for r in record.routes] == [("G999", "甲乙公路")]
    assert [(s.from_.m if s.from_ else None) for s in record.segments] == [4008000]


def test_roads_listed_in_brackets_after_a_word_for_roads_are_named_not_ends() -> None:
    page = """关于甲县境内部分道路实行交通管制的通告
2025年3月24日至3月29日，总质量20吨以上的货运车辆，禁止在G999、甲县境内省道(S888乙丙路、S777丁戊线)通行。
特此通告。
甲县公安局交通警察大队
2025年3月20日
"""
    record = _one(page)
    assert [(r.code, r.name) for r in record.routes] == [
        ("G999", None),
        ("S888", "乙丙路"),
        ("S777", "丁戊线"),
    ]
    assert record.closure == "control"


def test_a_notice_of_many_items_stays_one_notice() -> None:
    roads = [f"{a}{b}线" for a in "甲乙丙丁戊己" for b in "山河"]
    items = "\n".join(f"{n}.{road}(X{100 + n}){road[:2]}桥;" for n, road in enumerate(roads, 1))
    page = f"""关于县道桥梁维修工程实行交通管制的通告
为确保县道桥梁维修工程顺利进行，决定对部分县道桥梁实行交通管制。
一、管制时间
2025年8月16日0时起至2025年11月20日24时止。
二、管制路段
{items}
三、管制措施
1.甲山桥实行全封闭施工，禁止所有车辆通行。过往车辆可选择就近道路绕行。
2.其余桥梁实行半封闭施工。
3.施工单位应当设置交通标志。
特此通告。
某县公安局交通警察大队
2025年8月8日
"""
    record = _one(page)
    assert len(page.splitlines()) > 20
    assert record.window.start == date(2025, 8, 16) and record.issued_on == date(2025, 8, 8)
    # the items under 二、管制路段 name the closed roads, each with its code
    assert [(r.code, r.name) for r in record.routes] == [
        (f"X{100 + n}", road) for n, road in enumerate(roads, 1)
    ]


def test_one_carriageway_closed_fully_is_half() -> None:
    page = """关于G999甲乙高速公路桥梁维修施工交通管制的通告
因桥梁维修需要，2025年8月16日至9月10日，上、下行线超车道封闭施工，行车道正常通行，夜间23时至次日7时下行线全封闭施工。
管制路段：G999甲乙高速公路K1855+210至K1860+000段。
特此通告。
某省公安厅交通警察总队
2025年8月10日
"""
    assert _one(page).closure == "half"


def test_a_stake_in_km_and_m_after_a_code_and_its_class_is_a_stake() -> None:
    page = """关于S999省道举办自行车赛期间实行交通管制的通告
一、管制路段：甲乙线丙家桥路段(S999省道67KM+958M)至丁湾路段(S999省道86KM+707M)。
二、管制时间：2023年4月20日8时至2023年4月21日18时，禁止一切车辆通行。
特此通告。
某县公安局交通管理大队
2023年4月15日
"""
    stakes = [
        (s.route, s.from_.m if s.from_ else None, s.to.m if s.to else None)
        for s in _one(page).segments
    ]
    assert stakes == [("S999", 67958, 86707)]  # two bracketed ends: one stretch


def test_a_year_less_window_takes_the_year_the_notice_prints_when_nothing_else_dates_it() -> None:
    page = """甲县高考期间实施交通管制
2023年全国普通高校招生考试将于6月7日、8日举行，6月7日至8日，上午7时至18时，甲山大道(乙路口至丙路口)路段禁止任何车辆通行。
"""
    record = _one(page)
    assert (record.window.start, record.window.end) == (date(2023, 6, 7), date(2023, 6, 8))
    assert any("taken from the notice's text" in w for w in record.warnings)


def test_grid_streets_and_freedom_road_are_names() -> None:
    page = """关于甲苑经七路、十二经路及自由路封闭施工的通告
2025年6月1日至2025年6月30日，甲苑经七路、十二经路、自由路实行全封闭施工，车辆经人民路绕行。
特此通告。
某市公安局交通警察支队
2025年5月26日
"""
    assert [r.name for r in _one(page).routes] == ["甲苑经七路", "十二经路", "自由路"]


def test_generic_words_for_roads_are_not_closed_roads() -> None:
    page = """关于田独路施工期间交通管制的通告
2019年5月5日至2019年6月30日，对进出高速公路、田独路实行部分封闭施工。
特此通告。
某市公安局交通警察支队
2019年5月1日
"""
    assert [r.name for r in _one(page).routes] == ["田独路"]


@pytest.mark.parametrize(
    ("ban", "closure"),
    [
        ("交通管制时间段内禁止通行", "full"),
        ("对上述路段进行交通管制，严禁各类机动车和非机动车通行", "full"),
        ("交通管制期间，管制道路内禁止车辆(包括机动车、非机动车)通行和停放", "full"),
        ("对上述路段实行交通管制，禁止大型货车通行", "control"),
    ],
)
def test_a_ban_on_every_vehicle_under_traffic_control_is_full(ban: str, closure: str) -> None:
    page = f"""关于甲山路灯会期间实行交通管制的通告
2026年2月15日18时至22时，甲山路(乙街至丙街){ban}。
特此通告。
某县公安局交通警察大队
2026年2月10日
"""
    assert _one(page).closure == closure


def test_a_road_named_after_construction_keeps_its_name() -> None:
    page = """关于甲城街施工期间交通限制的通告
一、交通限制路段：甲城街的乙北路至建设南一路。
二、交通限制时间：2025年9月28日至2025年10月30日，将分期封闭甲城街双向车辆及行人交通。
特此通告。
某市公安局交通警察局
2025年9月20日
"""
    assert [r.name for r in _one(page).routes] == ["甲城街"]
    page = page.replace("甲城街的乙北路至建设南一路", "建设大街(丙路至丁路)").replace(
        "甲城街双向", "建设大街双向"
    )
    assert [r.name for r in _one(page).routes] == ["建设大街"]


def test_choosing_a_way_is_not_a_road() -> None:
    page = """4月3日凌晨0时—5时甲区路将封闭施工 交巡警提醒驾驶员择道而行
本网讯 今日，交巡警发布交通提醒，2019年4月3日凌晨0时至5时，甲区路将封闭施工，请驾驶员择道而行。
"""
    assert [r.name for r in _one(page).routes] == ["甲区路"]


@pytest.mark.parametrize(
    ("printed", "start", "end"),
    [
        ("2022年7月9日起至8月底", date(2022, 7, 9), date(2022, 8, 31)),
        ("2024年2月1日至2024年2月底", date(2024, 2, 1), date(2024, 2, 29)),
        ("2022年7月上旬至9月下旬", date(2022, 7, 10), date(2022, 9, 30)),
        ("2022年5月中旬至6月末", date(2022, 5, 20), date(2022, 6, 30)),
    ],
)
def test_a_part_of_a_month_stands_for_its_day(printed: str, start: date, end: date) -> None:
    page = f"""关于甲山路施工的通告
{printed}，甲山路实行全封闭施工。
特此通告。
某县交通运输局
2022年7月1日
"""
    window = _one(page).window
    assert (window.start, window.end) == (start, end)


def test_news_of_works_told_by_parts_of_months_is_not_a_notice() -> None:
    page = """国道999线甲区乙头至丙宅段路面大修工程于6月底开始对该路段进行改造施工。目前，沥青路面铺筑已全部完成，预计9月中旬可全面开放道路交通。施工路段设置了限速、慢行等标志牌，请过往司机注意。（记者某某）
"""
    assert parse_page(page) == []


def test_ring_roads_and_express_lines_are_names() -> None:
    page = """关于西外环、西部快线部分路段围蔽施工的通告
2018年10月1日起至2018年12月31日，对西外环、西部快线部分路段进行围蔽施工，北三环东延隧道正常通行。
特此通告。
某市公安局交通管理局
2018年9月25日
"""
    assert [r.name for r in _one(page).routes] == ["西外环", "西部快线"]


def test_streets_named_after_rivers_end_in_shui_lu_and_shui_dao() -> None:
    page = """关于元宵灯会期间实行交通管制的通告
2026年3月3日18时至22时，甲岭路、清水路路段、乙水道禁止一切车辆通行，请加强水路交通管理，疏通水道。
特此通告。
某县公安局交通警察大队
2026年2月25日
"""
    assert [r.name for r in _one(page).routes] == ["甲岭路", "清水路", "乙水道"]


def test_a_street_may_begin_with_xia() -> None:
    page = """关于部分道路中修工程施工期间交通管制的通告
对以下道路实施半幅封闭施工：
1.北岭路(甲界-乙羊)中修工程，自2021年10月1日起，至2021年12月31日止；
2.下海路(丙界-丁羊)中修工程，自2021年10月1日起，至2021年12月31日止。
请按以下道路绕行。
某市公路事业发展中心
2021年9月25日
"""
    assert [r.name for r in _one(page).routes] == ["北岭路", "下海路"]


def test_a_bare_closing_clause_closes_the_stretch_named_before_it() -> None:
    page = """近期高速公路施工路段信息
1.2024年7月26日至2024年9月25日，甲乙高速丙东收费站至丙西收费站，全封闭。
2.2024年8月26日至2024年10月31日，丁戊高速K198+000至K203+000，半幅封闭施工，车辆经己庚高速绕行。
"""
    first, second = _closures(page, published_on=date(2024, 7, 20))  # a roundup: two windows
    assert [r.name for r in first.routes] == ["甲乙高速"] and first.closure == "full"
    assert [r.name for r in second.routes] == ["丁戊高速"]


def test_water_main_works_that_close_a_street_are_a_closure_not_an_outage() -> None:
    page = """关于城区供水管道施工的公告
因供水管道施工需要，从4月18日至5月10日对甲兴西大街(乙江路—丙村水厂)南侧机动车道封闭施工，禁止社会车辆驶入，请绕行。
特此公告。
某市住房和城乡建设局
2025年4月15日
"""
    record = _one(page)
    assert [r.name for r in record.routes] == ["甲兴西大街"]
    assert record.window.start == date(2025, 4, 18)
    assert (
        parse_page("关于城区停水的通知\n因供水管网检修，4月18日8时至18时甲兴西大街沿线停水。\n")
        == []
    )


ROUNDUP = """近期这些道路施工请绕行
1.2025年6月25日至2025年9月30日，对丙安路（丁街至戊街）路段进行道路交通全封闭。
2.2025年7月10日至2025年9月10日，对己塔巷（庚路至辛路）路段进行道路交通半封闭。
请过往车辆提前绕行。
"""


def test_a_roundup_of_closures_each_in_its_own_window_gives_one_record_each() -> None:
    first, second = _closures(ROUNDUP)
    assert [r.name for r in first.routes] == ["丙安路"] and first.closure == "full"
    assert [r.name for r in second.routes] == ["己塔巷"] and second.closure == "half"
    assert second.window is not None and second.window.start == date(2025, 7, 10)
    assert "请过往车辆提前绕行" in second.text  # what follows an item stays with it


ONE_WINDOW_TWO_ROADS = """1.2025年6月25日至2025年9月30日，对丙安路（丁街至戊街）路段进行道路交通全封闭。
2.2025年6月25日至2025年9月30日，对己塔巷（庚路至辛路）路段进行道路交通半封闭。
"""


def test_items_in_one_window_stay_one_notice() -> None:
    record = _one(ONE_WINDOW_TWO_ROADS)
    assert [r.name for r in record.routes] == ["丙安路", "己塔巷"]


TIME_ITEM = """陵甲路（中山东路至海乙河）路段西侧进行半封闭施工，机动车、非机动车交替通行。
施工时间：
自2025年5月2日起
至2025年6月15日止
"""


def test_a_headless_closure_dated_by_a_time_item_of_its_own_is_a_notice() -> None:
    record = _one(TIME_ITEM)
    assert [r.name for r in record.routes] == ["陵甲路"] and record.closure == "half"
    assert record.window is not None
    assert (record.window.start, record.window.end) == (date(2025, 5, 2), date(2025, 6, 15))


NEWS_DATED_IN_A_SENTENCE = """陵甲路（中山东路至海乙河）路段西侧进行半封闭施工，机动车、非机动车交替通行。
记者了解到，这条路去年2024年5月2日曾举办过一场马拉松比赛，当天吸引了上万名市民前来观看和参与。
"""


def test_a_date_told_inside_news_does_not_make_it_a_notice() -> None:
    assert _closures(NEWS_DATED_IN_A_SENTENCE) == []


def test_one_road_reported_closed_without_a_date_or_a_notice_s_words_gives_nothing() -> None:
    # measured: undated closures told alone gave no right record on the held-out real
    # notices and two records on real pages without notices, so they are not taken
    page = "路况信息\nG999线K330至K370段因道路塌方封闭交通，请过往车辆绕行。\n"
    assert _closures(page) == []


def test_a_subdistrict_or_a_verb_before_a_road_is_not_its_name() -> None:
    page = (
        "因管网施工，2025年5月2日至2025年6月15日，对甲牛街道电力路进行全封闭施工，"
        "请打开乙安路绕行。"
    )
    assert [r.name for r in _one(page).routes] == ["电力路"]
    assert _one(page).detour is not None and "乙安路" in _one(page).detour.routes  # type: ignore[union-attr]


def test_an_item_number_glued_to_a_year_leaves_the_year_to_the_date() -> None:
    page = "2.2020年3月25日至2020年11月30日，对甲乙高速公路K12+000至K15+000路段西半幅封闭施工。"
    window = _one(page, published_on=date(2022, 5, 7)).window
    assert window is not None
    assert (window.start, window.end) == (date(2020, 3, 25), date(2020, 11, 30))


def test_the_west_carriageway_closed_fully_is_half() -> None:
    page = """封路通告
经研究决定对甲铜公路（乙河出口至丙冯出口段）西幅进行全封闭施工，现将有关事项通告如下：
一、封闭路段：甲铜公路（乙河出口至丙冯出口段）西幅。
二、封闭时间：2025年11月29日至2026年1月27日。
某市公路局
2025年11月25日
"""
    assert _one(page).closure == "half"


def test_a_ban_naming_no_road_is_on_the_part_the_notice_closes() -> None:
    page = """关于甲上隧道封闭施工的通告
因甲上隧道存在通行隐患，需封闭抢险施工。施工期间，路段禁止车辆通行。
一、施工时间：2025年3月1日至2025年3月20日。
二、管制路段：甲上隧道（乙理至丙水坪方向）内单幅封闭施工。
某市交通运输局
2025年2月25日
"""
    assert _one(page).closure == "half"
    named = page.replace("施工期间，路段禁止车辆通行", "施工期间，丁村路禁止车辆通行")
    assert _one(named).closure == "full"  # a ban on a road of its own closes that road


def test_lifting_a_closure_in_stages_does_not_make_it_partial() -> None:
    page = """关于半程马拉松赛期间实施交通管制的通告
一、管制时间：2025年4月20日7时至12时。
二、管制路段：甲中心至乙水大桥。
三、管制措施：管制期间，上述路段禁止机动车通行。公安机关交通管理部门将根据赛事进程分段适时解除管制。
某市公安局交通警察支队
2025年4月10日
"""
    assert _one(page).closure == "full"


def test_a_ban_on_one_direction_of_travel_is_half() -> None:
    page = """关于甲区乙馆北路施工期间部分路段禁止机动车由西向东行驶的通告
因热力管线施工，自2025年11月20日至2025年12月20日，乙馆北路（丙子店路至丁阳公园路）禁止机动车由西向东行驶，车辆可绕行戊路。
特此通告。
某市公安局交通管理局
2025年11月15日
"""
    record = _one(page)
    assert [r.name for r in record.routes] == ["乙馆北路"] and record.closure == "half"


def test_roads_a_notice_says_stay_open_are_not_closed() -> None:
    page = """关于南环段改造施工的通告
2025年4月1日，G999甲乙公路南环段改造工程开工建设，工期至2025年9月30日。施工期间，采取半幅通车半幅施工的方式，首先封闭施工北半幅，南半幅可正常通车。其中丙魏线、丁元路、戊城路路口均不封闭。
某县交通运输局
2025年3月25日
"""
    assert [r.code for r in _one(page).routes] == ["G999"]


def test_a_road_marked_not_included_bounds_the_area() -> None:
    page = """关于城区禁止大型货车通行的通告
自2025年6月1日起，下列区域禁止大型货车通行：
一、甲津路（含）以西。
二、乙阳路北口、丙仓路北口（不含）以南。
某县公安局交通管理大队
2025年5月25日
"""
    assert [r.name for r in _one(page).routes] == ["甲津路"]


STAGES = """甲塔路改造工程分段封闭施工安排
一、2025年8月14日对甲塔路（乙浦西路至丙桥新街段）实施全封闭施工。
二、2025年8月15日对甲塔路与丙桥新街交叉口实施半幅封闭施工。
三、2025年8月16日对甲塔路（丙桥新街至丁新路段）实施全封闭施工。
请过往车辆绕行。
"""


def test_a_notice_in_stages_one_day_each_is_one_record_from_the_first_day_to_the_last() -> None:
    record = _one(STAGES)
    assert record.window is not None
    assert (record.window.start, record.window.end) == (date(2025, 8, 14), date(2025, 8, 16))


def test_an_end_told_by_its_label_closes_the_window() -> None:
    page = """关于甲河路排水管网施工的通告
因排水管网施工，对甲河路（乙街至丙街）进行全封闭施工。
开始时间：2025年11月11日
结束时间：2026年02月08日
某区住房和城乡建设局
2025年11月5日
"""
    window = _one(page).window
    assert window is not None and window.end == date(2026, 2, 8)


def test_the_day_works_begin_is_a_start_not_a_day_of_works() -> None:
    page = """关于甲兰高速公路维修施工的通告
甲兰高速公路维修工程2025年5月4日开工建设，K12+000至K18+500段进行半幅封闭施工，请减速慢行。
另，丙海高速公路K3+000至K9+000段2025年5月10日开工，进行半幅封闭施工。
某交通发展集团
2025年5月1日
"""
    window = _one(page).window
    assert window is not None and window.start == date(2025, 5, 4) and window.end is None


def test_a_road_named_with_and_without_its_county_is_one_road() -> None:
    page = """西平县乙苑大道铁路涵洞禁止通行
西平县交通局3月18日发布公告，西平县乙苑大道施工期间，禁止一切车辆在乙苑大道铁路涵洞段通行。
为确保施工安全，决定对乙苑大道铁路涵洞段实行封闭施工，施工期间为2025年3月20日至2025年5月31日。
"""
    assert [r.name for r in _one(page).routes] == ["乙苑大道"]


def test_a_name_read_with_the_prose_before_it_gives_way_to_the_road_named_alone() -> None:
    page = """关于甲音井大桥断道施工的通告
因甲音井大桥维修，2025年6月1日至2025年6月30日，对盘乙甲音井大桥实施断道施工，甲音井大桥禁止一切车辆通行。
某县交通运输局
2025年5月25日
"""
    assert [r.name for r in _one(page).routes] == ["甲音井大桥"]


def test_a_road_and_another_whose_name_ends_in_it_are_two() -> None:
    page = """关于甲河路施工的通告
2025年6月1日至2025年6月30日，对东甲河路、甲河路实施全封闭施工。
某区住房和城乡建设局
2025年5月25日
"""
    assert sorted(r.name or "" for r in _one(page).routes) == ["东甲河路", "甲河路"]


def test_one_direction_closed_is_half() -> None:
    page = """关于甲东路隧道夜间施工的通告
因隧道维修，2025年3月1日至2025年3月31日，每日23时至次日6时，对甲东路隧道西往东方向实施临时交通管制，禁止车辆通行。
某市公安局交通警察支队
2025年2月25日
"""
    assert _one(page).closure == "half"


def test_the_motor_carriageway_closed_whole_is_full_but_two_of_its_lanes_are_partial() -> None:
    page = """关于甲湖路改造施工的通告
因道路改造提升工程建设需要，2025年5月1日至2025年8月31日，甲湖路（乙街至丙街）机动车道全幅断交施工，施工期间禁止车辆通行。
某市住房和城乡建设局
2025年4月25日
"""
    assert _one(page).closure == "full"
    lanes = page.replace("机动车道全幅断交施工", "东侧两条机动车道占道施工")
    assert _one(lanes).closure == "partial"


def test_a_template_of_a_notice_gives_nothing() -> None:
    page = """封路通告范文
根据甲环线高速公路应急抢修工程的需要，经主管部门同意，定于xx年10月28日起，对甲环线高速公路乙台收费站至丙岭收费站区间道路进行封闭。预计xx年11月14日恢复通车，请过往车辆绕行。
"""
    assert _closures(page) == []


def test_a_waterway_closed_for_a_boat_race_is_not_a_road_closure() -> None:
    page = """关于龙舟赛期间水上交通管制的通告
2025年龙舟赛于6月6日在甲江乙河段举行，为确保活动顺利举行，决定对比赛水域进行交通管制，现将有关事项通告如下：
一、管制时间：2025年6月6日8时至17时。
二、管制水域：甲江一桥上游100米至甲江二桥下游100米河段水域。
三、管制期间，除参赛船舶外，禁止其他船舶进入管制水域。
某县海事处
2025年6月1日
"""
    assert _closures(page) == []
    bridge = """关于甲江一桥封闭施工的通告
因桥梁维修，2025年6月6日至2025年6月20日，甲江一桥全封闭施工，禁止车辆通行，桥下通航不受影响。
某县交通运输局
2025年6月1日
"""
    assert [r.name for r in _one(bridge).routes] == ["甲江一桥"]


def test_an_explainer_of_closure_notices_gives_nothing() -> None:
    page = """如何关注封路公告
1、养成定期查询的习惯：市民应定期查询封路公告，以便及时了解道路封闭信息，例如2025年5月1日起甲路封闭施工的通告。
2、关注官方渠道：关注政府部门网站，获取准确的封路信息。
"""
    assert _closures(page) == []


ROAD_REPORT_ROUNDUP = """本省数段高速公路交通管制，过往车辆请提前绕行
甲遵高速乙长站因站点施工对超宽车辆限行，请选择其他站点。
丙城高速，丁井互通至戊麦站K63处因道路施工，现场借道通行，请注意谨慎驾驶。
己织高速的庚场至辛翁路段7点至12点封闭施工，请规划好您的出行时间。
"""


def test_a_report_of_road_conditions_gives_a_record_per_road() -> None:
    records = _closures(ROAD_REPORT_ROUNDUP)
    assert [[r.name for r in x.routes] for x in records] == [["甲遵高速"], ["丙城高速"], ["己织高速"]]
    assert records[2].closure == "full"
    assert all("no closure window found" in x.warnings for x in records)


STAKED_ENDS = """关于某大桥主线封闭施工的通告
因桥梁维修需要，定于2025年8月11日0时对甲桥匝道旁主线(YK24+800)至乙桥落地段(YK21+300)实施全封闭施工，工期30天。
某市交通运输局
2025年8月1日
"""


def test_two_ends_each_staked_in_brackets_are_one_stretch() -> None:
    assert _stake_range(_one(STAKED_ENDS)) == (24800, 21300)


def test_a_dash_printed_as_yi_between_stakes_joins_them() -> None:
    page = STAKED_ENDS.replace("甲桥匝道旁主线(YK24+800)至乙桥落地段(YK21+300)", "某线(K3345一K3377)")
    assert _stake_range(_one(page)) == (3345000, 3377000)


STRUCTURE_INSIDE = """关于S999线某大桥维修封闭施工的通告
因S999线甲河大桥(K1034+855)维修需要，决定于2025年6月1日至2025年6月30日对S999线K1034+417至K1035+293段实施全幅封闭。
某县交通运输局
2025年5月20日
"""


def test_a_stake_inside_the_closed_stretch_is_not_a_stretch_of_its_own() -> None:
    assert _stake_range(_one(STRUCTURE_INSIDE)) == (1034417, 1035293)


DISTRICT_STREET = """关于某街道路封闭施工的通告
因管网改造需要，决定于2025年3月1日至2025年3月20日对甲乙區丙丁路实施全封闭施工。
某市公安局交通警察支队
2025年2月25日
"""


def test_a_district_the_table_does_not_hold_is_not_part_of_the_street_name() -> None:
    assert [r.name for r in _one(DISTRICT_STREET).routes] == ["丙丁路"]


def test_a_street_named_after_a_district_keeps_its_whole_name() -> None:
    page = DISTRICT_STREET.replace("甲乙區丙丁路", "红旗大街")  # 红旗区 is a division; 大街 no name
    assert [r.name for r in _one(page).routes] == ["红旗大街"]


def test_a_ban_on_motor_and_non_motor_vehicles_and_walkers_closes_the_street() -> None:
    page = """关于甲区乙丙街施工期间采取临时交通管理措施的通告
为保证某大厦改造项目施工期间的道路交通安全，决定2025年8月21日至2025年9月19日，乙丙街(乙丙街与丁街相交路口至乙丙街与戊胡同相交路口)禁止机动车、非机动车及行人通行，过往车辆及行人可绕行丁街。
特此通告。
某市公安局公安交通管理局
2025年8月3日
"""
    record = _one(page)
    assert [r.name for r in record.routes] == ["乙丙街"]
    assert record.closure == "full"


def test_a_junction_closed_on_its_own_gives_its_first_road() -> None:
    page = """关于甲大街与乙盛路交口局部封闭施工过往车辆绕行的通知
暂定于2025年4月10日 07:30至2025年4月30日20:00对甲大街与乙盛路交口进行局部封闭施工。
某县住房和城乡建设局
2025年4月1日
"""
    record = _one(page)
    assert [r.name for r in record.routes] == ["甲大街"]
    assert record.closure == "partial"  # 局部封闭 is no issuer (局) but a part closed


LISTED_STREETS = """节日特别交通安排

封路

下列道路将于2025年10月31日下午二时至11月1日上午五时封闭：

介乎甲咸街与乙灵街的丙立街；

丁坊；

介乎甲咸街与丙立街的乙灵街；及

戊兰街。

所有违例停泊的车辆将会被拖走。
"""


def test_a_closing_line_over_a_list_of_streets_is_a_notice_of_them() -> None:
    record = _one(LISTED_STREETS)
    assert [r.name for r in record.routes] == ["丙立街", "乙灵街", "戊兰街"]
    assert record.closure == "full"
    assert record.window is not None and record.window.start == date(2025, 10, 31)


def test_the_parking_places_suspended_over_a_list_are_no_road_closure() -> None:
    page = LISTED_STREETS.replace("封闭：", "路旁停车位暂停使用：").replace("封路\n\n", "")
    assert _closures(page) == []


def test_a_minguo_year_dates_a_taiwan_notice() -> None:
    page = """甲市政府公告
本府谨订於114年7月23日至114年7月26日办理甲乙路道路刨铺，施工期间甲乙路(丙路口至丁路口)封闭半幅，请用路人改道行驶。
"""
    window = _one(page).window
    assert window is not None
    assert (window.start, window.end) == (date(2025, 7, 23), date(2025, 7, 26))


def test_a_taiwan_provincial_highway_and_its_stakes_are_read() -> None:
    page = """公路局公告
台99丁线172K+400~173K+050(甲乙路段)因边坡整治，自114年8月1日至114年8月5日每日9时至16时封闭，请用路人改道行驶。
"""
    record = _one(page)
    assert [r.name for r in record.routes] == ["台99丁线"]
    assert _stake_range(record) == (172400, 173050)


def test_a_taiwan_freeway_is_a_name_not_a_national_road_code() -> None:
    page = """公告
国道9号北上28.5公里至30公里内侧车道，自114年8月1日至114年8月5日每日22时至次日5时封闭施工。
"""
    assert [(r.code, r.name) for r in _one(page).routes] == [(None, "国道9号")]


def test_a_numbered_section_or_lane_of_a_road_is_part_of_its_name() -> None:
    page = """关于甲兴大路二段、乙和路41巷封闭施工的通告
因管网施工需要，定于2025年6月1日至2025年6月20日对甲兴大路二段、乙和路41巷实施全封闭施工。
某市公安局交通警察支队
2025年5月25日
"""
    assert [r.name for r in _one(page).routes] == ["甲兴大路二段", "乙和路41巷"]


def test_one_lane_left_for_both_directions_is_half() -> None:
    page = """公路局公告
台99线0k~3k(甲浓~乙发)路段预计办理沥青铺设施工，拟自114年11月1日起至11月3日止，每日上午8时至下午6时，届时工区将采取单线双向机动管制，请用路人配合。
"""
    assert _one(page).closure == "half"


def test_the_roads_a_closed_road_runs_between_are_not_closed() -> None:
    page = """关于甲飞路封闭施工的通告
因排水改造需要，决定于2025年6月1日至2025年7月30日对甲飞路东至乙岭路西至丙河路段实施全封闭施工。
某区住房和城乡建设局
2025年5月25日
"""
    assert [r.name for r in _one(page).routes] == ["甲飞路"]


def test_a_subdistrict_named_like_a_street_is_not_the_closed_road() -> None:
    page = """关于对甲集街道乙江南路部分道路实施交通管制的通告
因施工需要，定于2025年6月1日至2025年12月31日对甲集街道乙江南路实施半幅封闭。
某县公安局交通管理大队
2025年5月25日
"""
    assert [r.name for r in _one(page).routes] == ["乙江南路"]


def test_a_road_named_with_and_without_its_city_gives_one_stretch() -> None:
    page = """因举办快闪活动，决定对新抚区棋甲路实施临时交通管制，现将有关事项通告如下：
一、管制时间
2025年7月2日8时至12时。
二、管制路段
棋甲路抚顺市人大常委会门口至乙江大道路段。
三、相关要求
(一)交通管制期间，管制路段内禁止车辆停放和通行；
特此通告。
抚顺市公安局交通警察支队
"""
    segments = [(s.route, s.from_place, s.to_place) for s in _one(page).segments]
    assert segments == [("棋甲路", "抚顺市人大常委会门口", "乙江大道")]


def test_two_streets_printed_together_are_a_road_and_where_its_stretch_starts() -> None:
    page = """近日甲镇南侧山体出现坍塌，急需对山体坡面进行维修加固，在施工过程中需封闭甲心大街乙山街至丙区门前段，封闭时间2025年8月2日-8月6日，封闭期间请过往车辆绕行丁华大街至戊密南线。
"""
    assert [r.name for r in _one(page).routes] == ["甲心大街"]


def test_a_subdistrict_glued_to_a_street_is_not_split_as_two_streets() -> None:
    from notices.grammars import island_line

    names = [t for k, t, _ in island_line("road", "对甲集街道乙力路实施封闭") if k == "ROUTE_NAME"]
    assert names == ["乙力路"]


def test_vehicles_and_walkers_barred_from_entering_is_a_ban() -> None:
    page = """关于甲线站爆破施工实施临时交通管制的通告
因甲线站进行爆破施工，2025年6月1日至6月30日每日12时至12时10分，乙丙路(丁路口至戊路口)将实施临时交通管制，禁止车辆、行人进入爆破施工区域。
某市公安局交通警察支队
2025年5月25日
"""
    assert _one(page).closure == "full"


def test_a_heading_of_closing_words_over_a_list_takes_the_window_told_above_it() -> None:
    page = """配合疏通排水管道工作，2025年2月9日至28日期间，每日凌晨1时30分至清晨5时30分，多处道路将分阶段实施封闭交通，详情见下表。

封闭交通

甲贩巷；

乙丙街与丁戊街之间的一段己庚街(往丁戊街方向)。
"""
    record = _one(page)
    assert record.window is not None and record.window.start == date(2025, 2, 9)
    assert "己庚街" in [r.name for r in record.routes]


def test_a_ramp_that_only_places_a_stretch_closed_whole_leaves_it_full() -> None:
    page = STAKED_ENDS  # 甲桥匝道旁主线(YK24+800)至乙桥落地段(YK21+300)实施全封闭施工
    assert _one(page).closure == "full"


def test_a_lane_closed_whole_is_still_a_part() -> None:
    page = STAKED_ENDS.replace("甲桥匝道旁主线(YK24+800)至乙桥落地段(YK21+300)实施全封闭施工", "甲桥(YK24+800)至乙桥(YK21+300)应急车道全封闭施工")
    assert _one(page).closure == "partial"


def test_a_headless_notice_keeps_its_place_and_time_items_printed_before_the_closing_one() -> None:
    page = """您现在的位置是:首页 > 生活服务
因G999甲州乙寨北互通至丙林丁头互通改扩建施工，经相关施工单位申请，依据有关规定，现将有关事项通告如下：
一、实施地点
G999甲南高速公路乙寨北互通至丁头互通段1220km-1131km+788m，甲州往丙林方向。
二、实施时间和方式
(一)实施时间
2025年11月6日至2025年12月26日。
(二)实施方式
1.在G999甲南高速公路甲州乙寨北互通至丙林丁头互通段(甲州往丙林方向)实施全封闭施工。
某省公安厅交通管理局
2025年11月1日
"""
    window = _one(page).window
    assert window is not None
    assert (window.start, window.end) == (date(2025, 11, 6), date(2025, 12, 26))


def test_a_roundup_of_works_from_the_same_day_gives_one_record_each() -> None:
    page = """据某市公安交通管理局消息，近期多处道路施工。
8月2日至8月17日，甲青路雨水管网改造工程期间，甲青路(乙街至丙街)实行半幅封闭。
8月2日至8月30日，某区雨污分流改造工程期间，丁坡街(戊门街至己大街)实行全封闭。
8月2日至10月18日，某区雨污分流改造工程期间，庚三路(辛路至壬路)实行全封闭。
"""
    records = _closures(page, published_on=date(2025, 8, 1))
    assert [r.routes[0].name for r in records] == ["甲青路", "丁坡街", "庚三路"]
    assert [r.window.end for r in records if r.window] == [
        date(2025, 8, 17),
        date(2025, 8, 30),
        date(2025, 10, 18),
    ]


def test_a_roundup_item_dated_by_its_start_and_length_is_one_of_its_own() -> None:
    page = """9月7日，记者从某市交警支队获悉，根据雨污水分流工程施工计划，有两处道路施工。
甲区乙站西路丙凉路至丁政路，将于2025年9月8日0时开始建设施工，施工期90天。施工期间将围挡封闭道路中间两条车道。
甲区戊滨河中路己门立交桥北口至庚医院北门，将于2025年9月9日0时开始建设施工，施工期30天。施工期间将围挡封闭道路中间两条车道。
"""
    records = _closures(page, published_on=date(2025, 9, 8))
    assert [r.window.start for r in records if r.window] == [date(2025, 9, 8), date(2025, 9, 9)]


def test_today_onwards_starts_the_closure_on_the_day_of_issue() -> None:
    page = """据某区交管部门消息，今日起，某区甲泊路乙农桥重建施工，禁止车辆通行，过往车辆须提前绕行。
"""
    window = _one(page, published_on=date(2025, 3, 1)).window
    assert window is not None and window.start == date(2025, 3, 1)


def test_one_direction_let_through_at_a_time_or_one_side_closed_is_half() -> None:
    for words in ("对施工路段均采取单向放行", "施工路段半侧封闭"):
        page = f"""关于甲乙线养护施工交通管制的通告
2025年6月1日至2025年6月30日，甲乙线K12+300至K15+800段养护施工，{words}。
某县公路管理段
2025年5月25日
"""
        assert _one(page).closure == "half", words


def test_a_road_named_by_its_ends_in_a_heading_starts_after_guanyu() -> None:
    page = """關於甲林岔口至乙態園段道路擴建工程交通管制的公告
一、本工程施工工期自2025年6月20日起至2026年3月20日止，施工期間路幅變窄，將對甲林岔口至乙態園段道路實行半幅通行。
某縣交通運輸局
2025年6月10日
"""
    names = [r.name or "" for r in _one(page).routes]
    assert names and not any(n.startswith(("關", "关")) for n in names)


def test_the_roads_of_a_chain_of_turns_are_not_closed() -> None:
    page = """受台风影响，G999甲昌线鹦乙岭路段实行临时交通管制，临时交通管制从2025年6月12日16时00分起，解除时间另行通知。
丁沙村(G999甲昌线K147+600)→戊叉互通→己白高速→庚州枢纽互通转辛洋高速(万宁方向)→壬门互通转癸三高速(丙中方向)→丙中互通(出)。
"""
    assert [(r.code, r.name) for r in _one(page).routes] == [("G999", "甲昌线")]


def test_prose_and_drawings_are_no_roads() -> None:
    from notices.grammars import island_line

    for line in ("甲桥路将为高铁让路", "甲明南路架空线路入地配套电缆沟工程", "图中紫色线段封闭"):
        names = [t for k, t, _ in island_line("road", line) if k == "ROUTE_NAME"]
        assert not any(n.endswith(("让路", "空线", "色线")) for n in names), names


def test_kilometres_from_the_origin_are_stakes_but_a_length_is_not() -> None:
    page = """关于甲尔滨绕城高速公路内环快车道养护施工的通告
施工时间：2025年5月10日至2025年6月30日。
施工范围：甲尔滨绕城高速公路内环 0 公里至 91 公里，快车道滚动封闭施工。
某省公安厅高速公路交通警察总队
2025年5月1日
"""
    assert _stake_range(_one(page)) == (0, 91000)
    lengths = _one(page.replace("内环 0 公里至 91 公里", "内环全长5公里至6公里")).segments
    assert all(s.from_ is None for s in lengths)


def test_a_closure_for_demolition_works_or_a_fireworks_show_is_a_road_closure() -> None:
    for reason in ("因甲港路拆迁工程需要", "因举行迎新春燃放烟花表演活动"):
        page = f"""{reason}，甲港路(乙电路至丙虹路)将实施全封闭占道施工，现将有关事项通告如下：
一、交通管制时间
2025年1月21日18时至23时。
二、交通管制路段
甲港路(乙电路至丙虹路)
"""
        assert [r.name for r in _one(page).routes] == ["甲港路"], reason


def test_a_junction_on_a_numbered_national_road_gives_the_road_by_its_code() -> None:
    page = """关于甲乙城际铁路施工封闭交通的通告
因甲乙城际铁路施工建设需要，将于2025年3月1日至2025年8月31日在国道999线与丙益路交叉口实施交通封闭施工。
某市公安局交通警察支队
2025年2月20日
"""
    assert [(r.code, r.name) for r in _one(page).routes] == [("G999", None)]


def test_the_whole_length_of_a_coded_expressway_is_the_expressway() -> None:
    from notices.grammars import island_line

    names = [t for k, t, _ in island_line("road", "G99甲台高速全线、S88乙蚌高速全线实行特级管制")]
    assert "甲台高速" in names and "乙蚌高速" in names


def test_a_road_is_named_without_the_words_of_where_it_lies_or_its_state() -> None:
    from notices.grammars import island_line

    for line, name in (
        ("甲港路临近乙灵大道路段封闭施工", "乙灵大道"),
        ("禁止停泊丙閣上街", "丙閣上街"),
        ("双向车辆借丁溪江大桥通行", "丁溪江大桥"),
        ("对现状戊港路进行改造", "戊港路"),
    ):
        names = [t for k, t, _ in island_line("road", line) if k in {"ROUTE_NAME", "PLACE"}]
        assert name in names, (line, names)


def test_a_day_named_alone_for_an_event_held_on_it_ends_that_day() -> None:
    page = """甲山市甲源路将于2025年4月23日进行路面改善工程，当日甲源路（乙昌街至丙民路）封闭施工，敬请行经车辆提前改道。
某市工务局
"""
    window = _one(page).window
    assert window is not None and window.start == window.end == date(2025, 4, 23)
    opened = _one(page.replace("2025年4月23日进行", "2025年4月23日起进行")).window
    assert opened is not None and opened.end is None


def test_closing_words_and_prose_verbs_are_no_part_of_a_name() -> None:
    from notices.grammars import island_line

    for line, word in (
        ("因甲安工程断道施工", "断道"),
        ("将采取隧道单洞双向通行", "采取"),
        ("调整乙塘大桥通行方式", "调整"),
        ("普通干线公路丙检隧道封闭", "干线"),
    ):
        names = [t for k, t, _ in island_line("road", line) if k in {"ROUTE_NAME", "PLACE"}]
        assert not any(word in n for n in names), (line, names)


def test_a_provinces_expressways_are_no_one_road() -> None:
    from notices.roles import generic

    assert generic("湖北高速公路") and generic("内蒙古高速") and generic("高速路")
    assert not generic("京台高速") and not generic("甲乙高速公路")


def test_a_road_after_please_go_round_is_the_detour() -> None:
    page = """关于甲什轴至乙布赛公路封闭施工的通告
因道路改造，2025年5月6日零时至10月31日，X930线甲什轴至乙布赛段全封闭施工。从X938线经甲什轴去往乙布赛方向的车辆请绕Y916或其他线路。
某旗交通运输局
2025年5月1日
"""
    record = _one(page)
    assert "Y916" not in [r.code for r in record.routes]
    assert record.detour is not None and "Y916" in record.detour.routes


def test_limited_traffic_on_a_stretch_near_a_landmark_is_a_partial_closure() -> None:
    page = """因进行水管铺设工程，於本年7月14日至18日，甲忌士街近乙会保障基金丙德堂区办事处的一段将实施有限度通车。
敬请驾驶者遵守路上所设置之临时交通标志、服从交通警员之指挥。
交通事务局
2025年7月8日
"""
    record = _one(page)
    assert [r.name for r in record.routes] == ["甲忌士街"]
    assert record.closure == "partial"


def test_a_street_near_the_closed_one_is_a_landmark() -> None:
    page = """因进行维修下水道工程，2026年3月9日至20日，甲畔街近乙兴街的路段将实施有限度通车。
交通事务局
2026年3月5日
"""
    assert [r.name for r in _one(page).routes] == ["甲畔街"]


def test_a_macau_road_may_end_in_ma_lu() -> None:
    from notices.grammars import island_line

    names = [t for k, t, _ in island_line("road", "甲澳高顶马路将实施有限度通车") if k == "ROUTE_NAME"]
    assert names == ["甲澳高顶马路"]
    assert not [t for k, t, _ in island_line("road", "行人横穿马路") if k == "ROUTE_NAME"]


def test_a_list_of_roads_closed_is_dated_by_the_paragraph_over_its_lead() -> None:
    page = """  警方将于十一月七日(星期六)实施特别交通措施，配合在港岛举行的一项公众游行活动。

  下列道路将于下午二时三十分开始实施间歇性封闭：

- 甲士打道;
- 乙和街西行线;
- 丙钟道。

  警方会视乎该区当时的人潮情况作出安排。

2025年11月5日(星期四)香港时间17时35分
"""
    record = _one(page, published_on=date(2025, 11, 5))
    assert [r.name for r in record.routes] == ["甲士打道", "乙和街", "丙钟道"]


def test_a_headless_notice_keeps_its_item_of_places_and_stakes() -> None:
    page = """甲中市(甲溪镇加油站~乙山镇宝马场)工程拟于近期开工建设。施工期间将对该路段实施封闭断道管理，公告如下：
一、封闭施工范围
县道甲溪镇加油站~乙山镇宝马场，全长7.4公里。
二、封闭施工时间2025年6月18日至2025年7月31日。
甲中市交通运输局
2025年6月17日
"""
    window = _one(page).window
    assert window is not None and window.start == date(2025, 6, 18)


def test_barring_everyone_or_every_social_vehicle_is_a_full_closure() -> None:
    for ban in ("禁止一切行人和车辆进出", "禁止一切社会车辆(除防疫车辆外)进入该路段"):
        page = f"""关于甲龙江公路实行交通管制的通告
因降雪，自2025年1月20日起对甲龙江公路进行交通管制，{ban}。
某县公安局交警大队
2025年1月20日
"""
        assert _one(page).closure == "full", ban


def test_one_half_closed_stretch_by_stretch_is_half() -> None:
    page = """关于国道999甲岭村至乙鱼咀段封闭施工的通告
2025年4月1日至2025年6月30日，对国道999甲岭村至乙鱼咀段实施封闭施工。施工期间采用分段半幅封闭半幅通车措施。
某县公路事业发展中心
2025年3月25日
"""
    assert _one(page).closure == "half"


def test_an_end_labelled_zhongzhi_shijian_ends_the_window() -> None:
    page = """关于G999线甲国段设置限高架的通告
限高时间：从2023年4月6日10时起，终止时间：预计2023年6月30日24时止。G999线K12+300至K12+800段全封闭施工。
某县公路事业发展中心
2023年4月1日
"""
    window = _one(page).window
    assert window is not None and window.end == date(2023, 6, 30)


def test_a_regions_expressways_are_no_road_of_the_notice() -> None:
    page = """甲省交通综合执法局：2月10日8:30，受雾霾天气影响，我省甲州、宿迁地区高速公路部分路段实行特级(道路封闭)交通管制措施。
特级管制路段：G99京甲高速全线、S88乙靖高速全线。
"""
    routes = [(r.code, r.name) for r in _one(page, published_on=date(2022, 2, 10)).routes]
    assert routes == [("G99", "京甲高速"), ("S88", "乙靖高速")]


def test_a_province_heading_an_expressways_name_is_left_out() -> None:
    from notices.regions import leading

    assert leading("海南环岛高速") == 2 and leading("湖北荆宜高速公路") == 2
    assert leading("海南大道") == 0  # a street's own name


def test_a_day_without_its_month_is_of_the_month_of_issue_when_nothing_else_dates_it() -> None:
    page = """甲南省公路局今(21)日宣布，台99甲线18公里处翠峰至41.5公里处大禹岭，下午5时至明(22)日上午8时预警封闭，车辆只出不进。
"""
    record = _one(page, published_on=date(2026, 1, 21))
    assert record.window is not None and record.window.start == date(2026, 1, 21)
    assert any("month of" in w for w in record.warnings)


def test_a_date_printed_whole_wins_over_a_day_without_its_month() -> None:
    page = """关于甲昌线封闭施工的通告
受台风影响，我市自10日起有强降雨天气。G999甲昌线K12+300至K15+800段封闭交通，封闭时间为2023年8月10日18时至8月12日18时。
某市公路管理局
2023年8月10日
"""
    window = _one(page, published_on=date(2023, 8, 10)).window
    assert window is not None and (window.start, window.end) == (date(2023, 8, 10), date(2023, 8, 12))


def test_a_reopening_to_come_is_the_closures_end_not_news_of_it() -> None:
    page = """因甲安高速公路改扩建工程需要，自2018年6月1日起，甲安高速乙江收费站进行封闭施工，禁止车辆通行。封闭期计划4个月，预计2018年10月1日恢复通行。
"""
    record = _one(page)
    assert record.window is not None and record.window.start == date(2018, 6, 1)


def test_news_that_names_no_road_stretch_or_day_gives_no_record() -> None:
    from notices.roles import generic

    assert generic("条高速公路")
    page = """记者从交通运输部路网中心获悉，受大雾影响，甲乙两地共封闭路段22个（涉及18条高速），单独关闭收费站393个（涉及48条高速公路，主线可通行）。
此外，受降雪及路面结冰影响，丙地封闭2个路段（涉及1条普通国道），恢复通行时间待定。
"""
    assert _closures(page) == []


def test_control_not_lifted_yet_or_a_reopening_foreseen_is_no_news_of_reopening() -> None:
    for words in ("至今未解除交通管制", "预计2016年6月2日恢复通行"):
        page = f"""2025年10月15日至2026年6月1日止，G999线K722—K819段(甲希隧道至乙音布鲁克)冬季封闭交通，{words}。
"""
        assert len(_closures(page)) == 1, words


def test_news_of_a_new_bridge_opened_a_road_cleared_or_control_lifted_is_not_a_notice() -> None:
    for news in (
        "好消息！甲州大桥已顺利完成建设，于1月24日中午试行通车。行经甲州大桥的车辆请控制车速，大桥限速40km，大桥全程禁止停车。\n",
        "受强降雨影响，1月24日G999线K12+300处发生塌方，交通中断。经连夜抢修，已抢通，车辆可正常通行，但K12+300至K12+500段仍实行限速管制。\n",
        "12月19日19时起G99线实行甲吐方向短暂管制。直到20日9时许，G99线全线畅通，交通管制解除。\n",
    ):
        assert _closures(news) == [], news


def test_two_bare_kilometre_stakes_joined_by_a_dash_are_one_stretch() -> None:
    for stretch, metres in (("114K~184K甲乙路段", (114000, 184000)), ("45K-46K区间处", (45000, 46000))):
        page = f"""关于某线封闭的通告
2024年5月1日起，甲线{stretch}封闭施工。
特此通告。
"""
        assert _stake_range(_one(page)) == metres, stretch


def test_industry_and_workers_in_a_street_name_and_the_old_name_of_a_city_are_no_prose() -> None:
    for street in ("甲塘工业二路", "工农北路", "并州西街"):
        page = f"""关于{street}封闭施工的通告
2020年5月1日至2020年6月1日，因管网施工需要，对{street}实施全封闭施工。
特此通告。
"""
        assert [r.name for r in _one(page).routes] == [street], street


def test_a_new_district_or_a_county_become_a_district_heads_no_street_name() -> None:
    for district, street in (("甲山区", "乙兴路"), ("茌平区", "乙夏路")):
        page = f"""关于{street}封闭施工的通告
2020年5月1日至2020年6月1日，封闭{district}{street}（甲酒店门口-丙路口）。
特此通告。
"""
        assert [r.name for r in _one(page).routes] == [street], district


ONE_WAY = """更新时间：2022-10-11 19:27:10作者：佚名为缓解甲坛路及周边道路交通拥堵，根据《中华人民共和国道路交通安全法》相关规定，决定对甲坛路、乙大街实行单向通行交通组织。现将有关事项通告如下：
一、实施时间
2022年3月1日起，每日8:00--20:00。
二、单向交通组织措施
甲坛路（丙力大道路口—丁善街路口）实行由东向西单向通行；
乙大街（戊城路路口—甲坛路路口）实行由北向南单向通行。
特此公告
某市公安局交通警察大队
2022年2月14日
"""


def test_a_headless_notice_of_one_way_traffic_is_read() -> None:
    record = _one(ONE_WAY)
    assert [r.name for r in record.routes] == ["甲坛路", "乙大街"]
    assert record.window is not None and record.window.start == date(2022, 3, 1)


def test_a_street_named_with_its_junction_is_a_place() -> None:
    page = """关于甲坛路封闭施工的通告
2022年3月1日起，甲坛路（丙力大道路口—丁善街路口）实施全封闭施工。
特此通告。
"""
    [segment] = _one(page).segments
    assert (segment.from_place, segment.to_place) == ("丙力大道路口", "丁善街路口")


def test_a_headless_notice_of_bare_item_heads_keeps_its_reason_and_items() -> None:
    page = """您当前的位置：首页>某地资讯
2025-04-18 14:11:48编辑：某某
因铺设燃气管道工程需要，将对甲州路与乙政街交叉口以北道路分段施工，为确保施工期间道路交通安全，现将有关事项公告如下：
一、封闭路段
甲州路与乙政街交叉口以北50米处
二、封闭时间
2025年4月26日至5月2日
施工期间，通过此路段的车辆、行人请绕行未封闭保通道路。
特此公告。
某市公安局交通警察支队某大队
2025年4月18日
"""
    record = _one(page)
    assert [r.name for r in record.routes] == ["甲州路"]
    assert record.window is not None
    assert (record.window.start, record.window.end) == (date(2025, 4, 26), date(2025, 5, 2))
    assert record.text.startswith("因铺设")


def test_news_of_a_reopening_that_goes_on_to_a_control_still_in_force_is_read() -> None:
    page = """9月25日，记者从某市公安局交警支队获悉，国道999线甲城区多营至乙县飞仙关路段经整治，将从2015年10月1日解除交通管制，恢复双向通行。但国道999线从甲城经丙县至丁山隧道段因灾后重建工程需要，仍然实行单进双出交通管制，其余时段封闭施工，禁止通行。
"""
    assert len(_closures(page)) == 1


def test_a_numbered_street_of_a_quarter_and_a_road_named_by_a_city_port_keep_their_heads() -> None:
    for prose, route in (("对经十东路", "经十东路"), ("G999德州港至乙林公路丙界至丁河大桥段", "德州港至乙林公路")):
        page = f"""关于某路封闭施工的通告
2020年5月1日至2020年6月1日，{prose}实施半幅封闭施工。
特此通告。
"""
        names = [r.name for r in _one(page).routes]
        assert names == [route], prose


def test_a_name_read_from_the_last_character_of_a_town_or_county_leaves_that_character() -> None:
    for prose, route in (("甲海县乙溪镇丙松线与丁村交界处", "丙松线"), ("对甲阳县乙义河堤顶路", "乙义河堤顶路")):
        page = f"""关于某路封闭施工的通告
2020年5月1日至2020年6月1日，{prose}实施全封闭施工。
特此通告。
"""
        assert [r.name for r in _one(page).routes] == [route], prose


def test_a_street_near_the_closed_one_after_its_direction_is_a_landmark() -> None:
    page = """甲連山道(南行)近乙寧頓街的部分行車線將會於2025年3月5日至2025年3月9日每晚11時至翌日早上6時臨時封閉。
"""
    assert [r.name for r in _one(page).routes] == ["甲連山道"]


def test_the_way_back_and_a_jam_eased_are_no_roads() -> None:
    from notices.roles import generic

    assert generic("按原路")
    page = """关于甲一路铁路桥下穿非机动车道封闭施工的通告
为缓解甲一路交通压力，自2024年3月1日至2024年5月31日，对甲一路铁路桥下穿非机动车道实施封闭施工。
特此通告。
"""
    assert [r.name for r in _one(page).routes] == ["甲一路"]


def test_a_main_carriageway_and_a_crowd_gathering_are_no_road_names() -> None:
    for prose, route in (("甲江中路机动车主道", "甲江中路"), ("大量人员聚集停留乙子洲大桥", "乙子洲大桥")):
        page = f"""关于某路封闭的通告
2024年3月1日至2024年5月31日，{prose}实施全封闭。
特此通告。
"""
        assert [r.name for r in _one(page).routes] == [route], prose


def test_a_bridge_listed_after_a_road_is_closed_beside_it_not_on_it() -> None:
    page = """关于某路封闭的通告
2024年2月9日20时至23时，对甲民大道、甲虹大桥实行全封闭。
特此通告。
"""
    assert [r.name for r in _one(page).routes] == ["甲民大道", "甲虹大桥"]


def test_the_reopening_foreseen_after_the_detour_is_the_end() -> None:
    page = """即日起，G999线甲州区乙江镇丙河大桥(K2722+180-600段)进行全幅封闭施工，车辆需绕行，预计恢复时间2021年12月31日18时。
"""
    record = _one(page, published_on=date(2021, 5, 21))
    assert record.window is not None
    assert (record.window.end, record.window.end_time) == (date(2021, 12, 31), "18:00")


def test_a_road_closed_from_one_place_to_a_junction_is_no_landmark() -> None:
    page = """关于某路封闭的通告
2024年5月1日8时至18时实行交通管制：
1.甲江大道从上坝电站至东延线路口3KM全封闭，限制车辆通行。
2.乙新南路全封闭。
特此通告。
"""
    assert [r.name for r in _one(page).routes] == ["甲江大道", "乙新南路"]


def test_a_start_without_its_year_before_an_end_with_it_takes_the_year_that_puts_it_first() -> None:
    page = """关于甲乙路封闭施工的通告
12月7日起至2021年6月30日，甲乙路实施全封闭施工。
特此通告。
"""
    record = _one(page)
    assert record.window is not None
    assert (record.window.start, record.window.end) == (date(2020, 12, 7), date(2021, 6, 30))


def test_closed_management_of_road_stretches_is_a_closure() -> None:
    page = """某县关于部分道路临时封闭的通告
受强降雨影响，自2023年7月30日12时起，对以下路段实施临时封闭管理，解除时间另行通知。
1、甲桃驿-乙明
2、省道999丙水泉-丁树庄段
某县交通运输局
"""
    record = _one(page)
    assert record.window is not None and record.window.start == date(2023, 7, 30)


def test_a_road_said_to_stay_open_is_not_closed() -> None:
    page = """关于封路施工的公告
因甲河路东侧管道维修，决定对施工区域道路采取临时封闭措施。
一、封闭时间：2024年3月23日至4月1日
二、封闭方式：甲河路与乙山路口东侧进行全天全封闭施工。
三、通行方式：甲河路与乙山路口东西方向禁止通行，乙山路南北方向可正常通行。
特此公告。
"""
    assert [r.name for r in _one(page).routes] == ["甲河路"]


def test_an_undated_headless_notice_in_its_own_words_is_read_without_a_window() -> None:
    page = """为保障甲天广场周边交通安全畅通，现将有关事项通告如下：
甲天广场东侧的乙天东路实行由北向南单向通行，禁止机动车由南向北行驶。
特此通告。
"""
    record = _one(page)
    assert record.window is None
    assert "no closure window found" in record.warnings


def test_a_stretch_from_one_junction_to_another_on_the_same_road_closes_that_road() -> None:
    page = """关于某赛事交通管制的通告
2024年4月6日7时30分至8时55分，甲区乙营乡卫生服务中心前甲赤路与乙刘路交叉口至甲赤路与丙峪路交叉口全路段（不含路口），禁止车辆通行。
特此通告。
"""
    assert [r.name for r in _one(page).routes] == ["甲赤路"]


def test_the_year_of_a_headline_above_a_notice_that_prints_none_dates_it() -> None:
    page = """2023年“某某欢歌”活动将于1月27日在甲区举行。
关于部分道路临时交通管制的通告
为确保活动期间道路交通安全，决定于1月27日8时至12时对甲乙路实施临时交通管制，禁止车辆通行。
特此通告。
"""
    record = _one(page)
    assert record.window is not None and record.window.start == date(2023, 1, 27)
    assert any("taken from the notice's text (2023)" in w for w in record.warnings)


def test_a_hong_kong_heading_of_traffic_arrangements_opens_a_notice() -> None:
    page = """甲島特別交通安排
警方將實施特別交通安排，配合2018年1月7日於甲島舉行的一項遊行活動。
下列道路將於下午三時起封閉，直至人群散去及交通回復正常為止：
乙禮街南行線；及
丙器廠街北行線。
"""
    record = _one(page)
    assert record.title == "甲島特別交通安排"
    assert record.window is not None and record.window.start == date(2018, 1, 7)
