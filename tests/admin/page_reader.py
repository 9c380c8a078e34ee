"""Read a rendered page the way the tests need: fields, their values and the message next to each."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        parts = [child if isinstance(child, str) else child.text for child in self.children]
        return " ".join("".join(parts).split())

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), parent=self.current)
        self.current.children.append(element)
        if tag == "br":
            self.current.children.append("\n")
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


class Page:
    def __init__(self, html: str):
        builder = _TreeBuilder()
        builder.feed(html)
        self.root = builder.root

    def find(self, **attrs) -> Element | None:
        for element in self.root.walk():
            if all(element.attrs.get(name) == value for name, value in attrs.items()):
                return element
        return None

    def all(self, tag: str) -> list[Element]:
        return [element for element in self.root.walk() if element.tag == tag]

    def text(self) -> str:
        return self.root.text

    def value(self, name: str) -> str | None:
        """Return what the field ``name`` shows: an input's value, the selected option, or a checked box."""
        element = self.find(name=name)
        if element is None:
            raise AssertionError(f"no field named {name!r} on the page")
        if element.tag == "select":
            selected = [o for o in element.walk() if o.tag == "option" and "selected" in o.attrs]
            return selected[0].attrs.get("value") if selected else None
        if element.attrs.get("type") == "checkbox":
            return "checked" if "checked" in element.attrs else None
        return element.attrs.get("value")

    def error_next_to(self, field_id: str) -> str | None:
        """Return the message shown beside the field, checking it sits in the field's own box."""
        message = self.find(id=f"{field_id}-error")
        if message is None:
            return None
        box = message.parent
        assert any(e.attrs.get("id") == field_id for e in box.walk()) or box.tag == "fieldset", (
            f"the message for {field_id} is not beside the field"
        )
        return message.text

    def errors(self) -> dict[str, str]:
        """Return every field message on the page by field id."""
        return {
            e.attrs["id"].removesuffix("-error"): e.text
            for e in self.root.walk()
            if (e.attrs.get("id") or "").endswith("-error")
        }

    def flashes(self) -> list[str]:
        return [e.text for e in self.root.walk() if "flash" in e.classes()]
