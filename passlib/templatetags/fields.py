"""`{% filter_field form.x %}`: one filter field (label, help, input, errors) built in
Python. List pages render a filter form on every request; Django's widget templates and
a per-field include cost a quarter of such a page, for markup this simple."""

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _options(field: forms.BoundField) -> str:
    value = field.value()
    selected = (
        {str(v) for v in value}
        if isinstance(value, list | tuple)
        else {"" if value is None else str(value)}
    )
    rows = []
    for key, label in field.field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            inner = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (k, mark_safe(" selected") if str(k) in selected else "", lbl)
                    for k, lbl in label
                ),
            )
            rows.append(format_html('<optgroup label="{}">{}</optgroup>', key, inner))
        else:
            rows.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    key,
                    mark_safe(" selected") if str(key) in selected else "",
                    label,
                )
            )
    return format_html_join("", "{}", ((row,) for row in rows))


@register.simple_tag
def filter_field(field: forms.BoundField) -> str:
    widget = field.field.widget
    name, auto_id = field.html_name, field.auto_id
    errors = field.errors
    described = []
    help_html = ""
    if field.help_text:
        help_html = format_html('<p class="help" id="{}_helptext">{}</p>', auto_id, field.help_text)
        described.append(f"{auto_id}_helptext")
    error_html = ""
    if errors:
        error_html = format_html(
            '<div class="errors" id="{}_error">{}</div>',
            auto_id,
            format_html_join("", '<p class="error-text">{}</p>', ((e,) for e in errors)),
        )
        described.append(f"{auto_id}_error")
    aria = format_html(' aria-describedby="{}"', " ".join(described)) if described else ""
    invalid = mark_safe(' aria-invalid="true"') if errors else ""
    css = "field field-error" if errors else "field"
    if isinstance(widget, forms.CheckboxInput):
        checked = mark_safe(" checked") if field.value() else ""
        return format_html(
            '<div class="{}"><div class="checkbox"><input type="checkbox" name="{}" id="{}"{}'
            '{}{}><label for="{}">{}</label></div>{}</div>',
            css,
            name,
            auto_id,
            checked,
            aria,
            invalid,
            auto_id,
            field.label,
            error_html,
        )
    if isinstance(widget, forms.Select):
        control = format_html(
            '<select name="{}" id="{}"{}{}>{}</select>',
            name,
            auto_id,
            aria,
            invalid,
            _options(field),
        )
    else:
        input_type = getattr(widget, "input_type", "text")
        value = field.value()
        value = (
            "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else value)
        )
        maxlength = getattr(field.field, "max_length", None)
        extra = format_html(' maxlength="{}"', maxlength) if maxlength else ""
        control = format_html(
            '<input type="{}" name="{}" id="{}" value="{}"{}{}{}>',
            input_type,
            name,
            auto_id,
            value,
            extra,
            aria,
            invalid,
        )
    return format_html(
        '<div class="{}"><label for="{}">{}</label>{}{}{}</div>',
        css,
        auto_id,
        field.label,
        help_html,
        control,
        error_html,
    )
