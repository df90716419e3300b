"""The API docs page (Swagger UI) renders the schema under the site's CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_lists_the_operations_without_csp_errors(
    phone_page, live_server, screenshot
):
    page = phone_page
    page.goto(f"{live_server.url}/api/v1/docs/")
    # Swagger UI fetched the schema and drew an operation per endpoint.
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/appeals/").first).to_be_visible()
    assert page.locator(".opblock").count() >= 15
    expect(page.locator(".title")).to_contain_text("My City API")
    page.locator(".opblock-summary", has_text="/api/v1/categories/").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    screenshot(page, "docs")
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
    assert page.errors == []
