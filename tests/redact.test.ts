import { describe, expect, it } from "vitest";
import { redactUrls } from "../src/util/redact.js";

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

  it("hides a password that holds /, ? or # (which end a URL's host part), up to the URL's last @", () => {
    expect(redactUrls("postgres://u:pa/ss@db:5432/q")).toBe("postgres://u:***@db:5432/q");
    expect(redactUrls("at postgres://user:1234/cret@host/db: refused")).toBe(
      "at postgres://user:***@host/db: refused",
    );
    expect(redactUrls("postgresql://user:a?b#c@host:5432/db")).toBe("postgresql://user:***@host:5432/db");
    expect(redactUrls("https://to/ken@api.example/v1")).toBe("https://***@api.example/v1");
    // Each URL of a list on its own: the second's @ does not reach back into the first.
    expect(redactUrls("http://a@h1/v1,http://u:p/w@h2/v1")).toBe("http://***@h1/v1,http://u:***@h2/v1");
  });

  it("keeps a PostgreSQL URL's role name, which is no secret, and the URL without credentials", () => {
    expect(redactUrls("postgres://tpo@db.example/runs")).toBe("postgres://tpo@db.example/runs");
    expect(redactUrls("postgres://tpo:s3cret@db.example:5432/runs")).toBe(
      "postgres://tpo:***@db.example:5432/runs",
    );
    expect(redactUrls("postgres://db.example/runs?sslmode=require")).toBe(
      "postgres://db.example/runs?sslmode=require",
    );
  });
});
