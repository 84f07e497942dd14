"""The web page of ``nlp serve`` in a real headless browser (Debian's chromium through
Selenium and chromedriver): search with filters, a hit's citation and marked sentence, the
facets, the file at its page, the documents and entities pages and their CSV. Opt-in
(``-m browser``; ``make test-browser``, which CI runs); skipped without chromium.

``NLP_SCREENSHOTS=DIR`` keeps a screenshot of each page there, to look at.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("needs Debian's chromium and chromium-driver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from nlp.app.serve import Searcher, make_server
    from nlp.ingestion.local import ingest

    index = tmp_path_factory.mktemp("web") / "idx"
    ingest([CORPUS], index=index, progress=False)  # the real model: a real search
    searcher = Searcher(index)
    server = make_server(searcher, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1280,1600"):
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    browser = webdriver.Chrome(options=options, service=service)
    try:
        yield browser, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        browser.quit()
        server.shutdown()
        searcher.close()


def shot(browser, name: str) -> None:
    folder = os.environ.get("NLP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))


def test_web_search_with_chips_shows_cited_marked_hits_and_facets(site):
    from selenium.webdriver.common.by import By

    browser, base = site
    browser.get(base + "/")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("квота на привлечение иностранной рабочей силы")
    browser.find_element(By.CSS_SELECTOR, "input[name=lang][value=ru]").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=lang][value=kk]").click()
    browser.find_element(By.TAG_NAME, "button").click()
    hits = browser.find_elements(By.CLASS_NAME, "hit")
    shot(browser, "search")
    assert hits, browser.page_source[:2000]
    langs = {h.find_element(By.CLASS_NAME, "meta").text.split(" · ")[0] for h in hits}
    assert langs <= {"ru", "kk"}  # the chips filtered
    first = hits[0]
    assert first.find_element(By.TAG_NAME, "mark").text.strip()  # the best sentence
    assert "p. " in first.find_element(By.CLASS_NAME, "cite").text
    facets = browser.find_element(By.TAG_NAME, "aside").text
    assert "Agencies" in facets or "Laws and acts" in facets
    link = first.find_element(By.PARTIAL_LINK_TEXT, "open the file")
    assert "/file/" in link.get_attribute("href") and "#page=" in link.get_attribute("href")


def test_web_facet_link_filters_by_the_entity(site):
    from selenium.webdriver.common.by import By

    browser, base = site
    browser.get(base + "/?q=work+permits+for+foreign+workers")
    links = browser.find_elements(By.CSS_SELECTOR, "aside a")
    assert links, browser.find_element(By.TAG_NAME, "aside").text
    entity = links[0].get_attribute("href").split("entity=")[1].split("&")[0]
    links[0].click()
    shot(browser, "facet")
    assert f"entity={entity}" in browser.current_url
    assert browser.find_elements(By.CLASS_NAME, "hit")


def test_web_bad_filter_is_one_clear_line(site):
    from selenium.webdriver.common.by import By

    browser, base = site
    browser.get(base + "/?q=quota&year=20x1")
    assert "Year must look like 2021" in browser.find_element(By.CLASS_NAME, "error").text


def test_web_documents_entities_and_csv(site):
    import urllib.request

    from selenium.webdriver.common.by import By

    browser, base = site
    browser.get(base + "/documents")
    shot(browser, "documents")
    rows = browser.find_elements(By.CSS_SELECTOR, "table tr")
    assert len(rows) == 1 + len(list(CORPUS.glob("*.pdf"))) + len(list(CORPUS.glob("*.md")))
    browser.get(base + "/entities?label=LAW")
    shot(browser, "entities")
    assert "477-IV" in browser.find_element(By.TAG_NAME, "table").text
    with urllib.request.urlopen(base + "/entities.csv?label=LAW") as reply:
        csv = reply.read().decode()
    assert csv.startswith("doc_id,") and "LAW" in csv
    with urllib.request.urlopen(base + "/documents.csv") as reply:
        assert reply.read().decode().startswith("doc_id,")


def test_web_serves_only_files_the_index_holds(site):
    import urllib.error
    import urllib.request

    _, base = site
    with urllib.request.urlopen(base + "/file/ru_work_permits") as reply:
        assert reply.headers["Content-Type"] == "application/pdf"
        assert reply.read(5) == b"%PDF-"
    for path in ("/file/..%2F..%2Fetc%2Fpasswd", "/file/%2Fetc%2Fpasswd", "/file/nothing"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + path)
        assert err.value.code == 404
