"""A lesson in real JupyterLab, in Chromium: the notebook tests drive the widgets inside the kernel; this one checks
that a student's browser shows them — run all cells as the menu does, then use a control and answer a question."""
import re
import shutil

from browser import CHROMIUM, CHROMIUM_ARGS, ROOT, ensure_chromium, running_jupyterlab

LESSON = "04_pooling.ipynb"  # needs no dataset, runs in seconds; every widget kind the lessons use
KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                        const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                        return !!k && k.status === 'idle'; }"""
ALL_RAN = """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent);
                    return p.length > 0 && p.every(x => /\\[\\d+\\]/.test(x)); }"""


def test_a_lesson_runs_in_jupyterlab_and_its_controls_and_questions_answer_the_student(tmp_path):
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    lessons = tmp_path / "notebooks"  # a copy: JupyterLab autosaves the outputs and widget state of what it runs
    lessons.mkdir()
    for f in (LESSON, "lesson.py"):
        shutil.copyfile(ROOT / "notebooks" / f, lessons / f)
    with running_jupyterlab(lessons) as lab, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{lab.url}/lab/tree/{LESSON}", timeout=120_000)
            page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')", timeout=120_000)
            page.wait_for_function(KERNEL_IDLE, timeout=120_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(ALL_RAN, timeout=300_000)
            outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
            assert not [t for t in outputs if "Traceback" in t], [t for t in outputs if "Traceback" in t][0][:2000]
            assert not [t for t in outputs if re.search(r"<[\w.]+ (object )?at 0x", t)]  # no object's repr
            panels = page.locator(".jp-CodeCell:has(.js-plotly-plot)")
            assert panels.count() >= 4, "every pooling panel draws its figure"  # one-pooling, top-k, unpooling, adaptive

            first = panels.first
            first.scroll_into_view_if_needed()
            title = lambda: first.locator(".js-plotly-plot .gtitle").first.text_content()
            assert title().startswith("max pooling")
            first.locator(".widget-dropdown select").nth(1).select_option("avg")  # photo, then pooling
            page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]"
                                   ".some(t => t.textContent.startsWith('avg pooling'))", timeout=60_000)
            assert title().startswith("avg pooling")  # the panel redrew in the browser, not only in the kernel

            photo = ROOT / "poseviz" / "gallery" / "photos" / "04_basketball-dunk.jpg"
            with page.expect_file_chooser() as chooser:
                first.locator(".widget-upload").first.click()  # the panel's *your photo* button
            chooser.value.set_files(str(photo))
            page.wait_for_function("() => [...document.querySelectorAll('.widget-dropdown select')]"
                                   ".some(s => s.value === 'your photo: 04_basketball-dunk.jpg')", timeout=60_000)
            assert (lessons / "my_photos" / photo.name).read_bytes() == photo.read_bytes()  # kept for the next lessons
            assert first.locator(".widget-dropdown select").first.input_value() == "your photo: 04_basketball-dunk.jpg"

            question = page.locator(".widget-vbox:has-text('Predict first.')").first
            question.scroll_into_view_if_needed()
            question.locator("input[type=text]").fill("not a number")
            question.locator("button:has-text('Check')").click()
            page.wait_for_selector("text=Type a number first", timeout=30_000)
            question.locator("input[type=text]").fill("20")
            question.locator("button:has-text('Check')").click()
            answer = question.locator("text=/^(Close|Not quite)/")
            answer.wait_for(timeout=30_000)
            assert re.search(r"the answer is [\d.]+ % \(you said 20\)", answer.inner_text()), answer.inner_text()
            question.screenshot(path=str(tmp_path / "question.png"))
        finally:
            browser.close()
