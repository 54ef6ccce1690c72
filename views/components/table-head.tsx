/** The heading row of the administration tables: one column heading per entry, "" for a column of buttons. */
export function TableHead({ headings }: { headings: readonly string[] }) {
  return (
    <thead>
      <tr>
        {headings.map((heading) => (
          <th scope="col" safe>
            {heading}
          </th>
        ))}
      </tr>
    </thead>
  );
}
