/** Short lines of text as a list (server names, check details, steps left); nothing when there are none. */
export function TextList({ items, className, label }: { items: readonly string[]; className?: string; label?: string }) {
  if (items.length === 0) return null;
  return (
    <ul className={className} aria-label={label}>
      {items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}
