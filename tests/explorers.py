"""Move every slider of every interactive figure on a page, in Chromium with
the network blocked, and check that the figure redraws (used by the browser
tests of the website and by the Colab stand-in's)."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

#: The most one figure may weigh in the page (HTML, data and script).
MAX_BYTES = 1_000_000


def offline(driver):
    """Block every request that would leave the machine (file:// still loads)."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs",
                           {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})


def check_explorers(driver):
    """Every figure on the loaded page: its sliders are labelled, and moving
    each one (with the keyboard) changes the drawing and the caption. Returns
    how many figures the page has."""
    figures = driver.find_elements(By.CSS_SELECTOR, ".d2l-explorer")
    for figure in figures:
        name = figure.get_attribute("id")
        size = len(figure.get_attribute("outerHTML").encode())
        assert size <= MAX_BYTES, f"{name} weighs {size} bytes"
        svg = figure.find_element(By.CSS_SELECTOR, "svg")
        caption = figure.find_element(By.CSS_SELECTOR, "figcaption")
        assert svg.get_attribute("innerHTML"), f"{name} drew nothing: did its script run?"
        assert not figure.find_elements(By.CSS_SELECTOR, "img"), f"{name} kept its still"
        sliders = figure.find_elements(By.CSS_SELECTOR, "input[type=range]")
        assert sliders, f"{name} has no slider"
        for slider in sliders:
            sid = slider.get_attribute("id")
            label = figure.find_elements(By.CSS_SELECTOR, f"label[for='{sid}']")
            assert label and label[0].text.strip(), f"slider {sid} has no label"
            before = (svg.get_attribute("innerHTML"), caption.text,
                      slider.get_attribute("aria-valuetext"))
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider)
            slider.send_keys(Keys.ARROW_RIGHT)
            after = (svg.get_attribute("innerHTML"), caption.text,
                     slider.get_attribute("aria-valuetext"))
            assert slider.get_attribute("value") == "1", f"{sid} did not move"
            assert after[0] != before[0], f"moving {sid} did not change the drawing"
            assert after[1] != before[1] and after[2] != before[2], (
                f"moving {sid} did not change the caption and the slider's value text")
            slider.send_keys(Keys.HOME)
    return len(figures)


def chromium():
    """A headless Chromium driven by Selenium (quit it when done)."""
    import headless  # tools/headless.py
    return headless.chromium("--window-size=1100,900")
