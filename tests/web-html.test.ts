import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inlineScript, jsonBlock, markup, offlinePolicy } from "../src/web/html.js";
import { ROOT } from "./helpers/cli.js";

describe("markup: the pages' one way to build HTML", () => {
  it("escapes every interpolated value, whatever its type, unless markup made it", () => {
    const hostile = `<img src=x onerror="alert(1)">'&`;
    const made = markup`<b>${hostile}</b>`;
    expect(made.markup).toBe("<b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;</b>");
    expect(markup`<i>${made}</i>`.markup).toBe(`<i>${made.markup}</i>`);
    // A look-alike object is not markup: it is text.
    const forged = { markup: "<script>alert(1)</script>" } as unknown as ReturnType<typeof markup>;
    expect(markup`${forged}`.markup).not.toContain("<script>");
    // A number or an array from a file goes through the same escaping.
    expect(markup`${hostile as unknown as number}`.markup).not.toContain("<img");
    expect(markup`${[hostile, made]}`.markup).toBe(
      `&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;${made.markup}`,
    );
    expect(markup`${null}${undefined}${false}${0}`.markup).toBe("0");
  });

  it("puts JSON in a data block that no string can end or comment out", () => {
    const data = { text: "</script><script>alert(1)</script><!-- \u2028 &amp;" };
    const block = jsonBlock("d", data).markup;
    expect(block.match(/<\/script/gi)).toHaveLength(1);
    expect(block).not.toContain("<!--");
    const json = /^<script type="application\/json" id="d">(.*)<\/script>$/s.exec(block)![1];
    expect(JSON.parse(json)).toEqual(data);
  });

  it("inlines only a script that cannot end its element, allowed by its hash", () => {
    expect(() => inlineScript('x("</script>")')).toThrow(/may not contain/);
    expect(() => inlineScript("x('<!--')")).toThrow(/may not contain/);
    const source = "document.body.dataset.ok = '1';";
    expect(inlineScript(source).markup).toBe(`<script>${source}</script>`);
    const hash = createHash("sha256").update(source).digest("base64");
    const policy = offlinePolicy(source, "p{}");
    expect(policy).toContain(`script-src 'sha256-${hash}'`);
    expect(policy).toMatch(/^default-src 'none'; /);
    expect(policy).not.toMatch(/unsafe|https?:|\*/);
  });
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe("the pages' browser scripts", () => {
  it("never assign markup: every text reaches the page as a text node", () => {
    const sources = [
      ...files(join(ROOT, "src", "web", "browser")),
      join(ROOT, "src", "web", "page-scripts.generated.ts"),
    ];
    const offending = sources.filter((path) =>
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|srcdoc/.test(
        // Comments may name them (dom.ts says why none is used).
        readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, ""),
      ),
    );
    expect(offending).toEqual([]);
  });
});
