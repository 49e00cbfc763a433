"""A headless Chromium (Debian's ``chromium`` and ``chromium-driver``,
nothing downloaded) driven by Selenium through a real Horizon: what the
browser tests of the Horizon panels share."""

import os
import re
import time

from selenium.common import exceptions as sel_exc
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM = os.environ.get('KARBOR_CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('KARBOR_CHROMEDRIVER', '/usr/bin/chromedriver')
PAGE_TIMEOUT = 60


class Browser:
    """One browser session (its own cookies: one logged-in user)."""

    def __init__(self, base_url, screenshots):
        self.base = base_url.rstrip('/')
        self.screenshots = screenshots
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ('--headless=new', '--no-sandbox',
                    '--disable-dev-shm-usage', '--disable-gpu',
                    '--window-size=1400,1000', '--lang=en-US',
                    '--no-first-run', '--disable-extensions'):
            opts.add_argument(arg)
        self.driver = webdriver.Chrome(
            service=Service(executable_path=CHROMEDRIVER), options=opts)
        self.driver.set_page_load_timeout(PAGE_TIMEOUT)
        # path -> seconds of each page load (navigation timing)
        self.timings = []

    def quit(self):
        self.driver.quit()

    # Pages

    def get(self, path):
        self.driver.get(self.base + path)
        self._timed(path)
        self.assert_no_server_error()

    def _timed(self, path):
        ms = self.driver.execute_script(
            'var t = performance.getEntriesByType("navigation")[0];'
            'return t ? t.duration : null;')
        if ms:
            self.timings.append((path, ms / 1000.0))

    def assert_no_server_error(self):
        title = self.driver.title
        if 'Server error' in title or 'Something went wrong' in \
                self.driver.page_source[:20000] and 'error' in title.lower():
            raise AssertionError('server error page at %s: %s' % (
                self.driver.current_url, title))
        assert 'Traceback' not in self.driver.page_source, \
            'a stack trace on %s' % self.driver.current_url

    def login(self, user, password):
        self.driver.delete_all_cookies()
        self.get('/auth/login/')
        self.driver.find_element(By.ID, 'id_username').send_keys(user)
        self.driver.find_element(By.ID, 'id_password').send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR,
                                 'button[type=submit], #loginBtn').click()
        self.wait(lambda: '/auth/login' not in self.driver.current_url or
                  self.messages(), 'the login to finish')
        if '/auth/login' in self.driver.current_url:
            raise AssertionError('login of %s failed: %s' % (
                user, self.messages()))
        self._timed('login')

    def switch_region(self, region, then):
        """Horizon's region picker: the services of ``region``."""
        self.get('/auth/switch_services_region/%s/?next=%s' % (region, then))

    def wait(self, predicate, what, timeout=PAGE_TIMEOUT, interval=0.3):
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                result = predicate()
            except (sel_exc.StaleElementReferenceException,
                    sel_exc.NoSuchElementException, AssertionError) as e:
                # A page that reloads itself may be caught half drawn.
                result, last = None, e
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError('timed out after %ss waiting for %s on '
                                     '%s (last: %r)' % (
                                         timeout, what,
                                         self.driver.current_url, last))
            time.sleep(interval)

    def poll_page(self, path, predicate, what, timeout=120):
        """Reload ``path`` until ``predicate()`` holds."""
        def check():
            self.get(path)
            return predicate()
        return self.wait(check, what, timeout=timeout, interval=1)

    # What is on the page

    def find(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, 'body').text

    def messages(self):
        return [e.text for e in self.find('.alert, .messages .alert')]

    def rows(self, table):
        """{row id: row text} of the Horizon DataTable ``table``."""
        rows = {}
        for tr in self.find('table#%s tbody tr' % table):
            rid = tr.get_attribute('data-object-id')
            if rid:
                rows[rid] = tr.text
        return rows

    def detail(self, label):
        """The value of ``label`` on a detail page."""
        for dt in self.find('.karbor-detail dt'):
            if dt.text.strip() == label:
                return dt.find_element(By.XPATH,
                                       'following-sibling::dd[1]').text
        raise AssertionError('no %r on %s' % (label,
                                              self.driver.current_url))

    def has_action(self, table, name, row_id=None):
        """Whether the table shows action ``name`` (for ``row_id``, a row
        action; else a table action)."""
        if row_id:
            css = '#%s__row_%s__action_%s' % (table, row_id, name)
        else:
            css = '#%s__action_%s' % (table, name)
        return bool(self.find(css))

    def row_action(self, table, row_id, name):
        """Press a row action (also one folded into the row's menu)."""
        [button] = self.find('#%s__row_%s__action_%s' % (table, row_id,
                                                         name))
        self.driver.execute_script('arguments[0].click();', button)
        self.driver.execute_script('return document.readyState')

    def open_modal(self, table, action):
        """Press a table action that opens a modal form; wait for it."""
        button_id = '%s__action_%s' % (table, action)
        self.driver.find_element(By.ID, button_id).click()
        self.wait(lambda: [m for m in self.find('.modal form')
                           if m.is_displayed()], 'the modal form')

    def submit_form(self, fields, checkboxes=(), done=None):
        """Fill a form (a page or a modal; fields by name) and submit
        it; wait for ``done()`` (default: another page)."""
        for name, value in fields.items():
            field = self.driver.find_element(By.NAME, name)
            field.clear()
            field.send_keys(value)
        for label_text in checkboxes:
            boxes = []
            for label in self.find('label'):
                if label_text not in label.text:
                    continue
                target = label.get_attribute('for')
                if target:
                    boxes += self.find('input#%s[type=checkbox]' % target)
                boxes += label.find_elements(By.CSS_SELECTOR,
                                             'input[type=checkbox]')
            if not boxes:
                raise AssertionError('no checkbox %r in %s' % (
                    label_text, [lab.text for lab in self.find('label')]))
            if not boxes[0].is_selected():
                self.driver.execute_script('arguments[0].click();', boxes[0])
        before = self.driver.current_url
        [submit] = self.find('form input[type=submit], '
                             'form button[type=submit]')[-1:]
        self.driver.execute_script('arguments[0].click();', submit)
        self.wait(lambda: (done() if done else
                           self.driver.current_url != before) or
                  self.find('.has-error, .alert-danger'),
                  'the form to be answered')

    def server_filter(self, table, field, value):
        """Filter ``table`` by the API (Horizon's server-side filter:
        the field and value are posted with the table's form)."""
        prefix = '%s__filter__q' % table
        before = self.driver.execute_script('return performance.timeOrigin')
        self.driver.execute_script(
            'var f = document.querySelector("[name=%s]").form;'
            'var set = function (n, v) {'
            '  var e = f.querySelector("[name=" + n + "]");'
            '  if (!e) { e = document.createElement("input");'
            '            e.type = "hidden"; e.name = n; f.appendChild(e); }'
            '  e.value = v; };'
            'set("%s", arguments[0]); set("%s_field", arguments[1]);'
            'var b = document.createElement("input"); b.type = "hidden";'
            'b.name = "action"; b.value = "%s__filter"; f.appendChild(b);'
            'f.submit();' % (prefix, prefix, prefix, table), value, field)
        self.wait(lambda: self.driver.execute_script(
            'return performance.timeOrigin') != before and
            self.driver.execute_script('return document.readyState') ==
            'complete', 'the filtered page')
        self._timed('%s filtered by %s=%s' % (table, field, value))

    def screenshot(self, name):
        os.makedirs(self.screenshots, exist_ok=True)
        path = os.path.join(self.screenshots,
                            re.sub(r'[^\w.-]+', '-', name) + '.png')
        self.driver.save_screenshot(path)
        return path
