/** A round avatar image, or the name's first letter on a coloured disc when there is none. */

export function Avatar({ url, name, size }: { url: string | null; name: string; size: number }) {
  if (url) return <img class="avatar" src={url} alt="" width={String(size)} height={String(size)} loading="lazy" />;
  const letter = Array.from(name.trim())[0]?.toUpperCase() ?? "?";
  const hue = [...name].reduce((h, c) => (h * 31 + c.codePointAt(0)!) % 360, 7);
  return (
    <span class="avatar avatar-letter" style={`--size:${size}px;--hue:${hue}`} aria-hidden="true" safe>
      {letter}
    </span>
  );
}
