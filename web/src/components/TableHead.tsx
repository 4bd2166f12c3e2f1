// The header row of an admin table: one column header per label, in order.
export function TableHead({ cols }: { cols: Record<string, string> }) {
  return (
    <thead>
      <tr>
        {Object.values(cols).map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
