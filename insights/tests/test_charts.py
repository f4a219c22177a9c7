"""Chart options: what a phone-sized chart needs to stay readable."""

from insights import charts


def test_legends_sit_below_the_title_and_above_the_plot():
    option = charts.concerns_over_time(
        {"buckets": ["2026-01"], "channels": [{"label": "居民自助", "counts": [3]}]}
    )
    assert option["legend"]["top"] >= 30  # the title's line is 14 px text plus padding
    assert option["grid"]["top"] > option["legend"]["top"] + 20


def test_a_donut_leaves_out_empty_slices_whose_labels_would_overlap():
    rows = [
        {"label": "网格", "count": 2},
        {"label": "社区", "count": 9},
        {"label": "街道", "count": 0},
        {"label": "职能部门", "count": 0},
    ]
    option = charts.counts_pie("问题处置层级", rows)
    assert [d["name"] for d in option["series"][0]["data"]] == ["网格", "社区"]
