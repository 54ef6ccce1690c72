import { describe, expect, test } from "bun:test";
import { cleanText, emailProblem, handleProblem, passwordProblem } from "../../src/accounts/validation.ts";

describe("handleProblem", () => {
  const cases: [string, string | null][] = [
    ["alice", null],
    ["bob_channel", null],
    ["dj.koala2", null],
    ["ab", "Use at least 3 characters."],
    ["a".repeat(51), "Use at most 50 characters."],
    ["Alice", "Use only lower-case letters, digits, underscores and dots."],
    ["al ice", "Use only lower-case letters, digits, underscores and dots."],
    ["al@ice", "Use only lower-case letters, digits, underscores and dots."],
    ["<script>", "Use only lower-case letters, digits, underscores and dots."],
    [".alice", "A dot cannot start or end the name, or follow another dot."],
    ["ali..ce", "A dot cannot start or end the name, or follow another dot."],
    ["admin", '"admin" is reserved.'],
    ["api", '"api" is reserved.'],
  ];
  for (const [handle, expected] of cases) {
    test(JSON.stringify(handle), () => expect(handleProblem(handle)).toBe(expected));
  }
});

describe("passwordProblem", () => {
  test("accepts a reasonable password", () => expect(passwordProblem("correct horse battery", "alice")).toBeNull());
  test("too short", () => expect(passwordProblem("abc123", "alice")).toBe("Use at least 8 characters."));
  test("too few different characters", () => expect(passwordProblem("aaaaaaaaaaaa", "alice")).toMatch(/too easy/));
  test("contains the username", () => expect(passwordProblem("xxalice2024!", "alice")).toBe("Your password must not contain your username."));
  test("common password", () => expect(passwordProblem("password123", "bob")).toMatch(/most common/));
  test("too long", () => expect(passwordProblem("ab1!".repeat(60), "bob")).toBe("Use at most 200 characters."));
});

describe("emailProblem", () => {
  test("accepts an address", () => expect(emailProblem("a.b@example.org")).toBeNull());
  test("refuses a name without a domain", () => expect(emailProblem("alice")).toMatch(/e-mail address like/));
  test("refuses spaces", () => expect(emailProblem("a b@example.org")).not.toBeNull());
  test("refuses over 254 characters", () => expect(emailProblem(`${"a".repeat(250)}@example.org`)).toMatch(/at most 254/));
});

test("cleanText trims and drops control characters but keeps newlines", () => {
  expect(cleanText("  hi\u0000 there\u0007\nnext  ")).toBe("hi there\nnext");
  expect(cleanText(42)).toBe("");
});
