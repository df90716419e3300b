"""SMS segment counting and shortening (citizens.notifications.sms.segments): pure functions."""

import pytest

from citizens.notifications.sms.segments import GSM7, UCS2, count, encoding, fits, shorten

URL = "https://mycity.example/news/alerts/42/"


# --- Encoding -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", GSM7),
        ("Water is back at 18:00 in Dnipro district.", GSM7),
        ("Price: 10€ [approx] {x} ~ | ^ \\", GSM7),  # the extension table is still GSM-7
        ("Üñicode? Ä ö ñ ü à é è", GSM7),  # these accented letters are in GSM 03.38
        ("Вода з 18:00", UCS2),
        ("Water / Вода", UCS2),  # one Cyrillic letter makes the whole text UCS-2
        ("Wait…", UCS2),  # the ellipsis character is not GSM-7
        ("Alert 🚨", UCS2),
        ("ґєії", UCS2),
    ],
)
def test_encoding_is_gsm7_only_when_every_character_is_in_the_gsm_alphabet(text, expected):
    assert encoding(text) == expected


# --- Counting: single segments and their boundaries -------------------------------


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),  # 2 × 153
        ("a" * 307, 3),
        ("ж" * 70, 1),
        ("ж" * 71, 2),
        ("ж" * 134, 2),  # 2 × 67
        ("ж" * 135, 3),
    ],
)
def test_segments_at_and_past_each_boundary(text, segments):
    assert count(text).segments == segments


def test_latin_text_counts_septets():
    result = count("Hello, Kherson!")
    assert (result.encoding, result.units, result.segments) == (GSM7, 15, 1)


def test_cyrillic_text_counts_utf16_units():
    result = count("Повітряна тривога")
    assert (result.encoding, result.units, result.segments) == (UCS2, 17, 1)


def test_mixed_text_is_counted_as_ucs2_at_70_a_segment():
    text = "Shelter " + "б" * 62  # 70 characters, one of them Cyrillic enough
    assert count(text).segments == 1
    assert count(text + "!").segments == 2


def test_extension_characters_count_two_septets():
    assert count("€" * 80).units == 160
    assert count("€" * 80).segments == 1
    assert count("€" * 80 + "a").segments == 2


def test_an_escape_pair_is_never_split_between_parts():
    # 152 plain septets then "€": 154 septets do not fit one part of 153,
    # and the pair moves whole to the next part.
    text = "a" * 152 + "€" + "a" * 152
    assert count(text).units == 306
    assert count(text).segments == 3  # not 2, although 306 = 2 × 153


def test_an_emoji_takes_two_units_and_is_never_split():
    assert count("🚨").units == 2
    assert count("ж" * 68 + "🚨").segments == 1  # 70 units
    assert count("ж" * 69 + "🚨").segments == 2
    # 66 units then a 2-unit emoji: it goes whole into the second part.
    assert count("ж" * 66 + "🚨" + "ж" * 66).segments == 3


# --- Shortening -----------------------------------------------------------------


def test_a_text_that_fits_is_kept_whole_with_its_link():
    assert shorten("Вода з 18:00", link=URL) == f"Вода з 18:00 {URL}"


def test_a_long_cyrillic_text_is_cut_with_an_ellipsis_and_keeps_the_link():
    text = "Увага! " + "Відключення світла у Дніпровському районі до вечора. " * 5
    result = shorten(text, link=URL, max_segments=2)
    assert fits(result, 2)
    assert result.endswith(f"… {URL}")
    assert result.startswith("Увага! Відключення")
    assert count(result).units > 110  # most of the two segments (134) are used


def test_a_long_latin_text_gets_three_dots_so_it_stays_gsm7():
    text = "Water outage in the Dnipro district until the evening. " * 8
    result = shorten(text, link=URL, max_segments=1)
    assert encoding(result) == GSM7
    assert result.endswith(f"... {URL}")
    assert fits(result, 1)


def test_the_link_is_dropped_when_it_would_leave_too_little_text():
    long_link = "https://mycity.example/" + "x" * 60
    text = "Повітряна тривога у місті, прямуйте до укриття " * 3
    result = shorten(text, link=long_link, max_segments=1)
    assert long_link not in result
    assert result.endswith("…")
    assert fits(result, 1)


def test_without_a_link_only_the_text_is_shortened():
    result = shorten("ж" * 200, max_segments=1)
    assert result == "ж" * 69 + "…"


def test_text_is_cut_at_a_word_when_one_is_near():
    text = "слово " * 40
    result = shorten(text, max_segments=1)
    assert result.endswith("слово…")
    assert fits(result, 1)


@pytest.mark.parametrize("segments", [1, 2, 3])
def test_shortened_messages_never_pass_the_limit(segments):
    for text in ("a" * 1000, "ж" * 1000, "€" * 500, "🚨" * 300, "Mixed текст " * 60):
        assert fits(shorten(text, link=URL, max_segments=segments), segments)


def test_zero_segments_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        shorten("text", max_segments=0)
