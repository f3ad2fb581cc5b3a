"""Headless Chromium driven by Selenium, the browser that prints the PDF
edition (tools/pdf.py) and that the tests read pages with, and a quiet local
web server for the pages it opens."""
import functools
import http.server
import shutil
import threading

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-dev-shm-usage")


def chromium(*flags):
    """A headless Chromium with FLAGS and ``flags`` (quit it when done)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in FLAGS + flags:
        options.add_argument(flag)
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver), options=options)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a browser that drops a connection early is not a failure


def serve(folder):
    """A web server for ``folder`` on a free port of localhost, in a thread
    (MathJax loads its parts over HTTP); ``shutdown()`` it when done."""
    server = _QuietServer(("127.0.0.1", 0),
                          functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
