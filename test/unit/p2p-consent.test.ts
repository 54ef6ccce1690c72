import { describe, expect, test } from "bun:test";
import { playerMode } from "../../src/p2p/consent.ts";

describe("playerMode", () => {
  test("an instance with P2P off never loads it, whatever the viewer chose", () => {
    expect(playerMode("off", "on", "on")).toEqual({ p2p: false, notice: null });
  });
  test("ask: HTTP with the question until the viewer answers", () => {
    expect(playerMode("ask", null, undefined)).toEqual({ p2p: false, notice: "ask" });
    expect(playerMode("ask", null, "on")).toEqual({ p2p: true, notice: null });
    expect(playerMode("ask", null, "off")).toEqual({ p2p: false, notice: null });
  });
  test("on: P2P with a notice saying so, unless the viewer declined", () => {
    expect(playerMode("on", null, undefined)).toEqual({ p2p: true, notice: "info" });
    expect(playerMode("on", null, "off")).toEqual({ p2p: false, notice: null });
  });
  test("a logged-in person's profile wins over the browser's cookie", () => {
    expect(playerMode("ask", "off", "on")).toEqual({ p2p: false, notice: null });
    expect(playerMode("ask", "on", "off")).toEqual({ p2p: true, notice: null });
  });
  test("a forged cookie value counts as no answer", () => {
    expect(playerMode("ask", null, "yes please")).toEqual({ p2p: false, notice: "ask" });
  });
});
