/** Form pieces that keep labels, hints and errors tied to their inputs for screen readers. */

export interface FieldProps {
  readonly name: string;
  readonly label: string;
  readonly type?: string;
  readonly value?: string;
  readonly error?: string;
  readonly hint?: string;
  readonly required?: boolean;
  readonly maxlength?: number;
  readonly autocomplete?: string;
  /** htmx: validate this field on the server as the person types. */
  readonly checkUrl?: string;
  readonly prefix?: string;
}

export function Field(p: FieldProps) {
  const id = `f-${p.name}`;
  const described = [p.hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class={p.error ? "field field-invalid" : "field"}>
      <label for={id} safe>
        {p.label}
      </label>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`} safe>
          {p.hint}
        </p>
      ) : (
        ""
      )}
      <div class={p.prefix ? "input-prefixed" : ""}>
        {p.prefix ? <span class="prefix" safe>{p.prefix}</span> : ""}
        <input
          id={id}
          name={p.name}
          type={p.type ?? "text"}
          value={p.value ?? ""}
          required={p.required}
          maxlength={p.maxlength ? String(p.maxlength) : undefined}
          autocomplete={p.autocomplete}
          aria-invalid={p.error ? "true" : undefined}
          aria-describedby={described}
          hx-get={p.checkUrl}
          hx-trigger={p.checkUrl ? "input changed delay:300ms" : undefined}
          hx-target={p.checkUrl ? `#${id}-error` : undefined}
          hx-swap={p.checkUrl ? "outerHTML" : undefined}
        />
      </div>
      <FieldError id={`${id}-error`} message={p.error} />
    </div>
  );
}

/** Also the fragment htmx swaps in after an availability check. */
export function FieldError({ id, message, ok }: { id: string; message?: string | null; ok?: string }) {
  if (message) {
    return (
      <p class="error" id={id} role="alert" safe>
        {message}
      </p>
    );
  }
  return (
    <p class="ok" id={id} aria-live="polite" safe>
      {ok ?? ""}
    </p>
  );
}

export function TextArea(p: { name: string; label: string; value?: string; error?: string; maxlength: number; hint?: string }) {
  const id = `f-${p.name}`;
  return (
    <div class={p.error ? "field field-invalid" : "field"}>
      <label for={id} safe>
        {p.label}
      </label>
      {p.hint ? <p class="hint" safe>{p.hint}</p> : ""}
      <textarea id={id} name={p.name} rows="4" maxlength={String(p.maxlength)} aria-describedby={`${id}-error`} safe>
        {p.value ?? ""}
      </textarea>
      <FieldError id={`${id}-error`} message={p.error} />
    </div>
  );
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A card with one required text field and its submit button (block a server, follow an instance, mirror a video). */
export function OneFieldForm(p: {
  action: string;
  token: string;
  id: string;
  name: string;
  label: string;
  button: string;
  maxlength: number;
  placeholder: string;
  value?: string;
}) {
  return (
    <form method="post" action={p.action} class="card form">
      <Csrf token={p.token} />
      <div class="field">
        <label for={p.id} safe>
          {p.label}
        </label>
        <input id={p.id} name={p.name} required maxlength={String(p.maxlength)} placeholder={p.placeholder} value={p.value} />
      </div>
      <button type="submit" class="button primary" safe>
        {p.button}
      </button>
    </form>
  );
}

/** A one-button form that POSTs to `action` (approve, unblock, remove...), carrying the CSRF token. */
export function PostButton({ action, token, label }: { action: string; token: string; label: string }) {
  return (
    <form method="post" action={action} class="inline">
      <Csrf token={token} />
      <button type="submit" class="button" safe>
        {label}
      </button>
    </form>
  );
}

export function Alert({ message, kind }: { message?: string | null; kind?: "error" | "info" }) {
  if (!message) return "";
  return (
    <div class={`alert alert-${kind ?? "error"}`} role={kind === "info" ? "status" : "alert"} safe>
      {message}
    </div>
  );
}

/** A labelled drop-down; `options` are [value, text] pairs. */
export function Select({ name, label, value, options }: { name: string; label: string; value: string; options: [string, string][] }) {
  return (
    <div class="field">
      <label for={`f-${name}`} safe>
        {label}
      </label>
      <select id={`f-${name}`} name={name}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value} safe>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
