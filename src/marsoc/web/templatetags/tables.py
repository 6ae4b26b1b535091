"""`{% table %}…{% endtable %}`: the GOV.UK table with its scroll region and header row, written once.

    {% table "agency-actions" "Person" "Action" "Value:numeric" caption="Actions" %}
      {% for row in rows %}<tr class="govuk-table__row">…</tr>{% endfor %}
    {% endtable %}

The first argument is the table's id ("" for none); the others are the column headings, a
`:numeric` suffix right-aligning a column. Keywords: `caption`, and `caption_size` ("s", "m" or
"hidden" for a caption only screen readers hear). The block between the tags is the table body.

Sortable headings (MoJ sortable table, sorted on the server so the whole list is sorted and no
JavaScript is needed): give `sort=` the view's `core.web.sort_links(...)` and end a heading with
`|key`, the column's key in the list's `SortOrder` (`"Score:numeric|score"`). Each such heading carries
`aria-sort` (ascending, descending or none) and is a link sorting by its column, the other way when it is
the sorted one, keeping the list's filters. A sort the list does not know is named above the table.
"""

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from marsoc.core.sorting import SortLinks

register = template.Library()

_SCROLL = (
    '<div class="app-table-scroll" tabindex="0" role="region"'
    ' aria-label="Table, scrolls sideways on small screens">'
)
_CAPTION_CLASS = {"hidden": "govuk-visually-hidden"}
_NUMERIC = ":numeric"
_ARROWS = {"ascending": "▲", "descending": "▼", "none": "▲▼"}
_NEXT = {"none": "select to sort by this column"}


def _header(heading: str, sort: SortLinks | None) -> SafeString:
    heading, _bar, key = heading.partition("|")
    numeric = heading.endswith(_NUMERIC)
    label = heading.removesuffix(_NUMERIC)
    classes = "govuk-table__header" + (" govuk-table__header--numeric" if numeric else "")
    if not key or sort is None:
        return format_html('<th scope="col" class="{}">{}</th>', classes, label)
    state = sort.state(key)
    return format_html(
        '<th scope="col" class="{} app-sortable" aria-sort="{}"><a class="govuk-link '
        'govuk-link--no-visited-state app-sort-link" href="{}">{}<span class="govuk-visually-hidden">'
        ', {}</span><span class="app-sort-arrow" aria-hidden="true">{}</span></a></th>',
        classes,
        state,
        sort.href(key),
        label,
        _NEXT.get(state, "select to sort the other way"),
        _ARROWS[state],
    )


def _unknown_sort(sort: SortLinks | None) -> SafeString:
    if sort is None or not sort.sort.unknown:
        return SafeString("")
    return format_html(
        '<div class="govuk-inset-text app-sort-unknown">This list cannot be sorted by “{}”: it is shown in'
        " its usual order. Choose a column heading to sort by it.</div>",
        sort.sort.unknown,
    )


class TableNode(template.Node):
    def __init__(
        self, args: list[FilterExpression], kwargs: dict[str, FilterExpression], body: NodeList
    ) -> None:
        self.args, self.kwargs, self.body = args, kwargs, body

    def render(self, context: template.Context) -> SafeString:
        table_id, *headings = (str(arg.resolve(context)) for arg in self.args)
        sort = self.kwargs["sort"].resolve(context) if "sort" in self.kwargs else None
        options = {key: str(value.resolve(context)) for key, value in self.kwargs.items() if key != "sort"}
        header_cells = format_html_join("", "{}", ((_header(h, sort),) for h in headings))
        caption = ""
        if options.get("caption"):
            size = options.get("caption_size", "s")
            caption = format_html(
                '<caption class="govuk-table__caption {}">{}</caption>',
                _CAPTION_CLASS.get(size, f"govuk-table__caption--{size}"),
                options["caption"],
            )
        return format_html(
            '{}{}<table class="govuk-table"{}>{}<thead class="govuk-table__head">'
            '<tr class="govuk-table__row">{}</tr></thead>'
            '<tbody class="govuk-table__body">{}</tbody></table></div>',
            _unknown_sort(sort),
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
