import { describe, expect, it } from "vitest";
import { idOfMessageHead } from "../src/mcp/stdio.js";

describe("the id of a message too long to read, from its first bytes", () => {
  it("is the top-level id, a number or a string", () => {
    expect(idOfMessageHead('{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"x":"')).toBe(42);
    expect(idOfMessageHead('{"id": "call-\\"7\\"", "jsonrpc": "2.0", "params": {')).toBe('call-"7"');
    expect(idOfMessageHead('{"method":"tools/call","id":-3,"params":{"arguments":{"query":"xxx')).toBe(-3);
  });

  it("is null when the id comes after a nested value, could be another member's, or is not there", () => {
    expect(idOfMessageHead('{"jsonrpc":"2.0","method":"tools/call","params":{"id":7,"query":"x')).toBeNull();
    expect(idOfMessageHead('{"method":"a\\"id\\":3","params":{')).toBeNull();
    expect(idOfMessageHead('{"jsonrpc":"2.0","method":"notifications/x","params":{')).toBeNull();
    expect(idOfMessageHead("xxxxxxxx")).toBeNull();
    expect(idOfMessageHead('{"id":{"nested":1}}')).toBeNull();
  });
});
