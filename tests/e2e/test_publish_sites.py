# tests/e2e/test_publish_sites.py: which site files `jiyuectl publish`, `update` and
# `publish --batch` read. They read the server file and the files of the sites they write
# into (sites.d/<id>.yaml and its parents' files, each declaring that id), and the whole
# folder as before when that is not certain: a broken or duplicate file of another site
# does not stop a publish (check, `jiyue -t` and reload still refuse it), while every
# problem in the site's own files, an unknown site or a bad column is refused exactly as
# before. No server: only the tool and the store.
import json
import re

import pytest

from conftest import make_cluster, store_dump

FRONT = {
    "site": "zhen", "column": "news", "title": "镇里的通知", "publisher": "李华",
    "reviewer": "王强", "disclosure": "主动公开", "date": "2026-09-01 09:30",
}

# how a refusal by the whole folder's errors ends
WHOLE = re.compile(r"jiyue\.yaml has \d+ errors? \(see above; `jiyuectl check` lists them\)\n$")


def article(**over):
    meta = dict(FRONT, **over)
    lines = ["---"] + [f"{k}: {v}" for k, v in meta.items() if v is not None]
    lines += ["secrecy_review: {by: 赵敏, date: 2026-08-31}", "---", "正文。"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_cluster(tmp_path_factory, "publish-sites")


@pytest.fixture
def others(tree):
    """Files of other sites left as an operator might: a broken one and a copy of edu.yaml
    with the same id (and another column); both removed after the test."""
    broken = tree.sites_dir / "broken.yaml"
    copy = tree.sites_dir / "edu-copy.yaml"
    broken.write_text("id: broken\nname: [unclosed\n")
    copy.write_text(tree.site_path("edu").read_text().replace(
        "  - {id: notice, name: 通知公告, type: notice}\n", "  - {id: copied, name: 复制, type: dynamic}\n"))
    yield broken, copy
    broken.unlink()
    copy.unlink()


def publish(tree, name, text, *flags, cmd="publish"):
    d = tree.root / "articles"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text)
    return tree.ctl(cmd, *flags, d / name)


def test_other_broken_and_duplicate_files_do_not_stop_publish(tree, others):
    check = tree.ctl("check")
    err = check.stderr.decode()
    assert check.returncode == 1
    assert "broken.yaml" in err and "duplicate site id 'edu'" in err
    # zhen hangs under xian under the portal: its URL needs both parents' files
    r = publish(tree, "a1.md", article(id="a1"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "/xian/zhen/news/a1.html\n"
    r = publish(tree, "a1.md", article(id="a1", title="镇里的通知（更新）"), cmd="update")
    assert r.returncode == 0, r.stderr
    r = publish(tree, "a2.md", article(id="a2"), "--dry-run")
    assert (r.returncode, r.stdout) == (0, b"/xian/zhen/news/a2.html\n"), r.stderr
    # edu's rules are edu.yaml's, not its copy's
    r = publish(tree, "e1.md", article(id="e1", site="edu", column="notice"))
    assert (r.returncode, r.stdout) == (0, b"/edu/notice/e1.html\n"), r.stderr
    before = store_dump(tree.root)
    r = publish(tree, "e2.md", article(id="e2", site="edu", column="copied"))
    assert r.returncode == 1
    assert r.stderr.decode() == ("jiyuectl: publish: %s: refused: site 'edu' has no column "
                                 "'copied' (its columns: news, notice)\n"
                                 % (tree.root / "articles" / "e2.md"))
    assert store_dump(tree.root) == before


def test_batch_reads_the_sites_it_names(tree, others):
    lines = [dict(FRONT, id="b1", body="一"), dict(FRONT, id="b2", site="edu", body="二"),
             dict(FRONT, id="b3", site="portal", body="三")]
    for d in lines:
        d["secrecy_by"], d["secrecy_date"] = "赵敏", "2026-08-31"
    f = tree.root / "batch.jsonl"
    f.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines))
    r = tree.ctl("publish", "--batch", f)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "published 3 articles from %s\n" % f
    # a line naming a site without a file of its own: the whole folder, refused as before
    before = store_dump(tree.root)
    f.write_text(json.dumps(dict(lines[0], id="b4", site="nosuch"), ensure_ascii=False) + "\n")
    r = tree.ctl("publish", "--batch", f)
    err = r.stderr.decode()
    assert r.returncode == 1 and "broken.yaml" in err and WHOLE.search(err), err
    assert store_dump(tree.root) == before


@pytest.mark.parametrize("site", ["nosuch", "../sites.d/edu", "..", "Edu"])
def test_unknown_site_reads_the_whole_folder(tree, others, site):
    """No file sites.d/<site>.yaml (or not a site id at all, so never a path): the whole
    folder is read, and its errors refuse the publish as before."""
    before = store_dump(tree.root)
    r = publish(tree, "u.md", article(id="u1", site=site))
    err = r.stderr.decode()
    assert r.returncode == 1
    assert "broken.yaml" in err and "duplicate site id 'edu'" in err
    assert WHOLE.search(err), err
    assert store_dump(tree.root) == before


def test_unknown_site_refused_as_before(tree):
    r = publish(tree, "u.md", article(id="u2", site="nosuch"))
    assert (r.returncode, r.stderr.decode()) == (
        1, "jiyuectl: publish: %s: refused: unknown site 'nosuch' (no such id in sites.d)\n"
        % (tree.root / "articles" / "u.md"))


def test_own_file_problems_refused_as_before(tree):
    """An error in the site's file or a parent's, and a parent whose file is not named by
    its id: the whole folder decides, as before."""
    xian = tree.site_path("xian")
    original = xian.read_text()
    try:
        xian.write_text(original + "colums: []\n")
        r = publish(tree, "p1.md", article(id="p1"))
        err = r.stderr.decode()
        assert r.returncode == 1
        assert "xian.yaml" in err and "unknown key 'colums'" in err
        assert WHOLE.search(err), err
        # named otherwise: found by reading every file, and published
        xian.write_text(original)
        xian.rename(tree.sites_dir / "10-xian.yaml")
        r = publish(tree, "p2.md", article(id="p2"))
        assert (r.returncode, r.stdout) == (0, b"/xian/zhen/news/p2.html\n"), r.stderr
    finally:
        (tree.sites_dir / "10-xian.yaml").unlink(missing_ok=True)
        xian.write_text(original)


def test_parent_named_otherwise_with_broken_other_file(tree, others):
    xian = tree.site_path("xian")
    xian.rename(tree.sites_dir / "10-xian.yaml")
    try:
        before = store_dump(tree.root)
        r = publish(tree, "p3.md", article(id="p3"))
        assert r.returncode == 1 and "broken.yaml" in r.stderr.decode(), r.stderr
        assert store_dump(tree.root) == before
    finally:
        (tree.sites_dir / "10-xian.yaml").rename(xian)
