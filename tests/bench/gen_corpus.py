#!/usr/bin/env python3
"""tests/bench/gen_corpus.py: the benchmark corpus: N subsites x M articles of about 12 KB
of Chinese government-site HTML, one 100 KB non-compressible asset per site, the same
bytes twice: pages/<site>/ (what jiyuectl imports) and www/<site>/ (hard links, what nginx
serves) with a .gz next to every compressible file, made like jiyue's own variants (zlib
level 9, memLevel 9, gzip wrapper) so both servers send the same bytes.

Deterministic for a seed. The text is drawn from phrase lists with varying numbers,
names and dates, so gzip ratios land near those of real pages (about 3-4x), not at the
100x a repeated paragraph would give."""
import argparse
import os
import random
import zlib

# Kept like jiyue's gzip_worth_keeping(): a variant must save 5% (at least 64 bytes).
def gzip_bytes(data):
    c = zlib.compressobj(9, zlib.DEFLATED, 31, 9)
    return c.compress(data) + c.flush()


def worth(orig, gz):
    return len(gz) < len(orig) and len(orig) - len(gz) >= max(64, len(orig) // 20)


DEPTS = ["发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局",
         "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局",
         "水务局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局",
         "市场监督管理局", "统计局", "医疗保障局", "林业和草原局", "乡村振兴局", "数据局"]
PLACES = ["安宁县", "河西镇", "水泉乡", "东城区", "西山区", "北郊街道", "南湖镇", "青松村", "白石乡",
          "龙泉县", "金沙镇", "云台街道", "梨园村", "石门乡", "清水镇", "凤凰社区"]
SUBJ = ["市政府", "市委", "县人民政府", "乡镇党委", "各级部门", "相关单位", "工作专班", "领导小组",
        "督查组", "专家组", "调研组", "代表团", "社区工作者", "志愿者队伍", "驻村工作队"]
VERB = ["召开", "部署", "推进", "落实", "研究", "审议", "通过", "印发", "开展", "启动", "完成",
        "检查", "调研", "督导", "总结", "发布", "组织", "协调", "加快", "深化", "优化", "强化"]
OBJ = ["专题会议", "常务会议", "安全生产工作", "营商环境建设", "乡村振兴战略", "高质量发展",
       "民生实事项目", "防汛抗旱准备", "森林防火工作", "义务教育均衡发展", "医疗卫生服务体系",
       "基础设施建设", "生态环境保护", "城乡人居环境整治", "政务服务改革", "数字政府建设",
       "重点项目建设", "招商引资工作", "就业创业服务", "社会保障体系", "食品药品安全监管",
       "农村饮水安全工程", "老旧小区改造", "交通路网规划", "文化旅游融合发展", "耕地保护工作"]
ADV = ["扎实", "全面", "深入", "有序", "稳步", "切实", "积极", "持续", "统筹", "精准", "大力"]
TAIL = ["取得明显成效", "确保各项任务按期完成", "进一步提升群众满意度", "为全市经济社会发展提供有力保障",
        "形成了一批可复制可推广的经验", "推动工作落地见效", "守住安全底线", "切实增强群众获得感",
        "压紧压实工作责任", "着力解决群众急难愁盼问题", "为下一步工作打下坚实基础"]
CONN = ["会议指出，", "会议强调，", "据了解，", "截至目前，", "下一步，", "与此同时，", "会上，",
        "近年来，", "为此，", "此外，", "调研中，", "会议要求，"]
NAMES = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"]
GIVEN = ["建国", "志强", "丽华", "海燕", "明", "伟", "静", "国庆", "晓东", "春梅", "红", "立新", "文博"]
COLS = [("news", "政务要闻"), ("notice", "通知公告"), ("policy", "政策文件"), ("plan", "规划计划"),
        ("about", "概况")]


def sentence(rng):
    n = rng.randrange(1, 4)
    parts = [rng.choice(CONN)]
    for i in range(n):
        parts.append("%s%s%s%s" % (rng.choice(SUBJ), rng.choice(ADV), rng.choice(VERB), rng.choice(OBJ)))
        r = rng.random()
        if r < 0.3:
            parts.append("，累计投入资金%d.%d亿元" % (rng.randrange(1, 90), rng.randrange(10)))
        elif r < 0.5:
            parts.append("，涉及%s等%d个乡镇（街道）" % (rng.choice(PLACES), rng.randrange(3, 40)))
        elif r < 0.65:
            parts.append("，同比增长%d.%d%%" % (rng.randrange(1, 30), rng.randrange(10)))
        elif r < 0.75:
            parts.append("，%s%s同志出席并讲话" % (rng.choice(NAMES), rng.choice(GIVEN)))
        parts.append("，" if i + 1 < n else "，")
    parts.append(rng.choice(TAIL) + "。")
    return "".join(parts)


def boilerplate(site, title):
    nav = "".join('<li><a href="/%s/%s/">%s</a></li>' % (site["id"], c, n) for c, n in COLS)
    head = ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="SiteName" content="%s">\n<meta name="SiteDomain" content="www.yunling.gov.cn">\n'
            '<meta name="SiteIDCode" content="%s">\n<title>%s_%s</title>\n'
            '<link rel="stylesheet" href="/%s/static/site.css">\n</head>\n<body>\n'
            '<header class="top"><div class="logo">%s</div><nav><ul>%s</ul></nav>'
            '<form class="search" action="/search"><input name="q" placeholder="请输入关键词">'
            '<button>搜索</button></form></header>\n'
            % (site["name"], site["code"], title, site["name"], site["id"], site["name"], nav))
    foot = ('<footer><p>主办单位：%s　承办单位：%s办公室</p><p>网站标识码：%s　%s　'
            '<a href="http://www.beian.gov.cn/">%s</a></p><p>联系电话：%s　'
            '建议使用1366×768分辨率浏览</p></footer>\n</body>\n</html>\n'
            % (site["name"], site["name"], site["code"], site["icp"], site["police"], site["phone"]))
    return head, foot


def article(rng, site, n, target):
    year = 2020 + rng.randrange(6)
    date = "%d-%02d-%02d" % (year, rng.randrange(1, 13), rng.randrange(1, 29))
    title = "%s%s%s%s" % (rng.choice(PLACES), rng.choice(ADV), rng.choice(VERB), rng.choice(OBJ))
    head, foot = boilerplate(site, title)
    crumbs = ('<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/%s/">%s</a> &gt; '
              '<a href="/%s/news/">政务要闻</a></div>\n' % (site["id"], site["name"], site["id"]))
    meta = ('<article>\n<h1>%s</h1>\n<div class="info"><span>发布时间：%s</span>'
            '<span>来源：%s</span><span>作者：%s%s</span><span>字号：[大 中 小]</span></div>\n'
            '<div class="content">\n' % (title, date, site["name"], rng.choice(NAMES), rng.choice(GIVEN)))
    end = ('</div>\n<div class="related"><h2>相关链接</h2><ul>%s</ul></div>\n</article>\n'
           % "".join('<li><a href="/%s/news/a%04d.html">%s%s</a></li>'
                     % (site["id"], rng.randrange(10000), rng.choice(VERB), rng.choice(OBJ))
                     for _ in range(6)))
    fixed = len((head + crumbs + meta + end + foot).encode())
    body = []
    size = 0
    while fixed + size < target:
        p = "<p>　　" + "".join(sentence(rng) for _ in range(rng.randrange(2, 5))) + "</p>\n"
        body.append(p)
        size += len(p.encode())
    return (head + crumbs + meta + "".join(body) + end + foot).encode()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def link_with_gz(pages_root, www_root, rel, compressible):
    src = os.path.join(pages_root, rel)
    dst = os.path.join(www_root, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.link(src, dst)
    if compressible:
        with open(src, "rb") as f:
            data = f.read()
        gz = gzip_bytes(data)
        if worth(data, gz):
            write(dst + ".gz", gz)


def site_info(i):
    return {"id": "s%03d" % i if i < 1000 else "s%05d" % i,
            "name": "云岭市%s%s" % (DEPTS[i % len(DEPTS)], "" if i < len(DEPTS) else "（%d）" % i),
            "code": "53%08d" % (990000 + i), "icp": "滇ICP备05%06d号-1" % i,
            "police": "滇公网安备 5399%010d号" % i, "phone": "0871-6%07d" % i}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="folder to create pages/, www/, sites.d/ in")
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--size", type=int, default=12 * 1024)
    ap.add_argument("--asset-size", type=int, default=100 * 1024)
    ap.add_argument("--seed", type=int, default=20240601)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pages, www, sites = (os.path.join(a.out, d) for d in ("pages", "www", "sites.d"))
    for d in (pages, www, sites):
        os.makedirs(d, exist_ok=True)
    write(os.path.join(sites, "portal.yaml"), site_yaml(
        {"id": "portal", "name": "云岭市人民政府", "code": "5399000001", "icp": "滇ICP备05001234号-1",
         "police": "滇公网安备 53990202000101号", "phone": "0871-61230001"}, portal=True))
    paths = []
    total = gz_total = 0
    for i in range(a.sites):
        s = site_info(i)
        write(os.path.join(sites, s["id"] + ".yaml"), site_yaml(s))
        for n in range(a.articles):
            rel = "%s/news/a%04d.html" % (s["id"], n)
            data = article(rng, s, n, a.size)
            write(os.path.join(pages, rel), data)
            link_with_gz(pages, www, rel, True)
            paths.append("/" + rel)
            total += len(data)
            gzp = os.path.join(www, rel + ".gz")
            gz_total += os.path.getsize(gzp) if os.path.exists(gzp) else len(data)
        # Non-compressible, like the photos and scanned PDFs that make up most bytes of a
        # government site: neither server has a gzip variant for it.
        rel = "%s/static/banner.jpg" % s["id"]
        write(os.path.join(pages, rel), b"\xff\xd8\xff\xe0" + rng.randbytes(a.asset_size - 4))
        link_with_gz(pages, www, rel, False)
    with open(os.path.join(a.out, "paths.txt"), "w") as f:
        f.write("\n".join(paths) + "\n")
    print("corpus: %d sites x %d articles, %.1f MB of pages (%.0f B each), gzip %.2fx, "
          "%d KB asset per site" % (a.sites, a.articles, total / 1e6, total / max(1, len(paths)),
                                    total / max(1, gz_total), a.asset_size // 1024))


def site_yaml(s, portal=False):
    out = ["# generated by tests/bench/gen_corpus.py", "id: %s" % s["id"], "name: %s" % s["name"]]
    if portal:
        out += ["kind: portal", "mount:", "  hosts: [www.yunling.gov.cn]"]
    else:
        out += ["kind: department", "parent: portal", "mount:", "  path: /%s/" % s["id"]]
    out += ["registration:", '  site_code: "%s"' % s["code"], "  icp: %s" % s["icp"],
            "  police: %s" % s["police"], "  organizer: %s" % s["name"],
            "  contact: %s办公室 %s" % (s["name"], s["phone"]), "status: active",
            "columns:"]
    out += ["  - {id: %s, name: %s, type: %s}" % (c, n, "static" if c == "about" else
                                                  "dynamic" if c == "news" else c)
            for c, n in COLS]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
