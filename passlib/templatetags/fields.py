"""`{% filter_field form.x %}`: one filter field (label, help, input, errors) built in
Python. List pages render a filter form on every request; Django's widget templates and
a per-field include cost a quarter of such a page, for markup this simple. The markup
is assembled with plain string formatting and `passlib.html.esc` (the escaping of
`conditional_escape`, without its lazy-string wrapper, which `format_html` calls for
every argument of every option)."""

from django import forms, template
from django.utils.safestring import mark_safe

from passlib.html import esc

register = template.Library()


def _options(field: forms.BoundField) -> str:
    value = field.value()
    selected = (
        {str(v) for v in value}
        if isinstance(value, list | tuple)
        else {"" if value is None else str(value)}
    )

    def option(key, label) -> str:
        chosen = " selected" if str(key) in selected else ""
        return f'<option value="{esc(key)}"{chosen}>{esc(label)}</option>'

    rows = []
    for key, label in field.field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            inner = "".join(option(k, lbl) for k, lbl in label)
            rows.append(f'<optgroup label="{esc(key)}">{inner}</optgroup>')
        else:
            rows.append(option(key, label))
    return "".join(rows)


@register.simple_tag
def filter_field(field: forms.BoundField) -> str:
    widget = field.field.widget
    name, auto_id = esc(field.html_name), esc(field.auto_id)
    errors = field.errors
    described = []
    help_html = ""
    if field.help_text:
        help_html = f'<p class="help" id="{auto_id}_helptext">{esc(field.help_text)}</p>'
        described.append(f"{auto_id}_helptext")
    error_html = ""
    if errors:
        texts = "".join(f'<p class="error-text">{esc(e)}</p>' for e in errors)
        error_html = f'<div class="errors" id="{auto_id}_error">{texts}</div>'
        described.append(f"{auto_id}_error")
    aria = f' aria-describedby="{" ".join(described)}"' if described else ""
    invalid = ' aria-invalid="true"' if errors else ""
    css = "field field-error" if errors else "field"
    label = esc(field.label)
    if isinstance(widget, forms.CheckboxInput):
        checked = " checked" if field.value() else ""
        return mark_safe(  # noqa: S308 - every value above is escaped
            f'<div class="{css}"><div class="checkbox"><input type="checkbox" name="{name}" '
            f'id="{auto_id}"{checked}{aria}{invalid}><label for="{auto_id}">{label}</label>'
            f"</div>{error_html}</div>"
        )
    if isinstance(widget, forms.Select):
        control = f'<select name="{name}" id="{auto_id}"{aria}{invalid}>{_options(field)}</select>'
    else:
        input_type = esc(getattr(widget, "input_type", "text"))
        value = field.value()
        value = (
            "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else value)
        )
        maxlength = getattr(field.field, "max_length", None)
        extra = f' maxlength="{int(maxlength)}"' if maxlength else ""
        control = (
            f'<input type="{input_type}" name="{name}" id="{auto_id}" value="{esc(value)}"'
            f"{extra}{aria}{invalid}>"
        )
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<div class="{css}"><label for="{auto_id}">{label}</label>{help_html}{control}'
        f"{error_html}</div>"
    )
