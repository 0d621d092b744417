"""The shared translation mechanism: a reader's language when a translation exists, else the original, marked."""

import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from arrival.core.languages import language_dir, language_name
from arrival.core.translations import localized, translations_clean

RECORD = SimpleNamespace(language="ar", title="مقهى اللغات", summary="سطر أول\nسطر ثانٍ",
                         translations={"fr": {"title": "Café des langues"}, "zh": {"title": "语言咖啡馆"}})


def render(source: str, **context: object) -> str:
    return Template("{% load arrival %}" + source).render(Context(context))


def test_reader_sees_their_translation_and_else_the_original_with_its_language() -> None:
    with translation.override("fr"):
        title = localized(RECORD, "title")
        assert (title.text, title.language, title.is_translation) == ("Café des langues", "fr", True)
        summary = localized(RECORD, "summary")
        assert (summary.language, summary.is_translation, summary.dir) == ("ar", False, "rtl")
    with translation.override("zh-hans"):
        assert localized(RECORD, "title").text == "语言咖啡馆"
    with translation.override("ar"):
        assert localized(RECORD, "title").text == "مقهى اللغات"


def test_tag_marks_text_in_another_language_and_names_it() -> None:
    with translation.override("en"):
        html = render('{% content record "title" note=True %}', record=RECORD)
        assert html == ('<span lang="ar" dir="rtl">مقهى اللغات</span>'
                        ' <span class="language-note small">(in Arabic)</span>')
        assert render('{% content record "summary" form="block" %}', record=RECORD) == (
            '<div lang="ar" dir="rtl"><p>سطر أول<br>سطر ثانٍ</p></div>')
    with translation.override("fr"):
        html = render('{% content record "title" note=True %}', record=RECORD)
        # The page is French and so is the translation: no lang; the note names the original in French (CLDR).
        assert html.startswith('<span>Café des langues</span> <span class="language-note small">(')
        assert "arabe" in html
    with translation.override("ar"):
        assert render('{% content record "title" %}', record=RECORD) == "<span>مقهى اللغات</span>"


def test_text_is_escaped() -> None:
    record = SimpleNamespace(language="en", title="<script>x</script>", translations={})
    with translation.override("ar"):
        assert render('{% content record "title" %}', record=record) == (
            '<span lang="en" dir="ltr">&lt;script&gt;x&lt;/script&gt;</span>')


def test_unknown_language_gets_dir_auto() -> None:
    assert render("<p{{ code|lang_attrs }}>x</p>", code="") == '<p dir="auto">x</p>'


def test_language_names_come_from_cldr_in_the_readers_language() -> None:
    with translation.override("ar"):
        assert language_name("ti") == "التغرينية"
    with translation.override("ru"):
        assert language_name("fr") == "французский"
    assert language_name("ar", in_language="en") == "Arabic"
    assert language_name("xx-unknown") == "xx-unknown"
    assert (language_dir("ckb"), language_dir("fa-AF"), language_dir("zh")) == ("rtl", "rtl", "ltr")


def test_translations_are_checked() -> None:
    assert translations_clean({"FR": {"title": " Titre ", "summary": ""}, "es": {"title": ""}},
                              fields=["title", "summary"], original_language="en") == {"fr": {"title": "Titre"}}
    with pytest.raises(ValidationError):
        translations_clean({"de": {"title": "Titel"}}, fields=["title"], original_language="en")
    with pytest.raises(ValidationError):
        translations_clean({"en": {"title": "Title"}}, fields=["title"], original_language="en")
    with pytest.raises(ValidationError):
        translations_clean({"fr": {"slug": "x"}}, fields=["title"], original_language="en")


def test_quoted_user_content_keeps_its_language_and_direction():
    from django.utils import translation

    from arrival.core.languages import quoted, quoted_html, quoted_plain

    text = f"The practice “{quoted('مدينة <للجميع>', 'ar')}” was published."
    assert quoted_plain(text) == "The practice “\u2067مدينة <للجميع>\u2069” was published."
    with translation.override("en"):
        assert quoted_html(text) == ('The practice “<bdi lang="ar" dir="rtl">مدينة &lt;للجميع&gt;</bdi>” was '
                                     "published.")
    with translation.override("ar"):
        assert '<bdi dir="rtl">' in quoted_html(text)  # the page's own language needs no lang
    assert quoted_html(f"“{quoted('Ville', '')}” <b>") == "“<bdi dir=\"auto\">Ville</bdi>” &lt;b&gt;"


def test_language_tags_and_numbers_on_right_to_left_pages():
    from django.template import engines
    from django.utils import translation

    from arrival.core.languages import language_tag, ltr_in_page

    assert language_tag("zh-hans") == "zh-Hans" and language_tag("pt_br") == "pt-BR" and language_tag("ar") == "ar"
    template = engines["django"].from_string('{% load arrival %}{{ value|ltr }}')
    with translation.override("ar"):
        assert template.render({"value": "45.5%"}) == '<bdi dir="ltr">45.5%</bdi>'
        assert ltr_in_page("30–60") == "\u206630–60\u2069"
    with translation.override("en"):
        assert template.render({"value": "45.5%"}) == "45.5%"
        assert ltr_in_page("30–60") == "30–60"


def test_rich_text_translations_are_sanitised_and_lengths_capped() -> None:
    assert translations_clean({"fr": {"body": "<p>Oui<script>x</script></p>", "title": "Titre"}},
                              fields=["title", "body"], original_language="en", rich_fields=["body"]) == {
        "fr": {"body": "<p>Oui</p>", "title": "Titre"}}
    with pytest.raises(ValidationError):
        translations_clean({"fr": {"title": "x" * 11}}, fields=["title"], original_language="en",
                           max_lengths={"title": 10})
    with pytest.raises(ValidationError):
        translations_clean({"fr": {"title": ["not", "a", "text"]}}, fields=["title"], original_language="en")


def test_the_form_section_has_one_field_per_text_and_language_but_the_records_own() -> None:
    from django import forms

    from arrival.core.forms import TranslationsFormMixin

    class RecordForm(TranslationsFormMixin, forms.Form):
        title = forms.CharField(max_length=20)
        body = forms.CharField(widget=forms.Textarea)

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.add_translation_fields(("title", "body"), language="ar", translations={"fr": {"title": "Titre"}})

    form = RecordForm()
    assert [group["code"] for group in form.translation_groups] == ["en", "fr", "es", "zh", "ru"]
    assert form.initial["translation_fr_title"] == "Titre"
    assert getattr(form.fields["translation_fr_title"], "max_length", None) == 20
    assert isinstance(form.fields["translation_en_body"].widget, forms.Textarea)
    assert [field.name for field in form.main_fields] == ["title", "body"]
    bound = RecordForm({"title": "t", "body": "b", "translation_es_title": " Título ", "translation_ru_body": ""})
    assert bound.is_valid()
    assert bound.translations() == {"es": {"title": "Título"}}

    # Each field's label names its language, so no two fields share a name for assistive technology
    # ("Title" seven times on one page cannot be told apart by a screen reader or voice control).
    html = Template("{% include 'core/_translations.html' %}").render(Context({"form": RecordForm()}))
    labels = [" ".join(re.sub(r"<[^>]+>", " ", label).split())
              for label in re.findall(r'<label for="id_translation_[^"]+">(.*?)</label>', html, re.S)]
    assert len(labels) == 10 and len(set(labels)) == 10
    assert "Title (French)" in labels and "Body (Russian)" in labels
    with translation.override("zh-hans"):
        chinese = Template("{% include 'core/_translations.html' %}").render(Context({"form": RecordForm()}))
    assert "（法语）" in chinese


def test_lists_shorten_a_text_and_titles_get_it_bare() -> None:
    record = SimpleNamespace(language="en", title="A <b> title", summary="one two three four", translations={})
    with translation.override("en"):
        assert render('{% content record "summary" words=2 %}', record=record) == "<span>one two…</span>"
        assert render('{% content_text record "title" %}', record=record) == "A &lt;b&gt; title"


def test_a_name_is_isolated_unless_the_reader_has_its_official_name() -> None:
    template = Template("{% load arrival %}{{ actor|name }}")
    iom = SimpleNamespace(name="International Organization for Migration",
                          translations={"ar": {"name": "المنظمة الدولية للهجرة"}})
    city = SimpleNamespace(name="Zürich <Stadt>", translations={})
    with translation.override("ar"):
        assert template.render(Context({"actor": iom})) == "المنظمة الدولية للهجرة"
        # A name with no official form in Arabic: kept as it is, isolated, not translated by a browser, escaped.
        assert template.render(Context({"actor": city})) == '<bdi translate="no">Zürich &lt;Stadt&gt;</bdi>'
        assert template.render(Context({"actor": {"name": "Lyon"}})) == '<bdi translate="no">Lyon</bdi>'
        assert template.render(Context({"actor": "Lyon"})) == '<bdi translate="no">Lyon</bdi>'
        assert template.render(Context({"actor": None})) == ""
    with translation.override("en"):
        assert "International Organization for Migration" in template.render(Context({"actor": iom}))


def test_options_of_a_choice_of_actors_show_the_readers_name_or_keep_the_name_marked() -> None:
    from arrival.core.forms import NameSelect

    iom = SimpleNamespace(name="International Organization for Migration",
                          translations={"ru": {"name": "Международная организация по миграции"}})
    city = SimpleNamespace(name="Lyon", translations={})
    widget = NameSelect(choices=[("", "—"), ("iom", iom.name), ("lyon", city.name)])
    widget.records = {"iom": iom, "lyon": city}
    with translation.override("ru"):
        html = widget.render("actor", "lyon")
    assert '<option value="iom">Международная организация по миграции</option>' in html
    assert '<option value="lyon" selected translate="no">Lyon</option>' in html
    assert '<option value="">—</option>' in html  # not a record: left as it is


def test_names_in_sentences_and_lists_stay_marked_and_everything_else_is_escaped() -> None:
    from arrival.core.languages import names_list
    from arrival.core.translations import marked_name, sentence_with_names, sentence_with_text_isolated

    berlin = marked_name("Berlin")
    with translation.override("ar"):
        # CLDR's Arabic list: "A وB وC"; each name keeps its marking, other text is escaped.
        assert names_list([berlin, "A&B", "Köln"]) == '<bdi translate="no">Berlin</bdi> وA&amp;B وKöln'
        assert names_list([]) == ""
    with translation.override("en"):
        assert names_list(["Lyon", "Lille"]) == "Lyon and Lille"
        assert sentence_with_names("Same network: %(name)s <b>", name=berlin) == \
            'Same network: <bdi translate="no">Berlin</bdi> &lt;b&gt;'
        assert sentence_with_text_isolated("Commenting is closed in “Plan <x>”.", "Plan <x>") == \
            "Commenting is closed in “<bdi>Plan &lt;x&gt;</bdi>”."
    rendered = Template("{% load arrival %}{{ text|name_marked:name }}").render(
        Context({"text": "Reply to the objection of Berlin <now>", "name": "Berlin"}))
    assert rendered == 'Reply to the objection of <bdi translate="no">Berlin</bdi> &lt;now&gt;'


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "A, B, and C|A and B"), ("ar", "A وB وC|A وB"), ("zh-hans", "A、B和C|A和B")])
def test_a_list_in_a_template_is_glued_as_the_readers_language_lists(language: str, expected: str) -> None:
    template = Template("{% load arrival %}{% for item in items %}{{ item }}{% list_separator forloop %}{% endfor %}")
    with translation.override(language):
        three = template.render(Context({"items": ["A", "B", "C"]}))
        two = template.render(Context({"items": ["A", "B"]}))
    assert f"{three}|{two}" == expected
    assert template.render(Context({"items": ["A"]})) == "A"
