"""Form widgets rendered with their accessible names and descriptions wired up."""

from django import forms, template

register = template.Library()


@register.simple_tag
def widget(field, **attrs):
    """The field's widget with aria-describedby (hint, error) and aria-invalid set; extra
    attributes (autocomplete, rows…) as keyword arguments."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.field.required and not isinstance(field.field.widget, forms.CheckboxInput):
        attrs.setdefault("required", True)
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
