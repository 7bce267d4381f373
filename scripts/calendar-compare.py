#!/usr/bin/env python3
"""Compare gongkai's working-day calendar (rules/calendar/cn.yaml) with an independent public
holiday dataset: the PyPI package `holidays` (python-holidays, China), which tracks the State
Council's yearly notices.

    python3 -m pip install 'holidays==0.109' pyyaml    # or a newer release
    python3 scripts/calendar-compare.py

For every year in the table it checks every day of that year: a working day in one and a day off
in the other is a difference (exit 1). It also says when the dataset knows the 调休 (weekend working
days) of a later year that the table lacks: that year's notice has been published, and the table
should get its block (exit 1 as well, so a scheduled CI job notices). Exit 0: they agree.
"""
import datetime
import pathlib
import sys

import holidays
import yaml

TABLE = pathlib.Path(__file__).resolve().parent.parent / "rules" / "calendar" / "cn.yaml"


def day(value):
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def ours(table):
    """year -> (days off, weekend working days) of the table."""
    years = {}
    for year, spec in table.items():
        off, work = set(), {day(d) for d in spec.get("workdays", [])}
        for block in spec.get("holidays", []):
            d, end = day(block["from"]), day(block["to"])
            while d <= end:
                off.add(d)
                d += datetime.timedelta(days=1)
        years[int(year)] = (off, work)
    return years


def working(d, off, work):
    if d in work:
        return True
    if d in off:
        return False
    return d.weekday() < 5


def main():
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    years = ours(table)
    # blocks may start in the year before the notice's year (a 元旦 block): merge all years
    off = set().union(*(o for o, _ in years.values()))
    work = set().union(*(w for _, w in years.values()))
    differences = 0
    for year in sorted(years):
        cn = holidays.China(years=[year - 1, year, year + 1])
        d = datetime.date(year, 1, 1)
        while d.year == year:
            a, b = working(d, off, work), cn.is_working_day(d)
            if a != b:
                differences += 1
                print(f"{d} ({'一二三四五六日'[d.weekday()]}): gongkai 认为{'上班' if a else '放假'}，holidays {holidays.__version__} 认为{'上班' if b else '放假'}")
            d += datetime.timedelta(days=1)
    last = max(years)
    today = datetime.date.today()
    missing = []
    for year in range(last + 1, today.year + 2):
        cn = holidays.China(years=year)
        shifted = sorted(d for d in getattr(cn, "weekend_workdays", set()) if d.year == year)
        if shifted:
            missing.append(year)
            print(f"{year}: holidays {holidays.__version__} 已有调休上班日 {', '.join(map(str, shifted))}，"
                  f"说明当年的放假通知已经发布，而 {TABLE.name} 还没有这一年：请按通知补上")
    checked = f"{min(years)}–{last}"
    if differences or missing:
        print(f"日历不一致：{differences} 天不同，{len(missing)} 个年份缺少（核对了 {checked} 年的每一天）")
        return 1
    print(f"日历一致：{checked} 年的每一天，gongkai 与 holidays {holidays.__version__} 的上班/放假相同；"
          f"{last + 1} 年的调休安排两者都还没有")
    return 0


if __name__ == "__main__":
    sys.exit(main())
