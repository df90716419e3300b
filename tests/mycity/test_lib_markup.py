"""mycity.lib.markup: staff-written Markdown to HTML that is safe to show."""

from mycity.lib.markup import markdown_to_html


def test_headings_lists_and_links_are_kept():
    html = markdown_to_html("## Права\n\n- один\n- два\n\n[кабінет](/me/) [mail](mailto:a@b.ua)")
    assert "<h2>Права</h2>" in html
    assert "<li>один</li>" in html
    assert '<a href="/me/" rel="noopener noreferrer nofollow">кабінет</a>' in html
    assert 'href="mailto:a@b.ua"' in html


def test_scripts_handlers_and_javascript_links_are_removed():
    html = markdown_to_html(
        '<script>steal()</script>\n\n<p onclick="x()">hi</p>\n\n[go](javascript:alert(1))'
        '\n\n<iframe src="https://evil.example"></iframe><style>body{}</style>'
    )
    assert "steal" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "body{}" not in html


def test_empty_text_is_empty_html():
    assert markdown_to_html("") == ""
    assert markdown_to_html(None) == ""
