/** An OData string literal: single quotes doubled (OData URL conventions §5.1.1.6.1). */
export function odataString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
