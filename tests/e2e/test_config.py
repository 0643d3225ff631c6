# tests/e2e/test_config.py: `jiyue -t` (and `jiyuectl check`, the same validator) reports
# every error in every file as FILE:LINE:COL: message and exits 1; a valid tree exits 0.
import os
import re
import subprocess

import pytest

from conftest import (BASE_SITES, DIAG_RE, JIYUE, ROOT, Cluster, need_binaries, read_text, run,
                      site_yaml, strip_tls)


@pytest.fixture
def tree(tmp_path):
    need_binaries()
    return Cluster(tmp_path / "tree")


def check(tree):
    r = run([JIYUE, "-t", "-c", tree.conf], timeout=15)
    err = r.stderr.decode(errors="replace")
    return r.returncode, err, list(DIAG_RE.finditer(err))


def diags_for(diags, name):
    return [d for d in diags if d.group("file").endswith(name)]


def expect_error(tree, name, line=None):
    code, err, diags = check(tree)
    assert code == 1, f"exit {code}, stderr:\n{err}"
    mine = diags_for(diags, name)
    assert mine, f"no FILE:LINE:COL: diagnostic for {name} in:\n{err}"
    if line is not None:
        assert any(int(d.group("line")) == line for d in mine), \
            f"expected {name}:{line}:COL, got:\n{err}"
    for d in mine:
        assert int(d.group("line")) >= 1 and int(d.group("col")) >= 1
    return mine, err


def line_of(path, prefix):
    for i, l in enumerate(path.read_text().splitlines(), 1):
        if l.lstrip().startswith(prefix):
            return i
    raise AssertionError(f"{prefix!r} not in {path}")


ROOT_WARNING = "warning: running as root without 'user'"


def not_root_warning(diags):
    """The diagnostics other than the one for running as root without `user` (the suite
    may run as root)."""
    return [d for d in diags if not d.group("msg").startswith(ROOT_WARNING)]


def test_valid_tree_passes(tree):
    code, err, diags = check(tree)
    assert code == 0, err
    assert not_root_warning(diags) == [], err


def test_valid_tree_passes_ctl_check(tree):
    r = tree.ctl("check")
    assert r.returncode == 0, r.stderr


def test_unknown_key_in_site(tree):
    p = tree.site_path("edu")
    p.write_text(p.read_text() + "colour: blue\n")
    expect_error(tree, "edu.yaml", line=line_of(p, "colour:"))


def test_unknown_nested_key_in_site(tree):
    p = tree.site_path("edu")
    p.write_text(p.read_text().replace("  path: /edu/\n", "  path: /edu/\n  pth: /x/\n"))
    expect_error(tree, "edu.yaml", line=line_of(p, "pth:"))


def test_unknown_key_in_server_config(tree):
    tree.conf.write_text(tree.conf.read_text() + "listn: 1\n")
    expect_error(tree, "jiyue.yaml", line=line_of(tree.conf, "listn:"))


def test_unknown_limit(tree):
    tree.conf.write_text(tree.conf.read_text().replace("limits:\n", "limits:\n  max_bogus: 3\n"))
    expect_error(tree, "jiyue.yaml", line=line_of(tree.conf, "max_bogus:"))


@pytest.mark.parametrize("old,new,key", [
    ("workers: 2", "workers: many", "workers:"),
    ("workers: 2", "workers: [1, 2]", "workers:"),
    ("  max_body_bytes: 1KiB", "  max_body_bytes: lots", "max_body_bytes:"),
    ("  header_timeout: 10s", "  header_timeout: soon", "header_timeout:"),
    ("store_map_size: 64MiB", "store_map_size: {a: 1}", "store_map_size:"),
])
def test_wrong_type_in_server_config(tree, old, new, key):
    text = tree.conf.read_text()
    assert old in text
    tree.conf.write_text(text.replace(old, new))
    expect_error(tree, "jiyue.yaml", line=line_of(tree.conf, key))


@pytest.mark.parametrize("old,new,key", [
    ("name: 测试市教育局", "name: [a, b]", "name:"),
    ("kind: department", "kind: ministry", "kind:"),
    ("status: active", "status: [active]", "status:"),
    ("  hosts: [edu.test.gov.cn]", "  hosts: {a: b}", "hosts:"),
])
def test_wrong_type_in_site(tree, old, new, key):
    p = tree.site_path("edu")
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new))
    mine, _ = expect_error(tree, "edu.yaml")
    assert any(int(d.group("line")) == line_of(p, key) for d in mine), [d.group(0) for d in mine]


def test_duplicate_id(tree):
    tree.sites_dir.joinpath("edu-copy.yaml").write_text(
        tree.site_path("edu").read_text().replace("edu.test.gov.cn", "edu-copy.test.gov.cn")
        .replace("old-edu", "old-edu-copy").replace("/edu/", "/edu-copy/"))
    code, err, diags = check(tree)
    assert code == 1, err
    assert diags_for(diags, "edu-copy.yaml") or diags_for(diags, "edu.yaml"), err
    assert "edu" in err


def test_same_host_twice(tree):
    spec = dict(BASE_SITES["xian"])
    spec["hosts"] = ["xian.test.gov.cn", "edu.test.gov.cn"]
    tree.write_site("xian", **spec)
    mine, err = expect_error(tree, "xian.yaml")
    assert "edu.test.gov.cn" in err


def test_same_host_as_alias_of_another(tree):
    spec = dict(BASE_SITES["xian"])
    spec["aliases"] = ["old-edu.test.gov.cn"]
    tree.write_site("xian", **spec)
    code, err, diags = check(tree)
    assert code == 1 and diags, err


def test_same_host_differing_case(tree):
    spec = dict(BASE_SITES["xian"])
    spec["hosts"] = ["xian.test.gov.cn", "EDU.Test.Gov.CN"]
    tree.write_site("xian", **spec)
    expect_error(tree, "xian.yaml")


def test_same_mount_path(tree):
    tree.sites_dir.joinpath("edu2.yaml").write_text(
        site_yaml("edu2", "第二教育局", "department", parent="portal", path="/edu/", code="1100000020"))
    code, err, diags = check(tree)
    assert code == 1, err
    assert diags_for(diags, "edu2.yaml") or diags_for(diags, "edu.yaml"), err


def test_same_url_through_different_parents(tree):
    """zhen is mounted at /zhen/ under xian (/xian/): it answers at /xian/zhen/. A site
    mounted straight under the portal at /xian/zhen/ would meet it there; the router could
    serve only one, so the second in file order is an error pointing at its path, naming
    the first."""
    tree.sites_dir.joinpath("zz.yaml").write_text(
        site_yaml("zz", "直属镇", "township", parent="portal", path="/xian/zhen/", code="1100000021"))
    mine, err = expect_error(tree, "zz.yaml", line=line_of(tree.site_path("zz"), "path:"))
    assert "/xian/zhen/" in mine[0].group("msg") and "'zhen'" in mine[0].group("msg"), err
    assert "zhen.yaml:" in mine[0].group("msg"), err
    # Different URLs through different parents are fine.
    tree.sites_dir.joinpath("zz.yaml").write_text(
        site_yaml("zz", "直属镇", "township", parent="portal", path="/xian/other/", code="1100000021"))
    code, err, _ = check(tree)
    assert code == 0, err


def test_missing_parent(tree):
    spec = dict(BASE_SITES["zhen"])
    spec["parent"] = "nowhere"
    tree.write_site("zhen", **spec)
    mine, err = expect_error(tree, "zhen.yaml", line=line_of(tree.site_path("zhen"), "parent:"))
    assert "nowhere" in err


@pytest.mark.parametrize("bad", ["/edu", "edu/", "edu"])
def test_mount_path_not_slash_dot_slash(tree, bad):
    spec = dict(BASE_SITES["edu"])
    spec["path"] = bad
    tree.write_site("edu", **spec)
    expect_error(tree, "edu.yaml", line=line_of(tree.site_path("edu"), "path:"))


def test_yaml_syntax_error(tree):
    p = tree.site_path("edu")
    p.write_text("id: edu\nname: [unclosed\nkind: department\n")
    code, err, diags = check(tree)
    assert code == 1, err
    assert diags_for(diags, "edu.yaml"), err


def test_yaml_syntax_error_in_server_config(tree):
    tree.conf.write_text(tree.conf.read_text() + "limits: {oops\n")
    expect_error(tree, "jiyue.yaml")


def test_two_broken_files_both_reported(tree):
    a = tree.site_path("edu")
    a.write_text(a.read_text() + "colour: blue\n")
    b = tree.site_path("xian")
    b.write_text("id: xian\nname: [unclosed\n")
    code, err, diags = check(tree)
    assert code == 1, err
    assert diags_for(diags, "edu.yaml"), err
    assert diags_for(diags, "xian.yaml"), err


def test_every_error_in_one_file(tree):
    p = tree.site_path("edu")
    p.write_text(p.read_text() + "colour: blue\nflavour: red\n")
    mine, err = expect_error(tree, "edu.yaml")
    lines = {int(d.group("line")) for d in mine}
    assert {line_of(p, "colour:"), line_of(p, "flavour:")} <= lines, err


def test_active_site_needs_registration(tree):
    p = tree.site_path("edu")
    text = p.read_text()
    p.write_text("\n".join(l for l in text.splitlines() if not l.strip().startswith("icp:")) + "\n")
    expect_error(tree, "edu.yaml")


def test_two_portals_rejected(tree):
    tree.sites_dir.joinpath("portal2.yaml").write_text(
        site_yaml("portal2", "另一门户", "portal", hosts=["www2.test.gov.cn"], code="1100000030"))
    code, err, diags = check(tree)
    assert code == 1 and diags, err


def test_ctl_check_reports_same_errors(tree):
    p = tree.site_path("edu")
    p.write_text(p.read_text() + "colour: blue\n")
    r = tree.ctl("check")
    assert r.returncode != 0
    out = r.stderr.decode() + r.stdout.decode()
    assert any(d.group("file").endswith("edu.yaml") and int(d.group("line")) == line_of(p, "colour:")
               for d in DIAG_RE.finditer(out)), out


def test_relative_paths_resolve_against_config_folder(tree, tmp_path):
    # Run -t from another working directory: the relative `sites: sites.d` must still be found
    # (a broken site file proves the folder was read).
    p = tree.site_path("edu")
    p.write_text(p.read_text() + "colour: blue\n")
    r = run([JIYUE, "-t", "-c", tree.conf], timeout=15, cwd=tmp_path)
    assert r.returncode == 1
    assert "edu.yaml" in r.stderr.decode()


def test_missing_config_file(tmp_path):
    need_binaries()
    r = run([JIYUE, "-t", "-c", tmp_path / "nope.yaml"], timeout=15)
    assert r.returncode != 0
    assert r.stderr.strip()


def test_check_says_how_long_it_took(tree):
    r = run([JIYUE, "-t", "-c", tree.conf], timeout=15)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert re.search(r"is ok: 4 sites \(checked in \d+(\.\d\d s| ms)\)$", out.strip()), out
    p = tree.site_path("edu")
    p.write_text(p.read_text() + "colour: blue\n")
    r = run([JIYUE, "-t", "-c", tree.conf], timeout=15)
    assert r.returncode == 1
    assert re.search(r"has 1 error \(checked in \d+(\.\d\d s| ms)\)", r.stderr.decode()), r.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="the warning is for a server started as root")
def test_root_without_user_warned(tree):
    code, err, diags = check(tree)
    assert code == 0, err
    mine = [d for d in diags if d.group("msg").startswith(ROOT_WARNING)]
    assert len(mine) == 1 and mine[0].group("file") == str(tree.conf), err
    # and at start: on stderr and in the error log
    tree.import_pages("portal", {"index.html": b"<p>PORTAL</p>"})
    tree.start()
    try:
        assert tree.get("/").status == 200
    finally:
        tree.stop()
    assert ROOT_WARNING in read_text(tree.stderr_path), tree.server_output()
    assert ROOT_WARNING in read_text(tree.error_log), tree.server_output()
    # with a user to switch to, nothing to say
    tree.extra_conf = "user: nobody\n"
    tree.write_conf()
    code, err, diags = check(tree)
    assert code == 0 and diags == [], err


def test_misspelt_key_suggests_and_adds_nothing(tree):
    # `regsitration`: one error, with the key it was meant to be, and no "needs
    # registration.*" for each field on top
    p = tree.site_path("edu")
    p.write_text(p.read_text().replace("registration:", "regsitration:"))
    mine, err = expect_error(tree, "edu.yaml", line=line_of(p, "regsitration:"))
    assert len(mine) == 1, err
    assert mine[0].group("msg") == "unknown key 'regsitration'; did you mean 'registration'?", err
    assert "needs registration" not in err, err


def test_same_site_code_or_police_number_refused(tree):
    # xian gets edu's numbers: 网站标识码 and 公安备案号 are errors naming edu's file; the
    # shared ICP number alone is a warning
    spec = dict(BASE_SITES["xian"], code=BASE_SITES["edu"]["code"])
    tree.write_site("xian", **spec)
    p, edu = tree.site_path("xian"), tree.site_path("edu")
    mine, err = expect_error(tree, "xian.yaml")
    by_line = {int(d.group("line")): d.group("msg") for d in mine}
    code_msg = by_line[line_of(p, "site_code:")]
    assert code_msg.startswith("registration.site_code '1100000002' is already site 'edu''s (" +
                               f"{edu}:{line_of(edu, 'site_code:')})"), err
    assert by_line[line_of(p, "police:")].startswith("registration.police '测公网安备1100000002号' is "
                                                    f"already site 'edu''s ({edu}:"), err
    assert by_line[line_of(p, "icp:")].startswith("warning: registration.icp '测ICP备1100000002号' is "
                                                 "also site 'edu''s"), err
    assert len([d for d in mine if not d.group("msg").startswith("warning:")]) == 2, err
    # the ICP number alone shared: valid, with the warning
    tree.write_site("xian", **BASE_SITES["xian"])
    text = p.read_text().replace("测ICP备1100000003号", "测ICP备1100000002号")
    p.write_text(text)
    code, err, diags = check(tree)
    assert code == 0, err
    icp = [d for d in diags if "registration.icp" in d.group("msg")]
    assert len(icp) == 1 and icp[0].group("file") == str(p), err


def test_unread_files_in_sites_d_warned(tree):
    for name in ("stats.yml", "edu.yaml.bak", "notes.txt"):
        (tree.sites_dir / name).write_text(tree.site_path("edu").read_text())
    (tree.sites_dir / ".edu.yaml.swp").write_text("x")
    (tree.sites_dir / "old").mkdir()
    code, err, diags = check(tree)
    assert code == 0, err
    warned = sorted(os.path.basename(d.group("file")) for d in not_root_warning(diags))
    assert warned == ["edu.yaml.bak", "notes.txt", "old", "stats.yml"], err
    for d in not_root_warning(diags):
        assert d.group("msg").startswith("warning: not read: "), err
    r = tree.ctl("check")
    assert r.returncode == 0, r.stderr
    out = r.stderr.decode()
    for name in ("stats.yml", "edu.yaml.bak", "notes.txt"):
        assert f"{tree.sites_dir / name}:1:1: warning: not read: site files are NAME.yaml" in out, out
    assert "(4 warnings)" in r.stdout.decode(), r.stdout


def test_readme_example_site_is_valid_next_to_the_demo(tmp_path):
    # The README's tongji.yaml, added to the demo cluster's own sites.d, checks clean: its
    # 网站标识码 and 公安备案号 are its own.
    need_binaries()
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Adding a subsite"):]
    block = section[section.index("```yaml\n") + 8:section.index("```", section.index("```yaml\n") + 8)]
    text = "\n".join(l[3:] if l.startswith("   ") else l for l in block.splitlines()) + "\n"
    assert text.startswith("id: tongji\n"), text
    sites = tmp_path / "sites.d"
    sites.mkdir()
    for f in sorted((ROOT / "sites.d").glob("*.yaml")):
        (sites / f.name).write_text(strip_tls(f.read_text()))
    (sites / "tongji.yaml").write_text(text)
    conf = tmp_path / "jiyue.yaml"
    conf.write_text(f'listen: ["127.0.0.1:1"]\nstore: store\nsites: sites.d\nuser: nobody\n'
                    f"themes: {ROOT / 'conf' / 'themes'}\n")
    r = run([JIYUE, "-t", "-c", conf], timeout=15)
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert "tongji.yaml" not in err, err
