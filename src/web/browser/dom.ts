// The pages' one way to put anything on screen: elements built here, text always as text nodes.
// Nothing in the pages' scripts assigns markup (innerHTML, outerHTML, insertAdjacentHTML,
// document.write); tests/web-html.test.ts checks the sources and bundles for it.

/** Attributes the pages set; a value from data is only ever text (never a URL, a handler or a style). */
const ATTRIBUTES = new Set([
  "class",
  "id",
  "title",
  "type",
  "role",
  "name",
  "placeholder",
  "value",
  "min",
  "max",
  "step",
  "colspan",
  "for",
  "tabindex",
  "open",
  "hidden",
  "disabled",
  "checked",
  "autocomplete",
  "rows",
  "spellcheck",
  // SVG
  "viewBox",
  "width",
  "height",
  "x",
  "y",
  "x1",
  "x2",
  "y1",
  "y2",
  "cx",
  "cy",
  "r",
  "points",
  "fill",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "text-anchor",
  "font-size",
  "transform",
]);

export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/** Sets an attribute the pages know; `aria-*` and `data-*` too. Anything else is a bug, thrown. */
function setAttribute(element: Element, name: string, value: string | number | boolean): void {
  if (!ATTRIBUTES.has(name) && !/^(aria|data)-[a-z-]+$/.test(name)) {
    throw new Error(`dom: attribute ${name} is not one the pages set`);
  }
  if (value === false) return;
  element.setAttribute(name, value === true ? "" : String(value));
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child as readonly Child[]) append(parent, c);
    return;
  }
  parent.appendChild(
    typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child))
      : (child as Node),
  );
}

/** An HTML element with attributes and children; strings become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) setAttribute(element, name, value);
  }
  append(element, children);
  return element;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element; as {@link el}. */
export function svg(tag: string, attributes: Attributes = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag) as SVGElement;
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) setAttribute(element, name, value);
  }
  append(element, children);
  return element;
}

/** A link within the page: `#` and a route the page made (never a URL from data). */
export function hashLink(route: string, ...children: Child[]): HTMLAnchorElement {
  if (!/^[a-z]+\/\d+$/.test(route)) throw new Error(`dom: ${route} is not a route of the page`);
  const a = el("a", {}, ...children);
  a.href = `#${route}`;
  return a;
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
