/**
 * Small pieces of the filter language (`nbtrail.store.filter_syntax`) the UI
 * writes itself: a group's condition joined to what the user typed.
 */

/** A string literal of the filter language: single quotes, a quote doubled. */
export function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `attribute = 'value'`, or `attribute IS NULL` for runs without one. */
export function equals(attribute: string, value: string | null): string {
  return value === null ? `${attribute} IS NULL` : `${attribute} = ${quote(value)}`;
}

/** Both conditions must hold; the user's text keeps its own precedence in parentheses. */
export function both(user: string, condition: string): string {
  const text = user.trim();
  return text ? `(${text}) AND ${condition}` : condition;
}
