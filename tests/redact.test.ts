import { describe, expect, it } from "vitest";
import { redactUrls } from "../src/http/redact.js";

describe("redactUrls", () => {
  it("hides the password (or a lone token) of every URL in a text and leaves the rest", () => {
    expect(redactUrls("http://user:secret@host:8000/v1")).toBe("http://user:***@host:8000/v1");
    expect(redactUrls("https://token@api.example/v1 and postgres://u:p@db/x?a=b@c")).toBe(
      "https://***@api.example/v1 and postgres://u:***@db/x?a=b@c",
    );
    expect(redactUrls('failed: "http://a:b@h/p" (status 500)')).toBe(
      'failed: "http://a:***@h/p" (status 500)',
    );
    expect(redactUrls("http://u:p@ss@h/x")).toBe("http://u:***@h/x");
    expect(redactUrls("http://u:***@h/x")).toBe("http://u:***@h/x");
    expect(redactUrls("http://host:8000/v1, mail me at a@b.c")).toBe("http://host:8000/v1, mail me at a@b.c");
  });
});
