"""Read a tagged PDF the way a screen reader does: walk the structure tree in order and attach the
text of each marked-content sequence to its element (pypdf; test helper)."""

from __future__ import annotations

from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


def marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """Text per (page object id, MCID)."""
    texts: dict[tuple[int, int], str] = {}
    for page in reader.pages:
        page_id = page.indirect_reference.idnum if page.indirect_reference else id(page)
        stack: list[int | None] = []

        def before(operator: bytes, operands: list[Any], cm: Any, tm: Any, stack: list[int | None] = stack) -> None:
            if operator == b"BDC":
                props = operands[1] if len(operands) > 1 else None
                stack.append(props.get("/MCID") if isinstance(props, DictionaryObject) else None)
            elif operator == b"BMC":
                stack.append(None)
            elif operator == b"EMC" and stack:
                stack.pop()

        def text(
            chunk: str, cm: Any, tm: Any, font: Any, size: Any, stack: list[int | None] = stack, page_id: int = page_id
        ) -> None:
            mcid = next((m for m in reversed(stack) if m is not None), None)
            if mcid is not None and chunk:
                key = (page_id, int(mcid))
                texts[key] = texts.get(key, "") + chunk

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def elements(reader: PdfReader) -> list[tuple[int, str, str, dict[str, Any]]]:
    """Every structure element in reading order: (depth, type, its own text, attributes)."""
    texts = marked_text(reader)
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    found: list[tuple[int, str, str, dict[str, Any]]] = []

    def own_text(node: DictionaryObject, page_id: int | None) -> str:
        kids = node.get("/K")
        items = kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else []
        parts = []
        for item in items:
            item = item.get_object() if isinstance(item, IndirectObject) else item
            if isinstance(item, int) and page_id is not None:
                parts.append(texts.get((page_id, item), ""))
            elif isinstance(item, DictionaryObject) and "/MCID" in item:
                page = item.get("/Pg")
                pid = page.idnum if isinstance(page, IndirectObject) else page_id
                parts.append(texts.get((pid, int(item["/MCID"])), "") if pid is not None else "")
        return "".join(parts)

    def walk(node: Any, depth: int, page_id: int | None) -> None:
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child, depth, page_id)
            return
        if not isinstance(node, DictionaryObject) or "/S" not in node:
            return
        page = node.get("/Pg")
        pid = page.idnum if isinstance(page, IndirectObject) else page_id
        attrs = {k: node[k] for k in ("/Alt", "/A") if k in node}
        found.append((depth, str(node["/S"]), own_text(node, pid), attrs))
        kids = node.get("/K")
        if kids is not None:
            walk(kids, depth + 1, pid)

    walk(root.get("/K"), 0, None)
    return found


def deep_text(items: list[tuple[int, str, str, dict[str, Any]]], index: int) -> str:
    """The text of an element and everything under it."""
    depth = items[index][0]
    parts = [items[index][2]]
    for later in items[index + 1 :]:
        if later[0] <= depth:
            break
        parts.append(later[2])
    return " ".join(" ".join(parts).split())
