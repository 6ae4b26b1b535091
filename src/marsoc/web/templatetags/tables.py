"""`{% table %}…{% endtable %}`: the GOV.UK table with its scroll region and header row, written once.

    {% table "agency-actions" "Person" "Action" "Value:numeric" caption="Actions" %}
      {% for row in rows %}<tr class="govuk-table__row">…</tr>{% endfor %}
    {% endtable %}

The first argument is the table's id ("" for none); the others are the column headings, a
`:numeric` suffix right-aligning a column. Keywords: `caption`, and `caption_size` ("s", "m" or
"hidden" for a caption only screen readers hear). The block between the tags is the table body.
"""

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

_SCROLL = (
    '<div class="app-table-scroll" tabindex="0" role="region"'
    ' aria-label="Table, scrolls sideways on small screens">'
)
_CAPTION_CLASS = {"hidden": "govuk-visually-hidden"}
_NUMERIC = ":numeric"


class TableNode(template.Node):
    def __init__(
        self, args: list[FilterExpression], kwargs: dict[str, FilterExpression], body: NodeList
    ) -> None:
        self.args, self.kwargs, self.body = args, kwargs, body

    def render(self, context: template.Context) -> SafeString:
        table_id, *headings = (str(arg.resolve(context)) for arg in self.args)
        options = {key: str(value.resolve(context)) for key, value in self.kwargs.items()}
        header_cells = format_html_join(
            "",
            '<th scope="col" class="govuk-table__header{}">{}</th>',
            (
                (" govuk-table__header--numeric", h.removesuffix(_NUMERIC))
                if h.endswith(_NUMERIC)
                else ("", h)
                for h in headings
            ),
        )
        caption = ""
        if options.get("caption"):
            size = options.get("caption_size", "s")
            caption = format_html(
                '<caption class="govuk-table__caption {}">{}</caption>',
                _CAPTION_CLASS.get(size, f"govuk-table__caption--{size}"),
                options["caption"],
            )
        return format_html(
            '{}<table class="govuk-table"{}>{}<thead class="govuk-table__head">'
            '<tr class="govuk-table__row">{}</tr></thead>'
            '<tbody class="govuk-table__body">{}</tbody></table></div>',
            SafeString(_SCROLL),
            format_html(' id="{}"', table_id) if table_id else "",
            caption,
            header_cells,
            self.body.render(context),
        )


@register.tag("table")
def do_table(parser: Parser, token: Token) -> TableNode:
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError('{% table %} needs an id (or "") and its column headings')
    args: list[FilterExpression] = []
    kwargs: dict[str, FilterExpression] = {}
    for bit in bits:
        key, eq, value = bit.partition("=")
        if eq and key.isidentifier():
            kwargs[key] = parser.compile_filter(value)
        else:
            args.append(parser.compile_filter(bit))
    body = parser.parse(("endtable",))
    parser.delete_first_token()
    return TableNode(args, kwargs, body)
