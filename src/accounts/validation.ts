/** Rules for what people type into account and channel forms; pure, so each rule is tested directly. */

export const HANDLE_MIN = 3;
export const HANDLE_MAX = 50;
/** Leaves room for the default channel's "_channel" suffix inside HANDLE_MAX. */
export const USERNAME_MAX = 42;
export const DISPLAY_NAME_MAX = 120;
export const DESCRIPTION_MAX = 1000;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
export const EMAIL_MAX = 254;

// Names that would read as the instance speaking, or that collide with routes and well-known paths.
const RESERVED_HANDLES = new Set([
  "about", "abuse", "admin", "administrator", "api", "assets", "c", "a", "w", "channel", "channels", "accounts",
  "feeds", "help", "instance", "live", "login", "logout", "me", "moderator", "nodeinfo", "null", "peertube",
  "postmaster", "register", "root", "search", "security", "settings", "static", "support", "system", "tracker",
  "tubelet", "undefined", "videos", "webmaster", "well-known", "www",
]);

/** Returns why a handle cannot be used, or null when it is well formed. Handles are compared lower-case. */
export function handleProblem(handle: string, max = HANDLE_MAX): string | null {
  if (handle.length < HANDLE_MIN) return `Use at least ${HANDLE_MIN} characters.`;
  if (handle.length > max) return `Use at most ${max} characters.`;
  if (!/^[a-z0-9_.]+$/.test(handle)) return "Use only lower-case letters, digits, underscores and dots.";
  if (handle.startsWith(".") || handle.endsWith(".") || handle.includes("..")) {
    return "A dot cannot start or end the name, or follow another dot.";
  }
  if (RESERVED_HANDLES.has(handle)) return `"${handle}" is reserved.`;
  return null;
}

export function emailProblem(email: string): string | null {
  if (email.length > EMAIL_MAX) return `An e-mail address has at most ${EMAIL_MAX} characters.`;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return "Enter an e-mail address like name@example.org.";
  return null;
}

/** A deliberately small check: length, variety, and not built from the username. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (new Set(password).size < 4) return "That password is too easy to guess: use more different characters.";
  const lower = password.toLowerCase();
  if (username.length >= 3 && lower.includes(username.toLowerCase())) return "Your password must not contain your username.";
  if (COMMON_PASSWORDS.has(lower)) return "That password is one of the most common ones; choose another.";
  return null;
}

const COMMON_PASSWORDS = new Set([
  "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop", "iloveyou",
  "sunshine", "princess", "football", "baseball", "welcome1", "admin123", "letmein1", "abc12345", "qwerty123",
  "trustno1", "passw0rd", "superman", "whatever", "starwars", "11111111", "00000000", "87654321",
]);

export function textProblem(label: string, value: string, min: number, max: number): string | null {
  if (value.length < min) return min === 1 ? `${label} cannot be empty.` : `${label} needs at least ${min} characters.`;
  if (value.length > max) return `${label} has ${value.length} characters; the limit is ${max}.`;
  return null;
}

/** Trims and drops control characters that have no place in names and descriptions. */
export function cleanText(value: unknown): string {
  if (typeof value !== "string") return "";
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim();
}
