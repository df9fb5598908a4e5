"""Minimal crawlers, one per family, that walk a farm portal the way PORTALS.md says the real one pages.

They are test instruments, not the product's spiders: they ignore robots.txt and collect every listed
item, so the farm's listings can be compared with the World's truth.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin, urlsplit

from farm.testing import Reply, fetch

HREF = re.compile(r'<a href="([^"]+)"')


def get(url: str, **kwargs) -> Reply:
    for _ in range(5):
        reply = fetch(url, **kwargs)
        if reply.status not in (429, 503):
            return reply
        time.sleep(0.05)  # the farm's Retry-After counts requests, not time; the crawler's tests honour it
    return reply


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def detail_files(url: str, pattern: str, encoding: str = "utf-8") -> set[str]:
    reply = get(url)
    if reply.status != 200:
        return set()
    return {path_of(urljoin(reply.url, h)) for h in re.findall(pattern, reply.body.decode(encoding, "replace"))}


def each_once(queue: list[str]) -> Iterator[str]:
    """Pop addresses off ``queue`` (which the caller keeps extending) and yield each one only once."""
    seen: set[str] = set()
    while queue:
        item = queue.pop()
        if item not in seen:
            seen.add(item)
            yield item


def files_of(root: str, details: set[str], pattern: str, encoding: str = "utf-8") -> set[str]:
    """The attachment links of every detail page."""
    return set().union(*(detail_files(root + detail, pattern, encoding) for detail in details))


def walk_trs(base: str, start: str, encoding: str = "utf-8") -> tuple[set[str], set[str]]:
    details, queue = set(), [urljoin(base, start)]
    for url in each_once(queue):
        reply = get(url)
        text = reply.body.decode(encoding, "replace")
        shell = re.search(r'location\.replace\("([^"]+)"\)', text)
        if shell:
            queue.append(urljoin(reply.url, shell.group(1)))
            continue
        pager = re.search(r'createPageHTML\((\d+),\s*(\d+),\s*"index",\s*"(s?html)"', text)
        if pager:
            items = re.findall(r'<a href="(\./\d{6}/t\d{8}_\d+\.s?html)" title=', text)
            details.update(path_of(urljoin(reply.url, h)) for h in items)
            if pager.group(2) == "0":
                queue.extend(urljoin(reply.url, f"index_{n}.{pager.group(3)}") for n in range(1, int(pager.group(1))))
            continue
        queue.extend(urljoin(reply.url, h) for h in re.findall(r'<li><a href="(\./[^"]+/)"', text))
    return details, files_of(base.rstrip("/"), details, r'<a href="(\./P0[^"]+)"', encoding)


def walk_hanweb(base: str, start: str) -> tuple[set[str], set[str]]:
    root = base.rstrip("/")
    details, queue = set(), [start]
    for path in each_once(queue):
        text = get(root + path).text()
        store = re.search(r'<script type="text/xml">(.*?)</script>', text, re.S)
        if not store:
            queue.extend(re.findall(r'<a href="(/col/col\d+/index\.html)"', text))
            continue
        found = re.findall(r'<a href="(/art/[^"]+)"', store.group(1))
        total = int(re.search(r"totalRecord: (\d+)", text).group(1))
        perpage = int(re.search(r"perPage: (\d+)", text).group(1))
        column = re.search(r"columnid: '(\d+)'", text).group(1)
        start_record = len(found) + 1
        while start_record <= total:
            end = start_record + perpage * 3 - 1
            reply = get(f"{root}/module/web/jpage/dataproxy.jsp?startrecord={start_record}&endrecord={end}"
                        f"&perpage={perpage}", data=f"col=1&appid=1&columnid={column}&permissiontype=0".encode(),
                        headers={"X-Requested-With": "XMLHttpRequest"})
            found += re.findall(r'<a href="(/art/[^"]+)"', reply.text())
            start_record = end + 1
        details.update(found)
    return details, files_of(root, details, r'<a href="(/module/download/downfile\.jsp\?[^"]+)"')


def walk_gkmlpt(base: str, start: str) -> tuple[set[str], set[str]]:
    root = base.rstrip("/")
    page_path, _, cat = start.partition("#")
    text = get(root + page_path).text()
    config = json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", text).group(1))
    details, files, page = set(), set(), 1
    while True:
        data = json.loads(get(f"{root}/gkmlpt/api/all/{cat}?page={page}&sid={config['SID']}").text())
        if not data["articles"]:
            break
        for article in data["articles"]:
            details.add(article["post_url"])
            files.update(path_of(a["url"]) for a in article["attachment"])
        page += 1
    return details, files


def walk_openness(base: str, start: str) -> tuple[set[str], set[str]]:
    root = base.rstrip("/")
    details, queue = set(), [start]
    for path in each_once(queue):
        reply = get(root + path)
        text = reply.text()
        details.update(re.findall(r'<a href="(/OpennessContent/show/\d+\.html)"', text))
        main = text.split('<div class="right_con">', 1)[1]
        queue.extend(path_of(urljoin(reply.url, h)) for h in re.findall(r'<a href="([^"]*page_\d+\.html)"', main))
    return details, files_of(root, details, r'<a href="(/Uploads/[^"]+)"')


def walk_vsb(base: str, start: str) -> tuple[set[str], set[str]]:
    """The generic way: follow column links and 下一页 (next-page) links, collect ``/info/`` details."""
    root = base.rstrip("/")
    details, queue = set(), [start]
    for path in each_once(queue):
        text = get(root + path).text()
        details.update(re.findall(r'<a href="(/info/\d+/\d+\.htm)"', text))
        queue.extend(re.findall(r'<li><a href="(/zfxxgk/[^"]+\.htm)"', text))
        queue.extend(re.findall(r'<a href="([^"]+\.htm)">下一页</a>', text))
    files = files_of(root, details, r'<a href="(/system/_content/download\.jsp\?[^"]+)"')
    return details, {f.replace("&amp;", "&") for f in files}


def walk_jpaas(base: str, start: str) -> tuple[set[str], set[str]]:
    """Path columns; page 1 in the HTML, the rest from the build-unit API with paramJson's pageNo."""
    root = base.rstrip("/")
    details, queue = set(), [start]
    for path in each_once(queue):
        text = get(root + path).text()
        details.update(re.findall(r'<a class="bt-left" title="[^"]*" href="([^"]+)"', text))
        queue.extend(re.findall(r'<li><a href="(/[^"]+/)" title=', text))
        bar = re.search(r'count="(\d+)" rows="(\d+)".*?queryData="([^"]+)"', text)
        if not bar:
            continue
        query = dict(re.findall(r"'(\w+)':'([^']*)'", bar.group(3)))
        for page in range(2, -(-int(bar.group(1)) // int(bar.group(2))) + 1):
            param = json.dumps({"pageNo": page, "pageSize": bar.group(2)})
            reply = get(f"{root}/api-gateway/jpaas-publish-server/front/page/build/unit?{urlencode({**query, 'paramJson': param})}")
            details.update(re.findall(r'href="([^"]+)"', json.loads(reply.text())["data"]["html"]))
    files = files_of(root, details, r'<a href="(/api-gateway/jpaas-web-server/[^"]+)"')
    return details, {f.replace("&amp;", "&") for f in files}


def walk_xxgk(base: str, start: str, years: range) -> tuple[set[str], set[str]]:
    """Every unit code of the tree × every year: the organ-years that show a report."""
    root = base.rstrip("/")
    text = get(root + start).text()
    tree = get(root + re.search(r"fetch\('(/module/xxgk/tree\.jsp[^']+)'", text).group(1)).text()
    details = set()
    for code in re.findall(r"changeArea\('(\w{18})'\)", tree):
        for year in years:
            path = f"/module/xxgk/xxgkAnnualReport.jsp?{urlencode({'area': code, 'fbtime': year})}"
            if "暂无年报信息" not in get(root + path).text():
                details.add(path)
    files = files_of(root, details, r'<a href="(/module/download/downfile\.jsp\?[^"]+)"')
    return details, files


def walk_anhui_column(base: str, start: str) -> tuple[set[str], set[str]]:
    """The shell's label call, with the headers its script sends, page by page up to pageCount."""
    root = base.rstrip("/")
    text = get(root + start).text()
    label = re.search(r'url:"(/site/label/8888\?[^"]+)"', text).group(1)
    headers = {"X-Requested-With": "XMLHttpRequest", "Ls-Language": "zh", "Referer": root + start}
    details, page, count = set(), 1, 1
    while page <= count:
        fragment = get(root + re.sub(r"pageIndex=\d+", f"pageIndex={page}", label), headers=headers).text()
        details.update(re.findall(r'<a href="(/public/\d+/\d+\.html)"', fragment))
        count, page = int(re.search(r"pageCount:(\d+)", fragment).group(1)), page + 1
    return details, files_of(root, details, r'<a href="(/group1/[^"]+)"')


def walk_chinatax(base: str, start: str) -> tuple[set[str], set[str]]:
    root = base.rstrip("/")
    text = get(root + start).text()
    channel, size = re.search(r'channelId = "(\w+)"', text).group(1), re.search(r"pageSize = (\d+)", text).group(1)
    details, page = set(), 1
    while True:
        form = urlencode({"codeId": "", "channelId": channel, "page": page, "size": size}).encode()
        rows = json.loads(get(f"{root}/getFileListByCodeId", data=form).text())["results"]["data"]["results"]
        if not rows:
            break
        details.update(path_of(row["url"]) for row in rows)
        page += 1
    return details, files_of(root, details, r'<a href="(/chinatax/[^"]+/files/[^"]+)"')


def walk_govcn(base: str, start: str) -> tuple[set[str], set[str]]:
    details, queue = set(), [urljoin(base, start)]
    for url in each_once(queue):
        reply = get(url)
        text = reply.text()
        details.update(path_of(urljoin(reply.url, h)) for h in re.findall(r'<h4><a href="([^"]+)"', text))
        pager = re.search(r"createPageHTML\('page-box', (\d+), (\d+), 'home', 'htm'", text)
        if pager.group(2) == "0":
            queue.extend(urljoin(reply.url, f"home_{n}.htm") for n in range(1, int(pager.group(1))))
    found: set[str] = set()
    for detail in details:
        reply = get(urljoin(base, detail))
        found.update(path_of(urljoin(reply.url, h)) for h in re.findall(r'<a href="(\./P0[^"]+)"', reply.text()))
    return details, found


def walk_snowflake(base: str, start: str) -> tuple[set[str], set[str]]:
    """Column links, both pagers (1-based createPageHTML and 下一页 links), and the script-held rows."""
    root = base.rstrip("/")
    details, queue = set(), [start]
    for path in each_once(queue):
        reply = get(root + path)
        text = reply.text()
        details.update(path_of(urljoin(reply.url, h)) for h in re.findall(r'<a href="(\./\d{19}\.shtml)"', text))
        script_rows = re.search(r"var rows = (\[.*?\]), box", text)
        if script_rows:
            details.update(row[1] for row in json.loads(script_rows.group(1)))
        queue.extend(path_of(urljoin(reply.url, h)) for h in re.findall(r'<li><a href="(\./[^"]+/)">', text))
        queue.extend(path_of(urljoin(reply.url, h)) for h in re.findall(r'<a href="([^"]+)">下一页</a>', text))
        pager = re.search(r"createPageHTML\('page_div', (\d+), (\d+), 'index', 'shtml'", text)
        if pager and pager.group(2) == "1":
            queue.extend(path_of(urljoin(reply.url, f"index_{n}.shtml")) for n in range(2, int(pager.group(1)) + 1))
    return details, files_of(root, details, r'<a href="(/uploadfiles/[^"]+)"')
