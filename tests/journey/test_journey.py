"""The whole trade in a real browser (Chromium), against gunicorn, through pages only.

A farmer (Russian interface) registers (the account is made by the link e-mailed to the
address), fills the producer profile with a GACC number and an organic certificate, lists
buckwheat named in Chinese and Russian with three price tiers, adds a lot; the admin verifies
the producer; the farmer publishes. A buyer registers, switches to Chinese, searches 荞麦, meets
the MOQ error in Chinese, sees the landed cost, checks out, pays by bank transfer and
downloads the proforma; the admin records the transfer; the farmer confirms and marks the
order ready. The operator (Russian) consolidates it into a shipment, uploads the export
documents and records every milestone with the phone-friendly form. Temperature readings come
in through the API with an operator's bearer token, as telematics units send them (the one
step that is not a page), with one excursion longer than the grace period. The buyer follows
the timeline, sees the excursion and the chart, opens the public tracking page and confirms
receipt; the farmer sees the payout due. A second order is paid by card through the payment
page's test-mode button (the server confirms the PaymentIntent against localstripe with
Stripe's test card: Stripe.js cannot load offline). Finally a second buyer repeats the buyer's
steps on a 390×844 phone screen, with no horizontal scrolling.

Every page is checked with axe-core (no serious or critical violations, reported together at
the end) and the main ones are saved to test-results/screenshots/ (`make screenshots` saves them
to docs/screenshots/ instead).
"""

import os
import re
import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tests.journey.conftest import ADMIN, OPERATOR
from tests.journey.helpers import Recorder, amount_of, api_post, en, pdf_bytes, png_bytes, ru, upload, zh

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "Journey-pass-2026"
FARMER = {"email": "farmer@journey.example", "name": "Иван Петров", "company": "ООО «Уральская нива»"}
BUYER = {"email": "buyer@journey.example", "name": "王伟", "company": "哈尔滨道外粮油批发有限公司"}
PHONE_BUYER = {"email": "buyer2@journey.example", "name": "李娜", "company": "哈尔滨北方食品贸易"}
GACC = "CRUS74010020260001"
PRODUCT_ZH = "有机荞麦米"
PRODUCT_RU = "Гречневая крупа органическая"
CHELYABINSK = timezone(timedelta(hours=5))
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: The innermost elements sticking out to the right of the viewport (to say what to fix).
WIDE_ELEMENTS = """(limit) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 1
               && ![...e.children].some(c => c.getBoundingClientRect().right > limit + 1))
  .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.replace(/ /g, '.') : '')
    + ' ' + Math.round(e.getBoundingClientRect().right))"""


@pytest.fixture(scope="module")
def recorder():
    return Recorder()


def new_page(browser, server, viewport=DESKTOP, **options):
    context = browser.new_context(
        base_url=server.url,
        viewport=viewport,
        bypass_csp=True,  # lets the test inject axe-core; the app's own CSP stays on
        locale=options.pop("locale", "en-US"),
        timezone_id=options.pop("timezone_id", "Asia/Shanghai"),
        accept_downloads=True,
        **options,
    )
    # JOURNEY_TIMEOUT_MS: more patience on a loaded machine (a first search index build can take seconds).
    context.set_default_timeout(int(os.environ.get("JOURNEY_TIMEOUT_MS", "15000")))
    return context.new_page()


def expect_flash(page, text: str) -> None:
    errors = page.locator(".flash-error, .field-error")
    assert errors.count() == 0 or not errors.first.is_visible(), errors.all_inner_texts()
    assert text in page.locator(".flashes").inner_text(), page.locator(".flashes").inner_text()


def register(page, rec, server, who: dict, role: str, language: str, shot: str | None = None) -> None:
    """Sign up, then follow the confirmation link the app e-mails to the address."""
    page.goto("/register")
    rec.check(page, shot)
    page.get_by_label(en("I am")).select_option(role)
    page.get_by_label(en("Your name")).fill(who["name"])
    page.get_by_label(en("Company")).fill(who["company"])
    page.get_by_label(en("E-mail")).fill(who["email"])
    page.get_by_label(en("Phone")).fill("+7 351 200-00-00" if role == "farmer" else "+86 451 8888 0000")
    page.get_by_label(en("Language")).select_option(language)
    page.get_by_label(en("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(en("Repeat the password")).fill(PASSWORD)
    page.get_by_role("button", name=en("Create account")).click()
    page.wait_for_url("**/register/sent")
    rec.check(page)
    message = server.mail.wait_for(who["email"])
    link = re.search(r"https?://\S+/register/confirm/\S+", message.get_content()).group(0)
    page.goto(link)
    rec.check(page)
    page.get_by_role("button", name=en("Create my account")).click()
    page.wait_for_url("**/")


def log_in(page, rec, email: str, password: str, words=en) -> None:
    page.goto("/login")
    rec.check(page)
    page.get_by_label(words("E-mail")).fill(email)
    page.get_by_label(words("Password")).fill(password)
    page.get_by_role("button", name=words("Log in")).click()
    page.wait_for_url("**/")


def local(dt: datetime) -> str:
    """A datetime-local value in Chelyabinsk time."""
    return dt.astimezone(CHELYABINSK).strftime("%Y-%m-%dT%H:%M")


def test_journey(journey_browser, server, recorder):
    browser = journey_browser
    started = time.monotonic()
    rec = recorder
    pending = []
    farmer = new_page(browser, server, locale="ru-RU", timezone_id="Asia/Yekaterinburg")
    admin = new_page(browser, server)
    buyer = new_page(browser, server, locale="zh-CN", timezone_id="Asia/Shanghai")
    operator = new_page(browser, server, locale="ru-RU", timezone_id="Asia/Yekaterinburg")

    # ---- 1. The farmer registers (Russian interface) and describes the farm -------------------
    farmer.goto("/")
    rec.check(farmer, "01-home-ru")
    farmer.get_by_role("button", name="English").click()  # the registration form in English…
    register(farmer, rec, server, FARMER, "farmer", "ru", shot="02-register-en")  # …the account in Russian
    expect_flash(farmer, ru("Welcome to AgroBridge, %(name)s!", name=FARMER["name"]))
    assert farmer.locator("html").get_attribute("lang") == "ru"

    farmer.goto("/catalog/my/producer")
    rec.check(farmer)
    farmer.get_by_label(ru("Legal name in Russian")).fill("ООО «Уральская нива»")
    farmer.get_by_label(ru("Name in Chinese")).fill("乌拉尔尼瓦有限公司")
    farmer.get_by_label(ru("Name in English")).fill("Uralskaya Niva LLC")
    farmer.get_by_label(ru("Description in Chinese")).fill("车里雅宾斯克州卡尔塔雷区的有机荞麦和亚麻农场。")
    farmer.get_by_label(ru("Description in Russian")).fill(
        "Органическое хозяйство в Карталинском районе: гречиха и лён."
    )
    farmer.get_by_label(ru("District")).select_option("kartalinsky")
    farmer.get_by_label(ru("Address"), exact=True).fill("г. Карталы, ул. Полевая, 1")
    farmer.get_by_label(ru("Contact person")).fill(FARMER["name"])
    farmer.get_by_label(ru("GACC registration number")).fill(GACC)
    farmer.get_by_label(ru("GACC registration valid until")).fill(f"{date.today().year + 3}-12-31")
    farmer.get_by_label(ru("Categories the GACC registration covers")).select_option(["grains"])
    # Legal data with valid check digits: without it the admin cannot verify the profile.
    for label, value in (
        ("Full legal name in Russian", "Общество с ограниченной ответственностью «Уральская нива»"),
        ("Full legal name in English", "Uralskaya Niva Limited Liability Company"),
        ("INN", "7440001230"),
        ("KPP (companies)", "744001001"),
        ("OGRN or OGRNIP", "1027400000121"),
        ("Legal address in Russian", "457390, Челябинская обл., г. Карталы, ул. Полевая, 1"),
        ("Legal address in English", "1 Polevaya St, Kartaly, Chelyabinsk oblast, 457390, Russia"),
        ("Signatory's name", FARMER["name"]),
        ("Signatory's position", "Генеральный директор"),
        ("Bank", "ПАО Сбербанк"),
        ("BIK", "047501602"),
        ("SWIFT code", "SABRRUMM"),
        ("Settlement account", "40702810972000000002"),
        ("Correspondent account", "30101810700000000602"),
    ):
        farmer.get_by_label(ru(label), exact=True).fill(value)
    farmer.get_by_role("button", name=ru("Save"), exact=True).click()
    farmer.wait_for_load_state()
    expect_flash(farmer, ru("Your producer profile is saved and waits for review."))

    farmer.get_by_label(ru("Kind")).select_option("organic_cn")
    farmer.get_by_label(ru("Number"), exact=True).fill("CN-ORG-2026-0042")
    farmer.get_by_label(ru("Issued by")).fill("中绿华夏有机食品认证中心")
    farmer.get_by_label(ru("Valid from")).fill(f"{date.today().year}-01-15")
    farmer.get_by_label(ru("Valid until")).fill(f"{date.today().year + 2}-01-14")
    farmer.get_by_label(ru("Scan (PDF or image, up to 10 MB)")).set_input_files(
        upload("organic-cn.pdf", pdf_bytes("GB/T 19630 organic certificate"))
    )
    farmer.get_by_role("button", name=ru("Add certificate")).click()
    farmer.wait_for_load_state()
    expect_flash(farmer, ru("Certificate added."))
    assert "CN-ORG-2026-0042" in farmer.locator("main").inner_text()
    rec.check(farmer, "farmer-producer-profile-ru")

    # Buckwheat: names in Chinese and Russian, three price tiers (the first is the MOQ).
    farmer.goto("/catalog/my/products/new")
    farmer.get_by_label(ru("Name in Chinese")).fill(PRODUCT_ZH)
    farmer.get_by_label(ru("Name in Russian")).fill(PRODUCT_RU)
    farmer.get_by_label(ru("Description in Chinese")).fill("南乌拉尔有机荞麦，不含农药，25公斤编织袋。")
    farmer.get_by_label(ru("Description in Russian")).fill("Ядрица первого сорта, мешки по 25 кг.")
    farmer.get_by_label(ru("Category")).select_option("grains")
    farmer.get_by_label(ru("Chinese tariff code (10 digits)")).fill("1008100000")
    farmer.get_by_label(ru("Unit of sale")).select_option("kg")
    farmer.get_by_label(ru("Net weight per unit, kg")).fill("1")
    farmer.get_by_label(ru("Gross weight per unit, kg")).fill("1.02")
    farmer.get_by_label(ru("Package"), exact=True).select_option("bag")
    farmer.get_by_label(ru("Size of one package")).fill("25")
    farmer.get_by_label(ru("Size unit")).select_option("kg")
    farmer.get_by_label(ru("Note on the packing")).fill("Полипропиленовые мешки")
    farmer.get_by_label(ru("Origin")).fill("Челябинская область, Россия")
    farmer.get_by_label(ru("Shelf life, days")).fill("365")
    farmer.get_by_label(ru("Storage from, °C")).fill("5")
    farmer.get_by_label(ru("Storage to, °C")).fill("20")
    farmer.get_by_label(ru("Sold as organic (shown only with a valid certificate)")).check()
    for row, (quantity, price) in enumerate((("500", "14.50"), ("2000", "13.20"), ("10000", "12.00")), 1):
        farmer.get_by_label(f"{ru('From quantity')} {row}", exact=True).fill(quantity)
        farmer.get_by_label(f"{ru('Unit price, CNY')} {row}", exact=True).fill(price)
    rec.check(farmer, "farmer-product-form-ru")
    farmer.get_by_role("button", name=ru("Save"), exact=True).click()
    farmer.wait_for_url(re.compile(r"/catalog/my/products/\d+/edit"))
    expect_flash(farmer, ru("Product saved."))
    product_edit_url = farmer.url
    product_id = int(re.search(r"/products/(\d+)/", product_edit_url).group(1))

    farmer.get_by_label(ru("Lot number")).fill("KRT-2026-001")
    farmer.get_by_label(ru("Produced or harvested on")).fill((date.today() - timedelta(days=30)).isoformat())
    farmer.get_by_label(ru("Best before")).fill((date.today() + timedelta(days=330)).isoformat())
    farmer.get_by_label(ru("Quantity"), exact=True).fill("20000")
    farmer.get_by_role("button", name=ru("Add lot")).click()
    farmer.wait_for_load_state()
    expect_flash(farmer, ru("Lot added."))
    assert "KRT-2026-001" in farmer.locator("#lots").inner_text()
    rec.check(farmer)
    add_product_photos(farmer, rec)

    # ---- 2. The admin verifies the producer; the farmer publishes --------------------------------
    log_in(admin, rec, ADMIN[0], ADMIN[1])
    admin.goto("/catalog/admin/verification")
    rec.check(admin, "admin-verification-en")
    card = admin.locator("section.card", has_text="ООО «Уральская нива»")
    assert GACC in card.inner_text()
    card.get_by_role("button", name=en("Verify")).click()
    admin.wait_for_load_state()
    expect_flash(admin, en("%(name)s is verified.", name="ООО «Уральская нива»"))

    farmer.goto(product_edit_url)
    farmer.get_by_label(ru("Status")).select_option("active")
    farmer.get_by_role("button", name=ru("Save"), exact=True).click()
    farmer.wait_for_load_state()
    expect_flash(farmer, ru("Product saved."))
    farmer.goto("/catalog/my/products")
    rec.check(farmer, "farmer-products-ru")

    # ---- 3. The buyer: Chinese, search, MOQ, landed cost, checkout, bank transfer, proforma ------
    buyer.goto("/")
    buyer.get_by_role("button", name="English").click()
    register(buyer, rec, server, BUYER, "buyer", "en")
    buyer.get_by_role("button", name="中文").click()  # the header's language switcher
    buyer.wait_for_load_state()
    assert buyer.locator("html").get_attribute("lang") == "zh-Hans"
    rec.check(buyer, "01-home-zh")

    buyer.get_by_role("link", name=zh("Catalog"), exact=True).first.click()
    buyer.get_by_role("searchbox").fill("荞麦")
    buyer.get_by_role("button", name=zh("Search"), exact=True).click()
    buyer.wait_for_url(re.compile(r"q="))
    rec.check(buyer, "buyer-search-zh")
    buyer.get_by_role("link", name=PRODUCT_ZH).first.click()
    buyer.wait_for_url(f"**/catalog/products/{product_id}")
    assert zh("Organic (CN)") in buyer.locator("main").inner_text()
    look_through_gallery(buyer, rec)

    cart_form = buyer.locator("#add-to-cart")
    cart_form.get_by_label(zh("Quantity to order")).fill("100")
    cart_form.get_by_role("button", name=zh("Add to cart")).click()
    buyer.wait_for_load_state()
    error = buyer.locator(".flash-error")
    assert "最小起订量为" in error.inner_text(), error.inner_text()
    rec.check(buyer, "buyer-moq-error-zh")
    buyer.locator("#add-to-cart").get_by_label(zh("Quantity to order")).fill("1000")

    # The landed cost in Harbin for that quantity (trade).
    buyer.locator("#your-price").get_by_label(zh("Your quantity")).fill("1000")
    buyer.locator("#your-price").get_by_role("button", name=zh("Calculate")).click()
    buyer.wait_for_load_state()
    landed = buyer.locator("#landed-cost")
    if landed.count() != 1:
        pending.append("the product page shows no landed-cost estimate (trade)")
    else:
        assert zh("Delivered to the Harbin Daowai warehouse") in landed.inner_text()
    rec.check(buyer, "buyer-product-zh")

    buyer.locator("#add-to-cart").get_by_label(zh("Quantity to order")).fill("1000")
    buyer.locator("#add-to-cart").get_by_role("button", name=zh("Add to cart")).click()
    buyer.wait_for_url("**/cart")
    expect_flash(buyer, zh("Added to your cart."))
    rec.check(buyer, "buyer-cart-zh")
    buyer.get_by_label(zh("Delivery contact")).fill("王伟 +86 451 8888 0000")
    buyer.get_by_label(zh("Your reference / PO number")).fill("HRB-PO-2026-117")
    buyer.get_by_role("button", name=zh("Place orders")).click()
    # A new buyer's company (the importer of record) comes first: the checkout sends them there.
    buyer.wait_for_url(re.compile(r"/profile/company"))
    expect_flash(
        buyer, zh("Fill in your company's legal details (name, USCC, customs code, address, contact) first.")
    )
    for label, value in (
        ("Company name in Chinese", BUYER["company"]),
        ("Company name in English", "Harbin Daowai Grain & Oil Wholesale Co., Ltd."),
        ("Unified Social Credit Code", "91230104MA1B2C3D43"),
        ("Customs registration code", "2301960123"),
        ("Legal address in Chinese", "黑龙江省哈尔滨市道外区南直路398号"),
        ("Legal address in English", "398 Nanzhi Rd, Daowai District, Harbin, Heilongjiang"),
        ("Contact person", BUYER["name"]),
        ("Contact phone", "+86 451 8888 0000"),
    ):
        buyer.get_by_label(zh(label), exact=True).fill(value)
    rec.check(buyer, "buyer-company-zh")
    buyer.get_by_role("button", name=zh("Save"), exact=True).click()
    buyer.wait_for_url("**/cart")
    expect_flash(buyer, zh("Your company details are saved."))
    buyer.get_by_label(zh("Delivery contact")).fill("王伟 +86 451 8888 0000")
    buyer.get_by_label(zh("Your reference / PO number")).fill("HRB-PO-2026-117")
    buyer.get_by_role("button", name=zh("Place orders")).click()
    buyer.wait_for_url(re.compile(r"/checkouts/\d+"))
    rec.check(buyer, "buyer-checkout-zh")
    buyer.get_by_role("button", name=zh("Bank transfer (CNY)")).click()
    buyer.wait_for_url(re.compile(r"/payments/\d+"))
    reference = buyer.locator(".reference").inner_text().strip()
    assert reference
    rec.check(buyer, "buyer-bank-transfer-zh")
    upload_payment_slip(buyer, rec)

    order_link = buyer.locator("dd a[href*='/orders/']").first
    order_number = order_link.inner_text().strip()
    order_link.click()
    buyer.wait_for_url(re.compile(r"/orders/\d+$"))
    order_url = buyer.url
    order_id = int(order_url.rsplit("/", 1)[1])
    proforma = buyer.get_by_role("link", name=zh("Proforma invoice (PDF)"))
    if proforma.count() == 0:
        pending.append("the order page has no proforma invoice link (trade)")
    else:
        response = buyer.request.get(proforma.first.get_attribute("href"))
        assert response.ok and response.body().startswith(b"%PDF-"), response.status
    rec.check(buyer, "buyer-order-zh")
    converse_about_the_order(buyer, farmer, rec, order_id)

    # ---- 4. The admin records the transfer; the farmer confirms and gets it ready -----------------
    record_transfer_with_slip(admin, rec, reference)
    admin.wait_for_load_state()
    assert reference in admin.locator(".flash-success").inner_text()

    farmer.goto(f"/orders/{order_id}")
    rec.check(farmer, "farmer-order-ru")
    farmer.get_by_role("button", name=ru("Confirm the order")).click()
    farmer.wait_for_load_state()
    expect_flash(farmer, ru("The order is updated."))
    farmer.get_by_role("button", name=ru("Mark ready for pickup")).click()
    farmer.wait_for_load_state()
    expect_flash(farmer, ru("The order is updated."))

    # ---- 5. The operator: shipment, documents, milestones; telematics send temperatures --------
    log_in(operator, rec, OPERATOR[0], OPERATOR[1], words=ru)
    operator.goto("/logistics")
    rec.check(operator, "operator-console-ru")
    operator.get_by_label(order_number).check()
    operator.get_by_label(ru("Mode"), exact=True).select_option("road")
    operator.get_by_label(ru("Border crossing")).select_option("zabaikalsk-manzhouli")
    operator.get_by_label(ru("Carrier")).fill("ТК «Урал-Азия»")
    operator.get_by_label(ru("Vehicle or wagon number")).fill("А123ВС174")
    operator.get_by_label(ru("Container number")).fill("MSKU1234565")
    operator.get_by_label(ru("Seal number")).fill("SEAL-0042")
    operator.get_by_role("button", name=ru("Create the shipment")).click()
    operator.wait_for_url(re.compile(r"/logistics/shipments/\d+"))
    shipment_url = operator.url
    shipment_id = int(shipment_url.rsplit("/", 1)[1])
    tracking_code = operator.locator("a[href^='/track/']").first.inner_text().strip()

    documents = operator.locator("#documents")
    for kind, number in (
        ("phytosanitary", "FS-74-2026-1187"),
        ("sdiz", "SDIZ 7401-2026-000117"),  # grain: its FGIS Zerno document
        ("origin", "CT-1 2026/0042"),
        ("invoice", "INV-2026-0042"),
        ("packing_list", "PL-2026-0042"),
        ("cmr", "CMR 0042117"),
    ):
        documents.get_by_label(ru("Document"), exact=True).select_option(kind)
        documents.get_by_label(ru("Number"), exact=True).fill(number)
        documents.get_by_label(ru("File (PDF or image)")).set_input_files(
            upload(f"{kind}.pdf", pdf_bytes(f"{kind} {number}"))
        )
        documents.get_by_role("button", name=ru("Upload")).click()
        operator.wait_for_load_state()
        expect_flash(operator, ru("Document uploaded."))
    assert operator.locator("#documents .badge-ok").count() == 1, "the checklist is not complete"

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(hours=60)
    milestones = [
        ("picked_up", 0, "Карталы, склад хозяйства", None),
        ("departed_origin", 2, "Челябинск", None),
        ("arrived_border", 30, "Забайкальск", None),
        ("export_customs_cleared", 33, "Забайкальск, таможенный пост", None),
        ("border_crossed", 35, "Забайкальск — Маньчжурия", None),
        ("import_customs_released", 40, "满洲里海关", None),
        ("arrived_warehouse", 52, "哈尔滨道外物流园", None),
        ("delivered", 56, "哈尔滨道外区", "photo"),
    ]
    record = operator.locator("#record")
    for kind, hours, place, attachment in milestones:
        record.get_by_label(ru("Milestone")).select_option(kind)
        record.get_by_label(ru("When")).fill(local(start + timedelta(hours=hours)))
        record.get_by_label(ru("Time zone")).select_option("Asia/Yekaterinburg")
        record.get_by_label(ru("Place")).fill(place)
        if attachment:
            photo = upload("proof-of-delivery.png", png_bytes(), "image/png")
            record.get_by_label(ru("Photo or PDF")).set_input_files(photo)
        if kind == "departed_origin":
            rec.check(operator, "operator-event-form-ru")
        record.get_by_role("button", name=ru("Record"), exact=True).click()
        operator.wait_for_load_state()
        expect_flash(operator, ru("Recorded."))

    # Telematics: a reading every 20 minutes on the road, 90 minutes too warm near the border.
    credentials = {"email": OPERATOR[0], "password": OPERATOR[1]}
    token = api_post(server.url, "/api/v1/auth/token", credentials)["token"]
    readings = []
    for step in range(0, 50 * 3):
        at = start + timedelta(hours=3, minutes=20 * step)
        celsius = 12.0 + (step % 7) * 0.5
        if 60 <= step <= 65:
            celsius = 24.5 + (step - 60) * 0.3  # the excursion: above the 20 °C the product allows
        readings.append({"sensor_id": "TRK-174-T1", "recorded_at": at.isoformat(), "celsius": celsius})
    result = api_post(
        server.url, f"/api/v1/shipments/{shipment_id}/temperature-readings", {"readings": readings}, token
    )
    assert result["inserted"] == len(readings) and len(result["excursions"]) == 1, result

    upload_logger_file(operator, rec, shipment_id, start)
    operator.goto(shipment_url)
    operator.locator("canvas.temperature-chart").wait_for()
    rec.check(operator, "operator-shipment-ru")
    assert ru("Temperature excursion") in operator.locator("main").inner_text()

    # ---- 6. The buyer follows the goods, confirms receipt; the farmer's payout is due ---------
    buyer.goto(order_url)
    buyer.get_by_role("link", name=zh("Track the goods")).click()
    buyer.wait_for_url(f"**/orders/{order_id}/tracking")
    buyer.locator("canvas.temperature-chart").wait_for()
    buyer.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    text = buyer.locator("main").inner_text()
    assert zh("Temperature excursion") in text and zh("Delivered") in text
    assert zh("Arrived at the Daowai warehouse") in text
    rec.check(buyer, "buyer-tracking-zh")

    buyer.goto(f"/track/{tracking_code}")
    assert zh("Delivered") in buyer.locator("main").inner_text()
    rec.check(buyer, "public-tracking-zh")
    buyer.goto(order_url)
    buyer.get_by_role("button", name=zh("Confirm receipt")).click()
    buyer.wait_for_load_state()
    confirm_irreversible(buyer, rec, zh("Confirm receipt and release the payment"))
    expect_flash(buyer, zh("The order is updated."))
    rec.check(buyer)

    farmer.goto("/balance")
    payout = farmer.locator("tr", has_text=order_number)
    assert ru("due") in payout.inner_text(), payout.inner_text()
    assert amount_of(farmer.locator(".stat-value").nth(1).inner_text()) not in ("", "0.00", "000")
    rec.check(farmer, "farmer-balance-ru")

    # ---- A second order, paid by card on the payment page (test mode against localstripe) -----
    buyer.goto(f"/catalog/products/{product_id}")
    buyer.locator("#add-to-cart").get_by_label(zh("Quantity to order")).fill("500")
    buyer.locator("#add-to-cart").get_by_role("button", name=zh("Add to cart")).click()
    buyer.wait_for_url("**/cart")
    buyer.get_by_role("button", name=zh("Place orders")).click()
    buyer.wait_for_url(re.compile(r"/checkouts/\d+"))
    buyer.get_by_role("button", name=zh("Bank card")).click()
    buyer.wait_for_url(re.compile(r"/payments/\d+"))
    rec.check(buyer, "buyer-card-payment-zh")
    buyer.get_by_role("button", name=zh("Pay with the test card")).click()
    buyer.wait_for_load_state()
    expect_flash(buyer, zh("Payment received. Thank you!"))
    assert zh("Payment received. Thank you!") in buyer.locator("main section.card").last.inner_text()

    visit_todo_homes(farmer, buyer, operator, admin, rec)

    # ---- Dashboards ---------------------------------------------------------------------------------
    for page, shot in (
        (farmer, "farmer-dashboard-ru"),
        (buyer, "buyer-dashboard-zh"),
        (admin, "admin-dashboard-en"),
    ):
        page.goto("/dashboard")
        page.locator("canvas").first.wait_for()
        page.wait_for_function("() => !window.Chart || Object.keys(Chart.instances).length > 0")
        rec.check(page, shot)
    operator.goto("/dashboard")
    operator.wait_for_url("**/logistics/dashboard")
    rec.check(operator, "operator-dashboard-ru")
    for page, path in ((buyer, "/orders"), (farmer, "/orders"), (admin, "/orders"), (buyer, "/tracking")):
        page.goto(path)
        rec.check(page)

    # ---- The buyer's steps on a phone (390×844) --------------------------------------------------
    phone = new_page(browser, server, viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)

    def no_sideways_scroll(shot=None):
        rec.check(phone, shot)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{phone.url} scrolls sideways: {width}px; " + str(
            phone.evaluate(WIDE_ELEMENTS, PHONE["width"])
        )

    phone.goto("/")
    phone.get_by_role("button", name="English").click()
    register(phone, rec, server, PHONE_BUYER, "buyer", "en")
    phone.get_by_role("button", name="中文").click()
    phone.wait_for_load_state()
    no_sideways_scroll("phone-home-zh")
    phone.goto("/catalog")
    phone.get_by_role("searchbox").fill("荞麦")
    phone.get_by_role("button", name=zh("Search"), exact=True).click()
    phone.wait_for_url(re.compile(r"q="))
    no_sideways_scroll("phone-search-zh")
    phone.get_by_role("link", name=PRODUCT_ZH).first.click()
    phone.wait_for_url(f"**/catalog/products/{product_id}")
    phone.locator("#add-to-cart").get_by_label(zh("Quantity to order")).fill("100")
    phone.locator("#add-to-cart").get_by_role("button", name=zh("Add to cart")).click()
    phone.wait_for_load_state()
    assert "最小起订量为" in phone.locator(".flash-error").inner_text()
    no_sideways_scroll("phone-product-zh")
    phone.locator("#add-to-cart").get_by_label(zh("Quantity to order")).fill("2000")
    phone.locator("#add-to-cart").get_by_role("button", name=zh("Add to cart")).click()
    phone.wait_for_url("**/cart")
    no_sideways_scroll("phone-cart-zh")
    phone.get_by_role("button", name=zh("Place orders")).click()
    phone.wait_for_url(re.compile(r"/profile/company"))  # this buyer's company comes first
    for label, value in (
        ("Company name in Chinese", PHONE_BUYER["company"]),
        ("Company name in English", "Harbin Northern Food Trading Co., Ltd."),
        ("Unified Social Credit Code", "91230100000000001M"),
        ("Customs registration code", "2301961456"),
        ("Legal address in Chinese", "黑龙江省哈尔滨市道外区景阳街12号"),
        ("Legal address in English", "12 Jingyang St, Daowai District, Harbin"),
        ("Contact person", PHONE_BUYER["name"]),
        ("Contact phone", "+86 451 8666 1234"),
    ):
        phone.get_by_label(zh(label), exact=True).fill(value)
    no_sideways_scroll("phone-company-zh")
    phone.get_by_role("button", name=zh("Save"), exact=True).click()
    phone.wait_for_url("**/cart")
    phone.get_by_role("button", name=zh("Place orders")).click()
    phone.wait_for_url(re.compile(r"/checkouts/\d+"))
    no_sideways_scroll("phone-checkout-zh")
    phone.get_by_role("button", name=zh("Bank transfer (CNY)")).click()
    phone.wait_for_url(re.compile(r"/payments/\d+"))
    no_sideways_scroll("phone-bank-transfer-zh")

    phone_pass_for_staff(
        browser,
        server,
        rec,
        [
            (
                (FARMER["email"], PASSWORD, ru, "ru-RU"),
                [
                    "/",
                    "/catalog/my/producer",
                    "/catalog/my/products",
                    product_edit_url,
                    "/orders",
                    f"/orders/{order_id}",
                    "/rfqs",
                    "/balance",
                ],
            ),
            (
                (OPERATOR[0], OPERATOR[1], ru, "ru-RU"),
                ["/", "/logistics", shipment_url, "/orders", f"/orders/{order_id}"],
            ),
            (
                (ADMIN[0], ADMIN[1], en, "en-US"),
                [
                    "/",
                    "/admin/payments",
                    "/catalog/admin/verification",
                    "/admin/users",
                    f"/orders/{order_id}",
                ],
            ),
        ],
    )

    # ---- Every page checked: no serious or critical accessibility violations --------------------
    print(f"\njourney: {len(rec.checked)} pages checked, {len(rec.screenshots)} screenshots, "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip
    assert not pending, pending
    assert not rec.violations, "axe-core found serious or critical violations:\n" + rec.report()


def confirm_irreversible(page, rec, button):
    """An irreversible step asks first on a page of its own that says what will happen."""
    assert page.locator(".consequences li").count() >= 2
    rec.check(page)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def add_product_photos(farmer, rec):
    """The farmer adds two photos of the goods and moves the second first (buttons that work
    without JavaScript)."""
    import io

    from PIL import Image

    for colour in ((214, 170, 96), (120, 72, 30)):
        buffer = io.BytesIO()
        Image.new("RGB", (800, 600), colour).save(buffer, format="PNG")
        photos = farmer.locator("#photos")
        photos.get_by_label(ru("Photo (JPEG, PNG, WebP or GIF, up to 5 MB)")).set_input_files(
            upload("goods.png", buffer.getvalue(), "image/png")
        )
        photos.get_by_role("button", name=ru("Upload")).click()
        farmer.wait_for_load_state()
        expect_flash(farmer, ru("Photo added."))
    first = farmer.locator("#photos img").first.get_attribute("src")
    farmer.locator("#photos").get_by_role("button", name=re.compile(re.escape(ru("Move up")))).click()
    farmer.wait_for_load_state()
    expect_flash(farmer, ru("The photos are in their new order."))
    assert farmer.locator("#photos img").nth(1).get_attribute("src") == first
    rec.check(farmer, "farmer-photos-ru")


def look_through_gallery(buyer, rec):
    """The product page's gallery: thumbnails that are links, alt text from the product's name."""
    thumbs = buyer.locator(".gallery-thumbs a")
    assert thumbs.count() == 2, thumbs.count()
    thumbs.nth(1).click()
    buyer.wait_for_url(re.compile(r"photo=\d+"))
    assert buyer.locator(".gallery-thumbs a.current").count() == 1
    assert buyer.locator(".gallery-main img").get_attribute("alt") == PRODUCT_ZH
    rec.check(buyer, "buyer-gallery-zh")


def upload_payment_slip(buyer, rec):
    """The bank-transfer page gives the deadline and takes the bank's payment slip."""
    assert zh("Pay by") in buyer.locator(".bank-details").inner_text()
    slip = buyer.locator("#slip")
    slip.get_by_label(zh("Payment slip (PDF, JPEG or PNG)")).set_input_files(
        upload("slip.pdf", pdf_bytes("Bank of Harbin - payment slip"))
    )
    slip.get_by_role("button", name=zh("Upload the slip")).click()
    buyer.wait_for_load_state()
    expect_flash(buyer, zh("Payment slip received. We will match your transfer soon."))
    assert buyer.locator("#slip .slips li").count() == 1
    rec.check(buyer)


def record_transfer_with_slip(admin, rec, reference):
    """The admin opens the buyer's slip and records the amount exactly as the desk shows it."""
    admin.goto("/admin/payments")
    row = admin.locator("tr", has_text=reference)
    slip = row.get_by_role("link", name=en("Slip %(n)d", n=1))
    response = admin.request.get(slip.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF-"), response.status
    shown = row.locator("td.num").first.inner_text().strip()  # e.g. "CN¥14,500.00"
    row.get_by_label(en("Amount received (CNY)")).fill(shown)
    rec.check(admin, "admin-payments-en")
    row.get_by_role("button", name=en("Record"), exact=True).click()


def phone_pass_for_staff(browser, server, rec, roles):
    """Farmers', operators' and admins' pages on a 390×844 phone: the menu folds behind its
    toggle and opens, and no page scrolls sideways."""
    for (email, password, words, locale), urls in roles:
        page = new_page(browser, server, viewport=PHONE, locale=locale, is_mobile=True, has_touch=True)
        log_in(page, rec, email, password, words=words)
        assert not page.locator("#main-nav").is_visible()
        page.locator(".nav-toggle-label").click()
        assert page.locator("#main-nav").is_visible()
        for url in urls:
            page.goto(url)
            rec.check(page)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"] + 1, f"{page.url} scrolls sideways: {width}px; " + str(
                page.evaluate(WIDE_ELEMENTS, PHONE["width"])
            )
        page.context.close()


# ---- Conversations, to-do homes, logger files (helpers called from the journey above) ----------


def converse_about_the_order(buyer, farmer, rec, order_id: int) -> None:
    """The buyer asks on the order page in Chinese; the farmer sees the unread count in the
    navigation, reads the message tagged as Chinese and answers in Russian."""
    question = "请问这批荞麦什么时候可以发货？"
    buyer.goto(f"/orders/{order_id}")
    thread = buyer.locator("#conversation")
    thread.get_by_label(zh("Message"), exact=True).fill("")
    thread.get_by_role("button", name=zh("Send")).click()  # empty: refused by the browser or the server
    thread.get_by_label(zh("Message"), exact=True).fill(question)
    thread.get_by_role("button", name=zh("Send")).click()
    buyer.wait_for_url(f"**/orders/{order_id}#conversation")
    expect_flash(buyer, zh("Your message is sent."))
    assert question in buyer.locator("#conversation").inner_text()

    farmer.goto("/")
    badge = farmer.locator(".main-nav .badge-count")
    assert badge.inner_text().strip() == "1", badge.all_inner_texts()
    farmer.get_by_role("link", name=re.compile(ru("Messages"))).click()
    rec.check(farmer, "farmer-messages-ru")
    farmer.locator(f"a[href='/orders/{order_id}#conversation']").click()
    message = farmer.locator("#conversation .message").first
    assert question in message.inner_text()
    assert ru("Chinese") in message.locator(".lang-tag").inner_text()
    assert message.locator(".message-body").get_attribute("lang") == "zh-Hans"
    thread = farmer.locator("#conversation")
    thread.get_by_label(ru("Message"), exact=True).fill("Отгрузим в пятницу, документы готовы.")
    thread.get_by_role("button", name=ru("Send")).click()
    expect_flash(farmer, ru("Your message is sent."))
    assert farmer.locator(".main-nav .badge-count").count() == 0  # read: no unread count left
    rec.check(farmer, "farmer-conversation-ru")
    buyer.goto(f"/orders/{order_id}")
    reply = buyer.locator("#conversation .message").last
    assert zh("Russian") in reply.locator(".lang-tag").inner_text()


def upload_logger_file(operator, rec, shipment_id: int, start: datetime) -> None:
    """The operator uploads a data logger's CSV export (semicolons, decimal commas, Russian
    headers, Chelyabinsk clock) with one broken row, previews it and confirms."""
    lines = ["Логгер TL-30, серийный № 7401", "", "№;Дата/время;Температура, °C"]
    for step in range(24):
        at = (start + timedelta(hours=4, minutes=30 * step)).astimezone(CHELYABINSK)
        celsius = f"{13 + (step % 4) * 0.5:.1f}".replace(".", ",")
        lines.append(f"{step + 1};{at:%d.%m.%Y %H:%M};{celsius}")
    lines.append("25;нет данных;--")
    csv_bytes = "\n".join(lines).encode("cp1251")
    operator.goto(f"/logistics/shipments/{shipment_id}")
    operator.get_by_role("link", name=ru("Upload a temperature logger's file")).click()
    operator.get_by_label(ru("Logger export (CSV: time and °C)")).set_input_files(
        upload("tl30.csv", csv_bytes, "text/csv")
    )
    operator.get_by_label(ru("Logger or sensor id")).fill("TL-30-7401")
    operator.get_by_label(ru("The logger clock's time zone")).select_option("+05:00")
    operator.get_by_role("button", name=ru("Preview")).click()
    preview = operator.locator("#logger-preview")
    preview.wait_for()
    assert preview.locator("[data-testid=accepted]").inner_text() == "24"
    assert preview.locator("[data-testid=refused]").inner_text() == "1"
    assert "нет данных" in preview.locator(".refused-rows").inner_text()
    rec.check(operator, "operator-logger-preview-ru")
    preview.get_by_role("button", name=ru("Confirm and save")).click()
    operator.wait_for_url(re.compile(rf"/logistics/shipments/{shipment_id}"))
    flash = operator.locator(".flash-success").inner_text()
    assert "24" in flash, flash


def visit_todo_homes(farmer, buyer, operator, admin, rec) -> None:
    """Each role's to-do home: its tabs with counts; the farmer's payout due is on it."""
    for page, words, shot, tabs in (
        (farmer, ru, "farmer-todo-ru", ("Orders to confirm", "Requests to quote", "Payouts due")),
        (buyer, zh, "buyer-todo-zh", ("Orders awaiting payment", "Goods on the way", "Quotes received")),
        (operator, ru, "operator-todo-ru", ("Orders ready to consolidate", "Shipments missing documents")),
        (admin, en, "admin-todo-en", ("Producers to verify", "Transfers to record", "Disputes")),
    ):
        page.goto("/")
        page.get_by_role("link", name=words("To do"), exact=True).click()
        page.wait_for_url("**/home")
        nav = page.locator(".todo-tabs")
        for label in tabs:
            assert words(label) in nav.inner_text(), (label, nav.inner_text())
        rec.check(page, shot)
    payouts = farmer.locator(".todo-tabs a[href='#todo-payouts']")
    assert int(payouts.get_attribute("data-count")) >= 1
    assert buyer.locator("form[role=search] input[type=search]").count() == 1
