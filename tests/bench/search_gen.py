#!/usr/bin/env python3
"""tests/bench/search_gen.py: the documents of `make bench-search`: N articles of Chinese
government-site text (about 300 characters each) across S sites, words drawn from a
vocabulary of government-site words with a Zipf-like distribution (the k-th most common
word about 1/k as often as the first), titles, and publication dates spread over 10 years.
Deterministic for a seed. The articles come out oldest first, the order a site publishes
them in, as JSON lines `jiyuectl publish --batch` takes."""
import json
import random

# Common words of government sites, most common first (the Zipf rank is the position).
WORDS = """工作 发展 建设 推进 加强 服务 管理 部门 单位 群众 政府 企业 社会 政务服务 项目 实施 开展 落实
经济 重点 要求 组织 安全 全面 提升 完善 规定 提高 制度 相关 进一步 情况 全市 体系 保障 会议 活动
监督 机制 政策 公共 问题 领导 农村 教育 保护 改革 环境 创新 质量 推动 深化 促进 资金 任务 政务
工程 责任 检查 医疗 卫生 健康 治理 人员 乡村 振兴 城市 民生 实施方案 公开 就业 交通 信息 数据
文化 旅游 生态 资源 规划 统筹 优化 营商环境 市场 监管 疫情 防控 应急 救援 生产 食品 药品 养老
社保 社保卡 医保 住房 公积金 补贴 申请 办理 窗口 审批 许可 登记 证明 材料 流程 时限 咨询 电话
投诉 举报 受理 答复 通知 公告 意见 办法 细则 条例 解读 征求 听证 招标 采购 预算 决算 审计 统计
年鉴 公报 人大 政协 代表 委员 提案 建议 议案 乡镇 街道 社区 村委会 居委会 网格 志愿者 退役军人
残疾人 低保 救助 慰问 扶贫 帮扶 消费 产业 园区 招商 投资 基础设施 道路 桥梁 供水 排水 燃气 供热
电力 通信 网络 数字 政府网站 一网通办 便民 热线 12345 义务教育 学前教育 职业教育 高校
毕业生 招聘 考试 培训 人才 科技 专利 知识产权 标准 计量 认证 检验 检测 农业 粮食 耕地 水利 防汛
抗旱 森林 草原 防火 地质灾害 气象 地震 消防 公安 交警 司法 法律援助 公证 调解 信访 安全生产
隐患 排查 整治 执法 处罚 行政 复议 诉讼 税务 减税降费 财政 金融 债券 国资 国企 民营 中小企业
个体工商户 外贸 口岸 物流 快递 电商 商贸 文旅 景区 博物馆 图书馆 体育 全民健身 赛事 文明 创建
卫生城市 垃圾分类 污水处理 大气污染 河长制 林长制 碳达峰 碳中和 节能 新能源 汽车 充电桩 老旧小区
改造 棚户区 保障性住房 租赁 物业 不动产 土地 征收 补偿 拆迁 安置 移民 人口 普查 户籍 居住证
出入境 护照 婚姻 收养 殡葬 慈善 红十字 妇女 儿童 未成年人 青年 老年人 家庭 医生 签约 疫苗 接种
核酸 医院 床位 中医药 药店 价格 收费 明码标价 质量安全 特种设备 电梯 食品安全 校园 餐饮 农贸市场
古树名木 非物质文化遗产 历史文化名城 传统村落 茶叶 咖啡 花卉 橡胶 甘蔗 烟草 野生菌 高原特色
边境 口岸经济 沿边开放 民族团结 进步示范 宗教 侨务 对口支援 东西部协作 驻村 第一书记""".split()

RARE = "澜沧江大桥"
POOL = 200000  # clauses at most (20 per article below that)
TITLE_HEAD = ["关于", "市", "县", "区", "全市", "我局", "省"]
TITLE_TAIL = ["的通知", "的公告", "的实施方案", "工作情况", "的意见", "实施细则", "的通报",
              "工作会议召开", "专项行动", "的政策解读", "情况的报告", "的公示"]
PUNCT = ["，", "，", "，", "。", "、", "；"]
SOURCES = ["办公室", "政务服务中心", "新闻中心", "融媒体中心", "信息科"]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"]

YEARS = 10
START = (2016, 1, 1)  # dates from 2016-01-01 over 10 years
DAYS = 3652


def site_id(i):
    return "s%03d" % i


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        # Zipf-like: weight 1/rank
        acc, cum = 0.0, []
        for r in range(len(WORDS)):
            acc += 1.0 / (r + 1)
            cum.append(acc)
        self.cum = cum

    def words(self, k):
        return self.rng.choices(WORDS, cum_weights=self.cum, k=k)

    def title(self):
        r = self.rng
        return r.choice(TITLE_HEAD) + "".join(self.words(r.randrange(2, 5))) + r.choice(TITLE_TAIL)

    def clause(self):
        r = self.rng
        c = "".join(self.words(r.randrange(3, 9))) + r.choice(PUNCT)
        if r.random() < 0.08:
            c += "%d年%d月" % (2016 + r.randrange(YEARS), r.randrange(1, 13))
        return c

    def body(self, chars=300):
        """About `chars` characters: clauses drawn from a pool of clauses made once (a
        million articles in minutes, not an hour), a rare name in one article in about
        1,300."""
        r = self.rng
        if not hasattr(self, "pool"):  # made at the first article's body
            self.pool = [self.clause() for _ in range(self.pool_size)]
        out, n = [], 0
        while n < chars:
            c = self.pool[r.randrange(len(self.pool))]
            out.append(c)
            n += len(c)
        if r.random() < 1 / 1300:
            at = r.randrange(len(out))
            out[at] = RARE + out[at]
        return "".join(out)


def day_str(d):
    import datetime
    t = datetime.date(*START) + datetime.timedelta(days=d)
    return t.isoformat()


def documents(n, sites, seed=20261205):
    """Yields n article dicts, oldest first: site, column, id, title, date, source, body."""
    g = Gen(seed)
    r = g.rng
    # dates first (sorted), so the texts are drawn in publication order, deterministically
    stamps = sorted((r.randrange(DAYS) * 86400 + r.randrange(8 * 3600, 18 * 3600)) for _ in range(n))
    g.pool_size = min(POOL, 1000 + 20 * n)
    for i, st in enumerate(stamps):
        d, s = divmod(st, 86400)
        site = site_id(r.randrange(sites))
        yield {"site": site, "column": "news", "id": "a%07d" % i, "title": g.title(),
               "date": "%s %02d:%02d" % (day_str(d), s // 3600, s % 3600 // 60),
               "source": site + r.choice(SOURCES), "body": g.body()}


def batch_line(doc):
    """The JSON line `jiyuectl publish --batch` takes for doc."""
    o = dict(doc)
    k = int(doc["id"][1:])
    o.update({"publisher": PEOPLE[k % 4], "reviewer": PEOPLE[4 + k % 4],
              "disclosure": "主动公开", "secrecy_by": "保密员", "secrecy_date": doc["date"][:10]})
    return json.dumps(o, ensure_ascii=False)


def site_yaml(i, portal=False):
    if portal:
        return ("id: portal\nname: 云岭市人民政府\nkind: portal\nmount:\n  hosts: [www.yunling.gov.cn]\n"
                "registration:\n  site_code: \"5399000001\"\n  icp: 滇ICP备05001234号-1\n"
                "  police: 滇公网安备 53990202000101号\n  organizer: 云岭市人民政府\n"
                "  contact: 市政府办公室 0871-61230001\nstatus: active\ncolumns:\n"
                "  - {id: news, name: 政务要闻, type: dynamic}\n")
    s = site_id(i)
    return ("id: %s\nname: 云岭市第%d部门\nkind: department\nparent: portal\nmount:\n  path: /%s/\n"
            "registration:\n  site_code: \"53%08d\"\n  icp: 滇ICP备05%06d号-1\n"
            "  police: 滇公网安备 5399%010d号\n  organizer: 云岭市第%d部门\n"
            "  contact: 办公室 0871-6%07d\nstatus: active\ncolumns:\n"
            "  - {id: news, name: 政务要闻, type: dynamic}\n"
            % (s, i, s, 990000 + i, i, i, i, i))
