#!/usr/bin/python3
"""Drives the desk in headless Chromium (Debian's chromium, chromium-driver and
python3-selenium) as a desk clerk would: logs in, searches a case by its number, plays its recordings
(their duration is read from the <audio> element), sets a status with a note and checks the
page shows it queued for the box. Prints one JSON object with what it saw.

usage: desk-browser.py BASE_URL USER PASSWORD CASE_NUMBER STATUS NOTE [SCREENSHOT_DIR]
"""
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

base, user, password, number, status, note = sys.argv[1:7]
shots = sys.argv[7] if len(sys.argv) > 7 else None

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--autoplay-policy=no-user-gesture-required"):
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(60)
seen = {}
try:
    wait = WebDriverWait(driver, 60)
    driver.get(base + "/cases")
    seen["redirected_to_login"] = driver.current_url.endswith("/login")
    driver.find_element(By.ID, "name").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login").click()
    wait.until(lambda d: d.current_url.endswith("/cases"))
    search = driver.find_element(By.ID, "search")
    search.find_element(By.NAME, "number").send_keys(number)
    search.submit()
    wait.until(lambda d: "number=" in d.current_url)
    if shots:
        driver.save_screenshot(shots + "/desk-cases.png")
    driver.find_element(By.LINK_TEXT, number).click()
    wait.until(lambda d: d.find_elements(By.ID, "number"))
    seen["number"] = driver.find_element(By.ID, "number").text
    for player in ("message", "whole-call"):
        if driver.find_elements(By.ID, player):
            wait.until(lambda d: d.execute_script("return document.getElementById(arguments[0]).readyState", player) >= 1)
            seen[player + "_duration"] = driver.execute_script("return document.getElementById(arguments[0]).duration", player)
            played = driver.execute_script("""
                const a = document.getElementById(arguments[0]); a.muted = true;
                return a.play().then(() => true, e => String(e));""", player)
            seen[player + "_played"] = played
    if shots:
        driver.save_screenshot(shots + "/desk-case.png")
    Select(driver.find_element(By.ID, "new-status")).select_by_value(status)
    driver.find_element(By.ID, "note").send_keys(note)
    driver.find_element(By.ID, "save-status").click()
    wait.until(lambda d: d.find_elements(By.ID, "outbox"))
    seen["outbox"] = driver.find_element(By.ID, "outbox").text
    driver.get(base + "/boxes")
    seen["boxes"] = driver.find_element(By.ID, "boxes").text
    if shots:
        driver.save_screenshot(shots + "/desk-boxes.png")
finally:
    driver.quit()
print(json.dumps(seen, ensure_ascii=False))
